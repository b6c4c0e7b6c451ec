// Whole-loop scenarios on the embedded forge with GitHub's semantics: workflows as a user installs
// them, real git, real CI, dist/index.js run by the workflow runner, a scripted agent.

import { eventFaults, failOn, git, humanEdits } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Loop, startLoop, transitions } from '../support/loop.js';

const PLAN = '<!-- agentloop:plan -->';
const STATUS = '<!-- agentloop:status -->';
const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests GitHub would reject').toEqual([]);
  await loop.stop();
});

async function openAndLabel(title: string, ...labels: string[]) {
  const issue = await loop.maria.createIssue(title, 'Details.', []);
  for (const label of labels) await loop.maria.addLabels(issue.number, [label]);
  return issue.number;
}

const pulls = () => [...loop.repo.pulls.values()];
const merges = () => loop.forge.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/merge'));

describe('plan lane (GitHub semantics)', () => {
  it('a duplicated labeled event yields one plan comment', async () => {
    loop = await startLoop({
      runner: { deliver: eventFaults({ seed: 1, duplicate: 1, match: (e) => e.name === 'issues' && e.action === 'labeled' }) },
    });
    const n = await openAndLabel('add() subtracts', 'loop/plan');
    await loop.runner.idle();
    expect(loop.comments(n, PLAN)).toHaveLength(1);
    expect(loop.labelsOf(n)).toEqual(['loop/plan-done']);
    expect(await loop.agentRuns()).toBe(1);
    const planRuns = loop.runner.runs.filter((r) => r.workflow.name === 'agentloop plan' && r.event.label === 'loop/plan');
    expect(planRuns.length).toBeGreaterThanOrEqual(2); // the duplicate ran too, and did nothing
  });

  it('a burst of loop/plan labels on ten issues → ten plans, runs concurrent across issues', async () => {
    loop = await startLoop();
    const numbers = [];
    for (let i = 0; i < 10; i++) numbers.push(await openAndLabel(`Issue ${i}`, 'loop/plan'));
    await loop.runner.idle();
    const runsOf = (n: number) =>
      loop.runner.runs
        .filter((r) => r.event.item === n)
        .map(
          (r) =>
            `${r.workflow.name}: ${r.conclusion} ${JSON.stringify(r.outputs)} ${r.jobs.map((j) => j.error ?? j.log?.slice(-600)).join(' | ')}`,
        );
    for (const n of numbers) expect(loop.comments(n, PLAN), `#${n}\n${runsOf(n).join('\n')}`).toHaveLength(1);
    const groups = new Set(loop.runner.runs.filter((r) => r.outputs.transition === 'plan').map((r) => r.concurrencyGroup));
    expect(groups.size).toBe(10);
    expect(loop.runner.runs.filter((r) => r.cancelledByConcurrency && r.workflow.name === 'agentloop plan')).toEqual([]);
  });

  it('a triage-role user’s label → one polite refusal, the label taken off, no agent run', async () => {
    loop = await startLoop();
    const issue = await loop.tom.createIssue('Please do this', 'x', []);
    await loop.tom.addLabels(issue.number, ['loop/plan']);
    await loop.runner.idle();
    expect(await loop.agentRuns()).toBe(0);
    expect(loop.labelsOf(issue.number)).toEqual([]);
    const comments = loop.comments(issue.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/@tom.*write access/s);
  });
});

