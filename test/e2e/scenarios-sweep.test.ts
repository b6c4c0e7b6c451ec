// The sweep on the embedded forge, with GitHub's semantics and with Forgejo's: killed runs are requeued,
// red default-branch workflows get one issue that closes when they are green again, and the dashboard
// issue is kept. On Forgejo (no workflow_run) the sweep's schedule is what notices a red or green main.
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { git } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Flavor, type Loop, startLoop, transitions } from '../support/loop.js';

let loop: Loop;

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kill every process whose command line mentions `text` (what a dying runner host takes with it). */
function killMatching(text: string): void {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

async function pushToMain(files: Record<string, string>, message: string) {
  const before = (await git.revParse(loop.repo.gitDir, 'main'))!;
  const after = await git.commitFiles(loop.repo.gitDir, 'main', files, message);
  await loop.forge.afterPush(
    loop.repo,
    [{ ref: 'refs/heads/main', before, after }],
    loop.forge.state.tokens.get(loop.forge.token('maria')),
  );
}

describe.each<Flavor>(['github', 'forgejo'])('sweep on %s', (flavor) => {
  const start = (opts: Parameters<typeof startLoop>[0] = {}) => startLoop({ ...opts, flavor });
  /** A code run whose agent hangs, then the runner host dies under it (its processes killed): its claim stays. */
  async function codeRunKilledMidAgent() {
    loop = await start();
    await writeFile(loop.scriptPath, JSON.stringify({ ...SAMPLE_SCRIPT, hang: ['code'] }));
    const issue = await loop.maria.createIssue('add() subtracts', 'x', []);
    await loop.maria.addLabels(issue.number, ['loop/code']);
    await until(async () => (await loop.agentRuns()) >= 1);
    const run = loop.runner.runs.find((r) => r.status === 'in_progress' && r.workflow.name === 'agentloop code')!;
    const step = run.jobs.flatMap((j) => j.steps).find((st) => st.status === 'in_progress' && st.kind === 'agentloop')!;
    process.kill(-step.pid!, 'SIGKILL');
    killMatching(loop.scriptPath);
    await writeFile(loop.scriptPath, JSON.stringify(SAMPLE_SCRIPT));
    await loop.runner.idle();
    expect(run.conclusion).toBe('failure');
    expect(loop.labelsOf(issue.number)).toEqual(['loop/code-in-process']); // the dead run's claim
    expect([...loop.repo.pulls.values()]).toEqual([]);
    return issue.number;
  }

  it('a code run killed in the middle of the agent step is requeued by the sweep and the loop finishes', async () => {
    const issue = await codeRunKilledMidAgent();
    loop.runner.tickSchedule(loop.repo);
    await loop.settle();
    expect(transitions(loop)).toContain('sweep');
    const [pr] = [...loop.repo.pulls.values()];
    expect(pr?.merged).toBe(true);
    expect(loop.issue(issue).state).toBe('closed');
    expect(loop.comments(issue, '<!-- agentloop:status -->')[0]!.body).toMatch(/merged/);
  });

  it('a claim lost an hour before the sweep is found and requeued (GitHub: through the search index)', async () => {
    const issue = await codeRunKilledMidAgent();
    // An hour on: nothing changed lately, so on GitHub only search finds the claim.
    loop.forge.state.clock = () => new Date(Date.now() + 3_600_000);
    const before = loop.forge.requests.length;
    loop.runner.tickSchedule(loop.repo);
    await loop.settle();
    if (flavor === 'github') expect(loop.forge.requests.slice(before).some((r) => r.path === '/search/issues')).toBe(true);
    expect(transitions(loop)).toContain('sweep');
    expect([...loop.repo.pulls.values()][0]?.merged).toBe(true);
    expect(loop.issue(issue).state).toBe('closed');
  });

  it('a red workflow on main gets one ci-failure issue with the failing job and log tail; green again closes it', async () => {
    loop = await start();
    await pushToMain({ 'test.js': "import assert from 'node:assert/strict';\nassert.equal(1, 2, 'one is not two');\n" }, 'break the build');
    await loop.settle();
    await pushToMain({ 'README.md': '# calc\n\nStill broken.\n' }, 'unrelated');
    await loop.settle();
    const tracking = loop.repo.issues.filter((i) => loop.labelsOf(i.number).includes('ci-failure'));
    expect(tracking).toHaveLength(1);
    if (flavor === 'github') {
      expect(tracking[0]!.title).toBe('CI failing on main: CI');
      expect(tracking[0]!.body).toMatch(/\*\*test\*\*/);
      expect(tracking[0]!.body).toMatch(/one is not two/);
    } else {
      // Forgejo names a run by its workflow file and serves no job logs.
      expect(tracking[0]!.title).toBe('CI failing on main: ci.yml');
      expect(tracking[0]!.body).toMatch(/\/actions\/runs\/\d+/);
    }
    // GitHub reports each finished run (workflow_run): a second red run adds "Still red". Forgejo's
    // polling sweep sees only the latest state, so the issue stays as it was until main is green.
    const comments = loop.comments(tracking[0]!.number).map((c) => c.body);
    if (flavor === 'github') expect(comments.join()).toMatch(/Still red/);
    else expect(comments).toEqual([]);

    await pushToMain({ 'test.js': "console.log('ok');\n" }, 'fix the build');
    await loop.settle();
    expect(tracking[0]!.state).toBe('closed');
    expect(
      loop
        .comments(tracking[0]!.number)
        .map((c) => c.body)
        .join(),
    ).toMatch(/green again/);
  });

  // GitHub only: Forgejo has no workflow_run event, and runs a fork's pull request on refs/pull/N/head,
  // never on a branch of this repository, so a fork's "main" cannot pose as the default branch there.
  if (flavor === 'github')
    it("a fork's runs of CI on a branch it named main neither open nor close a ci-failure issue", async () => {
      loop = await start();
      // The embedded forge has no forks, so the test delivers what GitHub sends the base repository when a
      // fork's pull request (head branch "main", the fork's own workflow files) finishes a run named CI:
      // a real completed workflow_run payload, with the fork as head repository and pull_request as event.
      const completed: Record<string, unknown>[] = [];
      loop.forge.on((e) => {
        const run = e.payload.workflow_run as { name?: string } | undefined;
        if (e.name === 'workflow_run' && e.action === 'completed' && run?.name === 'CI') completed.push(e.payload);
      });
      const fromFork = (conclusion: string) => {
        const p = structuredClone(completed.at(-1)!) as Record<string, Record<string, unknown>>;
        const head = p.workflow_run!.head_repository as Record<string, unknown>;
        p.workflow_run = {
          ...p.workflow_run,
          event: 'pull_request',
          head_branch: 'main',
          conclusion,
          head_repository: { ...head, full_name: 'evil/calc', fork: true },
        };
        return p;
      };
      const deliver = async (payload: Record<string, unknown>) => {
        loop.forge.emit({ name: 'workflow_run', action: 'completed', payload, actor: 'evil', automatic: false }, loop.repo);
        await loop.runner.idle();
      };
      const tracking = () => loop.repo.issues.filter((i) => i.title.startsWith('CI failing'));

      // (The sample's tests fail until add() adds: make main green first.)
      await pushToMain({ 'test.js': "console.log('ok');\n" }, 'a green main');
      await loop.runner.idle();
      // (Before the fix, with ci-failure-autofix on, this opened an issue carrying the fork's log, an agent
      // "fixed" it and the PR was merged.)
      await deliver(fromFork('failure'));
      expect(tracking()).toEqual([]);
      expect([...loop.repo.pulls.values()]).toEqual([]);

      await pushToMain(
        { 'test.js': "import assert from 'node:assert/strict';\nassert.equal(1, 2, 'one is not two');\n" },
        'break the build',
      );
      await loop.runner.idle();
      expect(tracking()).toHaveLength(1);
      const before = loop.comments(tracking()[0]!.number).length;
      await deliver(fromFork('success'));
      expect(tracking().map((i) => i.state)).toEqual(['open']);
      expect(loop.comments(tracking()[0]!.number)).toHaveLength(before);
    });

  it('keeps a dashboard issue listing the loop items', async () => {
    loop = await start({ script: { plan: 'a plan' } });
    const issue = await loop.maria.createIssue('Plan me', 'x', []);
    await loop.maria.addLabels(issue.number, ['loop/plan']);
    await loop.runner.idle();
    loop.runner.tickSchedule(loop.repo);
    await loop.runner.idle();
    const dashboards = loop.repo.issues.filter((i) => loop.labelsOf(i.number).includes('loop/dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.body).toMatch(new RegExp(`#${issue.number} \\| Plan me \\| \`loop/plan-done\``));
    loop.runner.tickSchedule(loop.repo);
    await loop.runner.idle();
    expect(loop.repo.issues.filter((i) => loop.labelsOf(i.number).includes('loop/dashboard'))).toHaveLength(1);
  });
});
