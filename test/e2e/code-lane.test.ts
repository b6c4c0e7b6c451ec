// The code lane's transitions in-process on the embedded forge (real git, real pushes, scripted agent):
// code → PR → red CI → fix → green → merge, and each refusal and failure path.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { failOn, git, humanEdits } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportCi } from '../support/ci.js';
import { type Harness, openIssue, startHarness } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';

const AGENT = resolve('dist/scripted-agent.js');
const FIXED = 'export const add = (a, b) => a + b;\n';

let h: Harness;
let script: string;
beforeEach(async () => {
  h = await startHarness({ 'README.md': '# widget\n', 'src/add.js': 'export const add = (a, b) => a - b;\n' });
  script = join(h.shared, 'script.json');
  writeScript({
    code: { files: { 'src/add.js': 'export const add = (a, b) => a + b + 0;\n' }, summary: 'Make add() add.' },
    'fix-ci': [{ files: { 'src/add.js': FIXED }, summary: 'Drop the stray + 0.' }],
  });
});
afterEach(async () => {
  expect(h.forge.violations, 'requests GitHub would reject').toEqual([]);
  await h.stop();
});

function writeScript(s: unknown) {
  writeFileSync(script, JSON.stringify(s));
}

const inputs = (extra: Record<string, string> = {}) => ({ lane: 'code', 'agent-command': `node ${AGENT} ${script}`, ...extra });
const tick = (extra: Record<string, string> = {}, token?: string) =>
  tickInProcess(h, { inputs: inputs(extra), ...(token ? { token } : {}) });
const issueOf = (n: number) => h.repo.issues.find((i) => i.number === n)!;
const labelsOf = (n: number) => [...issueOf(n).labels].sort();
const statusOf = (n: number) => h.repo.comments.find((c) => c.issue === n && c.body.includes('<!-- agentloop:status -->'))?.body ?? '';
/** Invocations of the default scripted agent: one line each in `<script>.log`; no log means it never ran. */
const agentRuns = () => {
  try {
    execFileSync('test', ['-e', `${script}.log`]);
  } catch (err) {
    if ((err as { status?: number }).status === 1) return 0; // `test -e` says: no log file
    throw err;
  }
  return execFileSync('cat', [`${script}.log`], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean).length;
};

function labelIssue(n: number, label: string, by = 'maria') {
  issueOf(n).labels.push(label);
  h.repo.events.push({ id: h.forge.state.id(), issue: n, event: 'labeled', label, actor: by, createdAt: h.forge.state.now() });
}

function onlyPull() {
  const pulls = [...h.repo.pulls.values()];
  expect(pulls).toHaveLength(1);
  return pulls[0]!;
}