describe('code lane (GitHub semantics)', () => {
  it('happy path: plan → code → PR → red CI → fix → green → merged', async () => {
    loop = await startLoop();
    const n = await openAndLabel('add() subtracts', 'loop/plan');
    await loop.runner.idle();
    await loop.maria.addLabels(n, ['loop/code']);
    await loop.runner.idle();
    expect(transitions(loop)).toEqual(['plan', 'code', 'fix-ci', 'ci-green', 'merge']);
    const [pr] = pulls();
    expect(pr!.merged).toBe(true);
    expect(loop.issue(n).state).toBe('closed');
    expect(loop.labelsOf(n)).toEqual(['loop/merge-done', 'loop/plan-done']);
    expect(await git.readFile(loop.repo.gitDir, 'main', 'src/add.js')).toBe(FIXED);
    const ci = loop.runner.runs.filter((r) => r.workflow.name === 'CI');
    expect(ci.map((r) => r.conclusion)).toEqual(['failure', 'success', 'success']); // PR red, PR green, main after merge
    // One status comment per identity: the plan lane runs on the workflow token only, the code lane on the PAT.
    expect(loop.comments(n, STATUS).map((c) => c.user)).toEqual(['github-actions[bot]', 'agentloop-bot']);
    // The plan the plan lane posted (as github-actions[bot]) reached the code prompt.
    const log = (await import('node:fs'))
      .readFileSync(`${loop.scriptPath}.log`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { transition: string; prompt: string });
    expect(log.map((l) => l.transition)).toEqual(['plan', 'code', 'fix-ci']);
    expect(log[1]!.prompt).toContain('Replace `a - b` with a sum'); // the plan, in the code prompt
    expect(log[2]!.prompt).toContain("add('2', '3')"); // the failing test's log tail, in the fix prompt
  });

  it('red CI never fixed → NeedSupervisor after max-fix-attempts; nothing merged', async () => {
    loop = await startLoop({
      script: {
        ...SAMPLE_SCRIPT,
        'fix-ci': [
          { files: { 'src/add.js': 'export const add = (a, b) => a + b + 1;\n' } },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source for the fixture file, with its own template literal
          { files: { 'src/add.js': 'export const add = (a, b) => `${a}${b}`;\n' } },
        ],
      },
    });
    const n = await openAndLabel('add() subtracts', 'loop/code');
    await loop.runner.idle();
    expect(transitions(loop)).toEqual(['code', 'fix-ci', 'fix-ci', 'escalate']);
    expect(loop.labelsOf(n)).toContain('NeedSupervisor');
    expect(pulls()[0]!.merged).toBe(false);
    expect(merges()).toEqual([]);
    expect(loop.comments(n, STATUS)[0]!.body).toMatch(/fix attempt 2/);
  });

  it('a conflicting commit lands on main while the PR waits → rebase → CI → merge', async () => {
    loop = await startLoop({
      config: 'auto-merge: false\n',
      script: { ...SAMPLE_SCRIPT, code: { files: { 'src/add.js': FIXED } }, rebase: { resolve: 'theirs' } },
    });
    const n = await openAndLabel('add() subtracts', 'loop/code');
    await loop.runner.idle();
    expect(loop.labelsOf(n)).toEqual(['loop/code-done']);
    await git.commitFiles(
      loop.repo.gitDir,
      'main',
      { 'src/add.js': '// Adds.\nexport const add = (a, b) => +a + +b;\n' },
      'A maintainer fixes it differently',
    );
    await loop.forge.afterPush(
      loop.repo,
      [{ ref: 'refs/heads/main', before: '0'.repeat(40), after: (await git.revParse(loop.repo.gitDir, 'main'))! }],
      loop.forge.state.tokens.get(loop.forge.token('maria')),
    );
    await loop.maria.addLabels(n, ['loop/merge']);
    await loop.runner.idle();
    expect(transitions(loop)).toEqual(['code', 'ci-green', 'rebase', 'merge']);
    expect(pulls()[0]!.merged).toBe(true);
  });

  it('do-not-merge added at any point → never merged', async () => {
    loop = await startLoop();
    const n = await openAndLabel('add() subtracts', 'loop/code');
    await loop.maria.addLabels(n, ['do-not-merge']);
    await loop.runner.idle();
    expect(pulls()[0]!.merged).toBe(false);
    expect(merges()).toEqual([]);
    expect(loop.labelsOf(n)).toEqual(['do-not-merge', 'loop/code-done']);
  });

  it('mergeable: null for three reads → waits, then merges', async () => {
    loop = await startLoop({ mergeableNullReads: 3 });
    await openAndLabel('add() subtracts', 'loop/code');
    await loop.runner.idle();
    expect(pulls()[0]!.merged).toBe(true);
    expect(merges()).toHaveLength(1);
    const waited = loop.runner.runs.filter((r) => r.outputs.transition === 'none' && /waiting/.test(r.outputs.reason ?? ''));
    expect(waited.length).toBeGreaterThan(0);
  });

  it('two issues labeled loop/code together → two PRs, one after the other, both merged', async () => {
    loop = await startLoop({ script: { code: [{ files: { 'src/add.js': FIXED } }, { files: { 'CHANGELOG.md': '- add() adds\n' } }] } });
    const a = await openAndLabel('First', 'loop/code');
    const b = await openAndLabel('Second', 'loop/code');
    await loop.runner.idle();
    const prs = pulls();
    expect(prs.map((p) => p.head)).toEqual([`agentloop/issue-${a}`, `agentloop/issue-${b}`]);
    expect(prs.every((p) => p.merged)).toBe(true);
    // The second PR was opened only after the first merged (max-open-prs: 1).
    const events = loop.repo.events.filter((e) => e.event === 'merged');
    expect(events).toHaveLength(2);
    expect(loop.repo.issues.find((i) => i.number === prs[1]!.number)!.createdAt >= events[0]!.createdAt).toBe(true);
  });

  it('a 5xx on the merge call → NeedSupervisor and exactly one merge request', async () => {
    loop = await startLoop();
    const n = await openAndLabel('add() subtracts', 'loop/code');
    loop.forge.faults.push(failOn({ method: 'PUT', path: /\/merge$/, status: 502 }));
    await loop.runner.idle();
    expect(merges()).toHaveLength(1);
    expect(pulls()[0]!.merged).toBe(false);
    expect(loop.labelsOf(n)).toContain('NeedSupervisor');
  });

  it('a head pushed by a human between decision and merge → no merge in that run', async () => {
    loop = await startLoop();
    await openAndLabel('add() subtracts', 'loop/code');
    const claimed = () =>
      loop.forge.requests.some((q) => q.method === 'POST' && JSON.stringify(q.body ?? '').includes('loop/merge-in-process'));
    let agentHead = '';
    const push = humanEdits({
      when: (req) => req.method === 'GET' && /\/pulls\/\d+$/.test(req.path) && claimed(),
      edit: async () => {
        const pr = pulls()[0]!;
        agentHead = pr.headSha;
        // A real push: GitHub sends push and pull_request synchronize, so CI runs on the human's head.
        const after = await git.commitFiles(loop.repo.gitDir, pr.head, { 'NOTES.md': 'a human note\n' }, 'human note');
        await loop.forge.afterPush(
          loop.repo,
          [{ ref: `refs/heads/${pr.head}`, before: agentHead, after }],
          loop.forge.state.tokens.get(loop.forge.token('maria')),
        );
      },
    });
    loop.forge.faults.push(push);
    await loop.runner.idle();
    await push.settled();
    expect(push.fired()).toBe(1);
    const mergeRuns = loop.runner.runs.filter((r) => r.outputs.transition === 'merge');
    expect(mergeRuns[0]!.outputs.outcome).toBe('skipped');
    // CI runs on the human's head; the PR merges at that head, never at the old one.
    const pr = pulls()[0]!;
    expect(pr.merged).toBe(true);
    expect(pr.headSha).not.toBe(agentHead);
    expect(merges().map((m) => (m.body as { sha: string }).sha)).toEqual([pr.headSha]);
  });

  it('a protected path in the diff → nothing pushed', async () => {
    loop = await startLoop({
      script: { code: { files: { '.github/workflows/ci.yml': 'name: CI\non: push\njobs: {}\n', 'src/add.js': FIXED } } },
    });
    const n = await openAndLabel('add() subtracts', 'loop/code');
    await loop.runner.idle();
    expect(pulls()).toEqual([]);
    expect(await git.revParse(loop.repo.gitDir, `refs/heads/agentloop/issue-${n}`)).toBeNull();
    expect(loop.labelsOf(n)).toEqual(['NeedSupervisor']);
  });
});
