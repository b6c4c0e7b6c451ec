// What GitHub does on day one to the code lane, on the embedded forge (which enforces GitHub's token and
// branch rules: docs/embedded-forge.md). A fine-grained PAT cannot hold Checks, so check runs answer 403
// and CI is read from the head's Actions jobs; without Workflows, update-branch refuses to bring a base's
// workflow change into the PR — agentloop escalates and says exactly what to grant. A PR that a branch
// rule keeps `blocked` is waited out for stuck-after-minutes, then explained and escalated.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportCi } from '../support/ci.js';
import { type Harness, openIssue, startHarness } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';

const AGENT = resolve('dist/scripted-agent.js');

let h: Harness;
let script: string;
let pat: string;
beforeEach(async () => {
  h = await startHarness({ 'README.md': '# widget\n', 'src/add.js': 'export const add = (a, b) => a - b;\n' });
  script = join(h.shared, 'script.json');
  writeFileSync(
    script,
    JSON.stringify({ code: { files: { 'src/add.js': 'export const add = (a, b) => a + b;\n' }, summary: 'Make add() add.' } }),
  );
  h.forge.addCollaborator(h.repo, 'agentloop-bot', 'write');
  // What README: Tokens asks of a fine-grained PAT; GitHub offers such a token no Checks permission at all.
  pat = h.forge.fineGrainedToken('agentloop-bot', {
    contents: 'write',
    pull_requests: 'write',
    issues: 'write',
    actions: 'write',
    statuses: 'read',
  });
});
afterEach(async () => {
  expect(h.forge.violations, 'requests GitHub would reject').toEqual([]);
  await h.stop();
});

const inputs = () => ({ lane: 'code', 'agent-command': `node ${AGENT} ${script}` });
const tick = () => tickInProcess(h, { token: pat, inputs: inputs() });
const issueOf = (n: number) => h.repo.issues.find((i) => i.number === n)!;
const statusOf = (n: number) => h.repo.comments.find((c) => c.issue === n && c.body.includes('<!-- agentloop:status -->'))?.body ?? '';
function labelIssue(n: number, label: string) {
  issueOf(n).labels.push(label);
  h.repo.events.push({ id: h.forge.state.id(), issue: n, event: 'labeled', label, actor: 'maria', createdAt: h.forge.state.now() });
}

describe('a code lane on a fine-grained PAT', () => {
  it('reads CI without check runs, and escalates an update-branch GitHub refuses for the workflows permission', async () => {
    const issue = openIssue(h, 'Fix add', 'add() subtracts');
    labelIssue(issue.number, 'loop/code');
    expect((await tick()).result?.outcome).toBe('done');
    const pull = [...h.repo.pulls.values()][0]!;

    // CI reports on the head as GitHub Actions does (a run, its job, a check run the PAT may not read).
    reportCi(h, pull.headSha, 'success');
    const green = await tick();
    expect(green.decision.transition).toMatchObject({ kind: 'ci-green', pull: pull.number });
    expect(h.forge.requests.some((q) => q.path.endsWith('/check-runs') && q.status === 403)).toBe(true);
    expect(statusOf(issue.number)).toMatch(/may not read check runs[\s\S]*Checks: read/);

    // The base changes a workflow file; the branch rule wants the PR up to date before it merges.
    labelIssue(issue.number, 'loop/merge');
    h.forge.strictBranches.add('acme/widget');
    await git.commitFiles(h.repo.gitDir, 'main', { '.github/workflows/ci.yml': 'name: CI\non: [pull_request]\njobs: {}\n' }, 'CI workflow');
    const r = await tick();
    expect(r.decision.transition).toMatchObject({ kind: 'rebase', mode: 'update-branch' });
    expect(r.result?.outcome).toBe('failed');
    expect(issueOf(issue.number).labels).toContain('NeedSupervisor');
    const status = statusOf(issue.number);
    expect(status).toContain('`.github/workflows/ci.yml`');
    expect(status).toMatch(/Workflows: Read and write/);
    expect(status).toMatch(/`workflow` scope/);
    await h.forge.refreshPullHeads(h.repo);
    expect([...h.repo.pulls.values()][0]!.headSha).toBe(pull.headSha);
    expect([...h.repo.pulls.values()][0]!.merged).toBe(false);
  });
});

describe('a green PR that a branch rule keeps blocked', () => {
  it('waits for stuck-after-minutes, then explains on the PR and the issue and escalates; never merges', async () => {
    const tickAs = (stuckAfterMinutes: number) => tickInProcess(h, { inputs: inputs(), config: { stuckAfterMinutes } });
    const issue = openIssue(h, 'Fix add', 'add() subtracts');
    labelIssue(issue.number, 'loop/code');
    await tickAs(90);
    const pull = [...h.repo.pulls.values()][0]!;
    reportCi(h, pull.headSha, 'success');
    await tickAs(90); // ci-green
    labelIssue(issue.number, 'loop/merge');
    h.forge.reviewRequired.add('acme/widget'); // branch protection: an approving review is required

    const waiting = await tickAs(90);
    expect(waiting.decision.transition.kind).toBe('none');
    expect(waiting.decision.notes.join('\n')).toMatch(/blocked by a branch rule.*NeedSupervisor after 90 minutes/);

    // The same PR once stuck-after-minutes have passed (0 here, rather than waiting an hour and a half).
    const r = await tickAs(0);
    expect(r.decision.transition).toMatchObject({ kind: 'escalate', item: issue.number, pull: pull.number, cause: 'merge-blocked' });
    expect(issueOf(issue.number).labels).toContain('NeedSupervisor');
    const onPull = h.repo.comments.filter((c) => c.issue === pull.number).map((c) => c.body);
    expect(onPull.join('\n')).toMatch(/\*\*blocked\*\*[\s\S]*approving review/);
    expect(statusOf(issue.number)).toMatch(/approving review/);
    expect(h.forge.requests.filter((q) => q.method === 'PUT' && q.path.endsWith('/merge'))).toHaveLength(0);
    expect((await tickAs(0)).decision.transition.kind).toBe('none'); // said once: NeedSupervisor holds it
  });
});