describe('code lane on the embedded forge', () => {
  it('issue → PR → red CI → fix → green → merged, with the labels and comments a maintainer sees', async () => {
    const issue = openIssue(h, 'add() subtracts', 'add(2, 2) returns 0.');
    labelIssue(issue.number, 'loop/code');

    const coded = await tick();
    expect(coded.decision.transition).toMatchObject({ kind: 'code', issue: issue.number });
    expect(coded.result?.outcome).toBe('done');
    expect(labelsOf(issue.number)).toEqual(['loop/code-ci-pending']);
    const pull = onlyPull();
    const firstHead = pull.headSha;
    expect(pull.head).toBe(`agentloop/issue-${issue.number}`);
    const prIssue = issueOf(pull.number);
    expect(prIssue.body).toMatch(new RegExp(`^Closes #${issue.number}`));
    expect(prIssue.body).toContain('Make add() add.');
    const commit = await git.commitInfo(h.repo.gitDir, pull.headSha);
    expect(commit?.authorName).toBe('agentloop');
    expect(commit?.message).toContain('Co-authored-by: maria');
    expect(await git.readFile(h.repo.gitDir, pull.headSha, 'src/add.js')).toContain('a + b + 0');
    expect(coded.chain?.dispatched).toBe(false); // not in a workflow: nothing to dispatch

    // CI is red on the head: the agent gets the log tail and pushes a fix.
    reportCi(h, firstHead, 'failure', { log: 'AssertionError: expected add(2, 2) to be 4, got 4.000001\n' });
    const fixed = await tick();
    expect(fixed.decision.transition).toMatchObject({ kind: 'fix-ci', attempt: 1, failing: ['test'] });
    expect(fixed.result?.outcome).toBe('done');
    const newHead = (await git.revParse(h.repo.gitDir, `refs/heads/${pull.head}`))!;
    expect(newHead).not.toBe(firstHead);
    expect(await git.readFile(h.repo.gitDir, newHead, 'src/add.js')).toBe(FIXED);
    expect(labelsOf(issue.number)).toEqual(['loop/code-ci-pending']);
    expect(statusOf(issue.number)).toMatch(/fix attempt 1 of 2/);

    // Nothing to do while CI runs on the new head.
    expect((await tick()).decision.transition.kind).toBe('none');

    reportCi(h, newHead, 'success');
    const green = await tick({ 'auto-merge': 'true' });
    expect(green.decision.transition).toMatchObject({ kind: 'ci-green', addMerge: true });
    expect(labelsOf(issue.number)).toEqual(['loop/code-done', 'loop/merge']);

    const merged = await tick({ 'auto-merge': 'true' });
    expect(merged.decision.transition).toMatchObject({ kind: 'merge', headSha: newHead });
    expect(merged.result?.outcome).toBe('done');
    expect(h.repo.pulls.get(pull.number)!.merged).toBe(true);
    expect(issueOf(issue.number).state).toBe('closed');
    expect(labelsOf(issue.number)).toEqual(['loop/merge-done']);
    expect(await git.revParse(h.repo.gitDir, `refs/heads/${pull.head}`)).toBeNull();
    expect(await git.readFile(h.repo.gitDir, 'main', 'src/add.js')).toBe(FIXED);
    expect(statusOf(issue.number)).toMatch(/- \[x\] Merged/);
    expect(agentRuns()).toBe(2);
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('a diff touching a protected path is refused and nothing is pushed', async () => {
    writeScript({ code: { files: { '.github/workflows/ci.yml': 'on: push\n', 'src/add.js': FIXED }, summary: 'x' } });
    const issue = openIssue(h, 'Sneaky', 'x');
    labelIssue(issue.number, 'loop/code');
    const r = await tick();
    expect(r.result?.outcome).toBe('failed');
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(issue.number)).toMatch(/protected paths.*\.github\/workflows\/ci\.yml/);
    expect(await git.revParse(h.repo.gitDir, `refs/heads/agentloop/issue-${issue.number}`)).toBeNull();
    expect(h.repo.pulls.size).toBe(0);
  });

  it('an empty diff → NeedSupervisor with the agent’s last message; a diff over max-diff-lines is refused', async () => {
    writeScript({ code: { files: {}, summary: 'I could not find the bug.' } });
    const a = openIssue(h, 'Vague', 'x');
    labelIssue(a.number, 'loop/code');
    await tick();
    expect(labelsOf(a.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(a.number)).toMatch(/changed no file[\s\S]*I could not find the bug/);

    writeScript({ code: { files: { 'big.txt': 'x\n'.repeat(50) }, summary: 'big' } });
    const b = openIssue(h, 'Big', 'x');
    labelIssue(b.number, 'loop/code');
    await tick({ 'max-diff-lines': '10' });
    expect(labelsOf(b.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(b.number)).toMatch(/50 changed lines, more than max-diff-lines \(10\)/);
    expect(h.repo.pulls.size).toBe(0);
  });

  it('red CI never fixed → NeedSupervisor after max-fix-attempts, with a summary of each attempt', async () => {
    writeScript({
      code: { files: { 'src/add.js': 'broken 1\n' } },
      'fix-ci': [
        { files: { 'src/add.js': 'broken 2\n' }, summary: 'try two' },
        { files: { 'src/add.js': 'broken 3\n' }, summary: 'try three' },
      ],
    });
    const issue = openIssue(h, 'Hard', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    for (let i = 0; i < 2; i++) {
      reportCi(h, onlyPull().headSha, 'failure');
      expect((await tick()).decision.transition).toMatchObject({ kind: 'fix-ci', attempt: i + 1 });
      h.repo.pulls.get(onlyPull().number)!.headSha = (await git.revParse(h.repo.gitDir, `refs/heads/${onlyPull().head}`))!;
    }
    reportCi(h, onlyPull().headSha, 'failure');
    const last = await tick();
    expect(last.decision.transition).toMatchObject({ kind: 'escalate' });
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor', 'loop/code-ci-pending']);
    expect(statusOf(issue.number)).toMatch(/fix attempt 1 .*try two/);
    expect(statusOf(issue.number)).toMatch(/fix attempt 2 .*try three/);
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('two issues labeled together → two PRs, one after the other (max-open-prs 1)', async () => {
    const a = openIssue(h, 'First', 'x');
    const b = openIssue(h, 'Second', 'y');
    labelIssue(a.number, 'loop/code');
    labelIssue(b.number, 'loop/code');
    writeScript({ code: { files: { 'a.txt': 'a\n' }, summary: 'a' } });
    expect((await tick()).decision.transition).toMatchObject({ kind: 'code', issue: a.number });
    const waiting = await tick();
    expect(waiting.decision.transition.kind).toBe('none');
    expect(waiting.decision.notes.join()).toMatch(/max-open-prs/);
    reportCi(h, onlyPull().headSha, 'success');
    labelIssue(a.number, 'loop/merge');
    await tick(); // merge a
    writeScript({ code: { files: { 'b.txt': 'b\n' }, summary: 'b' } });
    expect((await tick()).decision.transition).toMatchObject({ kind: 'code', issue: b.number });
    expect([...h.repo.pulls.values()].map((p) => p.head)).toEqual([`agentloop/issue-${a.number}`, `agentloop/issue-${b.number}`]);
  });

  it('a 5xx on the merge call → NeedSupervisor and exactly one merge request, never two', async () => {
    const issue = openIssue(h, 'Merge me', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    reportCi(h, onlyPull().headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    h.forge.faults.push(failOn({ method: 'PUT', path: /\/pulls\/\d+\/merge$/, status: 502 }));
    const r = await tick();
    expect(r.decision.transition.kind).toBe('merge');
    expect(r.result?.outcome).toBe('failed');
    expect(h.forge.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/merge'))).toHaveLength(1);
    expect(onlyPull().merged).toBe(false);
    expect(labelsOf(issue.number)).toContain('NeedSupervisor');
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('do-not-merge blocks merging; mergeable: null waits; a head pushed after the decision is not merged', async () => {
    const issue = openIssue(h, 'Careful', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    reportCi(h, pull.headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    labelIssue(issue.number, 'do-not-merge');
    expect((await tick()).decision.transition.kind).toBe('ci-green');
    expect((await tick()).decision.transition.kind).toBe('none');
    issueOf(issue.number).labels = issueOf(issue.number).labels.filter((l) => l !== 'do-not-merge');

    h.forge.mergeableUnknownFor(h.repo, pull.number, 1);
    const waiting = await tick();
    expect(waiting.decision.transition.kind).toBe('none');
    expect(waiting.decision.notes.join()).toMatch(/mergeability not computed/);

    // A human pushes between the decision (the snapshot) and the merge call.
    const claimed = () =>
      h.forge.requests.some((q) => q.method === 'POST' && JSON.stringify(q.body ?? '').includes('loop/merge-in-process'));
    const push = humanEdits({
      when: (req) => req.method === 'GET' && req.path.endsWith(`/pulls/${pull.number}`) && claimed(),
      edit: async () => {
        await git.commitFiles(h.repo.gitDir, pull.head, { 'human.txt': 'hi\n' }, 'human fix');
        await h.forge.refreshPullHeads(h.repo);
      },
    });
    h.forge.faults.push(push);
    const moved = await tick();
    await push.settled();
    expect(push.fired()).toBe(1);
    expect(moved.decision.transition.kind).toBe('merge');
    expect(moved.result?.outcome).toBe('skipped');
    expect(moved.result?.message).toMatch(/moved/);
    expect(h.forge.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/merge'))).toHaveLength(0);
    expect(labelsOf(issue.number)).not.toContain('loop/merge-in-process');
    expect(onlyPull().merged).toBe(false);
  });

  it('a conflicting commit lands on main while the PR waits → rebase (agent resolves) → CI → merge', async () => {
    writeScript({ code: { files: { 'src/add.js': FIXED }, summary: 'fix' }, rebase: { resolve: 'theirs', summary: 'kept the PR side' } });
    const issue = openIssue(h, 'Conflict', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    reportCi(h, pull.headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    await git.commitFiles(h.repo.gitDir, 'main', { 'src/add.js': 'export const add = (a, b) => b - a;\n' }, 'someone else edits add.js');

    const r = await tick();
    expect(r.decision.transition).toMatchObject({ kind: 'rebase', mode: 'git-rebase' });
    expect(r.result?.outcome, JSON.stringify(r.result)).toBe('done');
    const head = (await git.revParse(h.repo.gitDir, `refs/heads/${pull.head}`))!;
    const main = (await git.revParse(h.repo.gitDir, 'refs/heads/main'))!;
    expect((await git.compareCommits(h.repo.gitDir, main, head)).behindBy).toBe(0);
    expect(onlyPull().merged).toBe(false); // never rebase and merge in the same run
    expect((await tick()).decision.transition.kind).toBe('none'); // CI has not run on the new head

    reportCi(h, head, 'success');
    const merged = await tick();
    expect(merged.decision.transition).toMatchObject({ kind: 'merge', headSha: head });
    expect(onlyPull().merged).toBe(true);
  });

  it('a PR behind main under a strict branch rule is updated with the forge API, then merged', async () => {
    const issue = openIssue(h, 'Behind', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    reportCi(h, pull.headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    h.forge.strictBranches.add('acme/widget');
    await git.commitFiles(h.repo.gitDir, 'main', { 'other.txt': 'unrelated\n' }, 'unrelated change');
    const r = await tick();
    expect(r.decision.transition).toMatchObject({ kind: 'rebase', mode: 'update-branch' });
    expect(h.forge.requests.some((q) => q.method === 'PUT' && q.path.endsWith('/update-branch'))).toBe(true);
    await h.forge.refreshPullHeads(h.repo);
    reportCi(h, onlyPull().headSha, 'success');
    expect((await tick()).decision.transition.kind).toBe('merge');
    expect(onlyPull().merged).toBe(true);
  });

  it('a rebase whose resolution drops the whole change escalates instead of pushing an empty branch', async () => {
    writeScript({ code: { files: { 'src/add.js': FIXED }, summary: 'fix' }, rebase: { resolve: 'ours' } });
    const issue = openIssue(h, 'Dropped', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    const before = onlyPull().headSha;
    reportCi(h, before, 'success');
    labelIssue(issue.number, 'loop/merge');
    await git.commitFiles(h.repo.gitDir, 'main', { 'src/add.js': 'export const add = (a, b) => b - a;\n' }, 'conflict');
    const r = await tick();
    expect(r.result?.outcome).toBe('failed');
    expect(statusOf(issue.number)).toMatch(/changes nothing relative to main/);
    expect(await git.revParse(h.repo.gitDir, `refs/heads/${onlyPull().head}`)).toBe(before);
  });

  it('no CI on the PR head after ci-timeout-minutes → one comment explaining the default token, then quiet', async () => {
    const issue = openIssue(h, 'Quiet CI', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    const late = () => tickInProcess(h, { inputs: inputs(), config: { ciTimeoutMinutes: 0 } });
    const r = await late();
    expect(r.decision.transition).toMatchObject({ kind: 'ci-missing', pull: pull.number });
    const explained = h.repo.comments.filter((c) => c.issue === pull.number && /start no workflow runs/.test(c.body));
    expect(explained).toHaveLength(1);
    expect(explained[0]!.body).toMatch(/AGENTLOOP_TOKEN/);
    expect((await late()).decision.transition.kind).toBe('none');
    expect(h.repo.comments.filter((c) => c.issue === pull.number && /start no workflow runs/.test(c.body))).toHaveLength(1);
  });

  it('dry-run: the code lane decides and stops where the agent would run; nothing is written or pushed', async () => {
    const issue = openIssue(h, 'Dry', 'x');
    labelIssue(issue.number, 'loop/code');
    const r = await tick({ 'dry-run': 'true' });
    expect(r.decision.transition.kind).toBe('code');
    expect(r.result?.outcome).toBe('skipped');
    expect(h.forge.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(labelsOf(issue.number)).toEqual(['loop/code']);
    expect(agentRuns()).toBe(0);
    expect(await git.revParse(h.repo.gitDir, `refs/heads/agentloop/issue-${issue.number}`)).toBeNull();
  });

  it('routing: an issue labeled security goes to the routed agent with the prompt appendix', async () => {
    const routed = join(h.shared, 'routed.json');
    writeFileSync(routed, JSON.stringify({ code: { files: { 'SECURITY.md': 'fixed\n' }, summary: 'routed' } }));
    await git.commitFiles(
      h.repo.gitDir,
      'main',
      {
        '.github/agentloop.yml': `routes:\n  - labels: [security]\n    agent-command: node ${AGENT} ${routed}\n    appendix: "Treat this as a security fix: add a regression test."\n`,
      },
      'route security issues',
    );
    const issue = openIssue(h, 'XSS in the form', 'x');
    labelIssue(issue.number, 'security');
    labelIssue(issue.number, 'loop/code');
    const r = await tick();
    expect(r.result?.outcome).toBe('done');
    expect(agentRuns()).toBe(0); // the default agent did not run
    const lines = execFileSync('cat', [`${routed}.log`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { transition: string; prompt: string });
    expect(lines.map((l) => l.transition)).toEqual(['code']);
    expect(lines[0]!.prompt).toContain('Treat this as a security fix: add a regression test.');
  });

  it('405 "Base branch was modified" is retried with backoff and merges; other refusals wait for a new head', async () => {
    const issue = openIssue(h, 'Busy main', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    reportCi(h, onlyPull().headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    const moved = failOn({
      method: 'PUT',
      path: /\/merge$/,
      status: 405,
      message: 'Base branch was modified. Review and try the merge again.',
    });
    h.forge.faults.push(moved);
    const r = await tick();
    expect(r.result?.outcome).toBe('done');
    expect(h.forge.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/merge')).map((q) => q.status)).toEqual([405, 200]);
    expect(onlyPull().merged).toBe(true);
  });

  it('a merge the forge refuses (405 not mergeable) is not retried until the head changes', async () => {
    const issue = openIssue(h, 'Needs review', 'x');
    labelIssue(issue.number, 'loop/code');
    await tick();
    reportCi(h, onlyPull().headSha, 'success');
    labelIssue(issue.number, 'loop/merge');
    h.forge.faults.push(
      failOn({ method: 'PUT', path: /\/merge$/, status: 405, message: 'At least 1 approving review is required.', times: 5 }),
    );
    const r = await tick();
    expect(r.result?.outcome).toBe('skipped');
    expect(statusOf(issue.number)).toMatch(/approving review/);
    const again = await tick();
    expect(again.decision.transition.kind).toBe('none');
    expect(again.decision.notes.join()).toMatch(/refused to merge/);
    expect(h.forge.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/merge'))).toHaveLength(1);
  });
});
