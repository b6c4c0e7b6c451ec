// The code-lane suites' setup, once per forge (test/e2e/code-lane*.test.ts): a harness holding the add()
// repository, the scripted agent's script, in-process ticks, and how labels, CI, merges and branch
// deletions look on the forge under test.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, expect } from 'vitest';
import { reportCi } from './ci.js';
import { applyLabel, type Flavor, type Harness, labelNames, startHarness } from './harness.js';
import { tickInProcess } from './inprocess.js';

export const AGENT = resolve('dist/scripted-agent.js');
export const FIXED = 'export const add = (a, b) => a + b;\n';

/** One line of a scripted agent's log: what it was asked to do and the prompt it got. */
export interface AgentRun {
  transition: string;
  prompt: string;
}

/** Registers the harness's beforeEach/afterEach in the calling describe; `lane.h` is the current test's. */
export function useCodeLane(flavor: Flavor) {
  let harness: Harness | undefined;
  let script = '';
  const writeScript = (s: unknown) => writeFileSync(script, JSON.stringify(s));

  beforeEach(async () => {
    harness = await startHarness({ 'README.md': '# widget\n', 'src/add.js': 'export const add = (a, b) => a - b;\n' }, flavor);
    script = join(harness.shared, 'script.json');
    writeScript({
      code: { files: { 'src/add.js': 'export const add = (a, b) => a + b + 0;\n' }, summary: 'Make add() add.' },
      'fix-ci': [{ files: { 'src/add.js': FIXED }, summary: 'Drop the stray + 0.' }],
    });
  });
  afterEach(async () => {
    expect(harness!.forge.violations, 'requests the forge would reject').toEqual([]);
    await harness!.stop();
  });

  const h = () => harness!;
  const inputs = (extra: Record<string, string> = {}) => ({ lane: 'code', 'agent-command': `node ${AGENT} ${script}`, ...extra });
  /** Each forge's merge call: GitHub `PUT …/merge` `{sha, merge_method}`, Forgejo `POST …/merge` `{Do, head_commit_id}`. */
  const mergeMethod = flavor === 'github' ? 'PUT' : 'POST';

  /** The runs of the scripted agent that reads `path` (default: the default agent's script). */
  const agentLog = (path = script): AgentRun[] => {
    try {
      execFileSync('test', ['-e', `${path}.log`]);
    } catch (err) {
      if ((err as { status?: number }).status === 1) return []; // `test -e` says: no log file
      throw err;
    }
    return execFileSync('cat', [`${path}.log`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AgentRun);
  };

  return {
    flavor,
    get h() {
      return h();
    },
    get script() {
      return script;
    },
    writeScript,
    inputs,
    tick: (extra: Record<string, string> = {}, token?: string) =>
      tickInProcess(h(), { inputs: inputs(extra), ...(token ? { token } : {}) }),
    issueOf: (n: number) => h().repo.issues.find((i) => i.number === n)!,
    labelsOf: (n: number) => labelNames(h(), n).sort(),
    statusOf: (n: number) => h().repo.comments.find((c) => c.issue === n && c.body.includes('<!-- agentloop:status -->'))?.body ?? '',
    agentLog,
    /** Invocations of the default scripted agent; no log means it never ran. */
    agentRuns: () => agentLog().length,
    /** `by` adds the label as a person would (Forgejo: through the API, which keeps label ids on items). */
    label: (n: number, name: string, by = 'maria') => applyLabel(h(), n, name, by),
    unlabel: (n: number, name: string, by = 'maria') => h().client(by).removeLabel(n, name),
    onlyPull() {
      const pulls = [...h().repo.pulls.values()];
      expect(pulls).toHaveLength(1);
      return pulls[0]!;
    },
    /** CI as the forge's Actions report it; returns the name agentloop sees (Forgejo: the status context). */
    ci: (sha: string, conclusion: 'success' | 'failure', opts?: Parameters<typeof reportCi>[3]) => reportCi(h(), sha, conclusion, opts),
    /** agentloop's login: the workflow token's bot on GitHub, the bot user on Forgejo. */
    self: flavor === 'github' ? 'github-actions[bot]' : 'agentloop-bot',
    mergeMethod,
    mergePath: /\/pulls\/\d+\/merge$/,
    /** The merge calls the forge received. */
    merges: () => h().forge.requests.filter((q) => q.method === mergeMethod && /\/pulls\/\d+\/merge$/.test(q.path)),
    /** The commit branch `name` points at, null when there is no such branch. */
    headOf: (name: string) => git.revParse(h().repo.gitDir, `refs/heads/${name}`),
  };
}

export type CodeLane = ReturnType<typeof useCodeLane>;
