// The code lane's merge in-process on the embedded forge, once per forge: the merge call and its
// failures, what blocks or delays a merge, and bringing a PR up to date with main (an agent rebase on
// a conflict; GitHub's update-branch under a strict branch rule). Setup: test/support/code-lane.ts.
import { failOn, git, humanEdits } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { FIXED, useCodeLane } from '../support/code-lane.js';
import { type Flavor, labelNames, openIssue } from '../support/harness.js';

describe.each<Flavor>(['github', 'forgejo'])('code lane merges on %s', (flavor) => {
  const lane = useCodeLane(flavor);
  const { tick, labelsOf, statusOf, label, onlyPull } = lane;
  /** A merge call the forge answers with `status` (and `message`) instead of merging. */
  const failMerge = (status: number, message?: string, times?: number) =>
    lane.h.forge.faults.push(
      failOn({ method: lane.mergeMethod, path: lane.mergePath, status, ...(message ? { message } : {}), ...(times ? { times } : {}) }),
    );

  /** An issue coded into a PR whose head CI reported green on, labeled loop/merge. */
  async function greenPr(title: string) {
    const issue = openIssue(lane.h, title, 'x');
    await label(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    lane.ci(pull.headSha, 'success');
    await label(issue.number, 'loop/merge');
    return { issue, pull };
  }

  it('a 5xx on the merge call → NeedSupervisor and exactly one merge request, never two', async () => {
    const { issue } = await greenPr('Merge me');
    failMerge(502);
    const r = await tick();
    expect(r.decision.transition.kind).toBe('merge');
    expect(r.result?.outcome).toBe('failed');
    expect(lane.merges().map((q) => q.status)).toEqual([502]);
    expect(onlyPull().merged).toBe(false);
    expect(labelsOf(issue.number)).toContain('NeedSupervisor');
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('do-not-merge blocks merging; mergeability still being computed is no conflict; a head pushed after the decision is not merged', async () => {
    const { h } = lane;
    const issue = openIssue(h, 'Careful', 'x');
    await label(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    lane.ci(pull.headSha, 'success');
    await label(issue.number, 'loop/merge');
    await label(issue.number, 'do-not-merge');
    expect((await tick()).decision.transition.kind).toBe('ci-green');
    expect((await tick()).decision.transition.kind).toBe('none');
    await lane.unlabel(issue.number, 'do-not-merge');

    const from = h.forge.requests.length;
    if (flavor === 'github') {
      // GitHub answers mergeable: null while it computes: the run waits and asks again.
      h.forge.mergeableUnknownFor(h.repo, pull.number, 1);
      const waiting = await tick();
      expect(waiting.decision.transition.kind).toBe('none');
      expect(waiting.decision.notes.join()).toMatch(/mergeability not computed/);
    } else {
      // Forgejo answers mergeable: false while it checks (here: the list and two reads of the PR). The
      // adapter reads again before calling it a conflict; mergeable on its last read, the PR goes to the
      // merge below, never to the agent as a conflict.
      h.forge.mergeableUnknownFor(h.repo, pull.number, 3);
    }

    // A human pushes between the decision (the snapshot) and the merge call.
    const claimed = () => labelNames(h, issue.number).includes('loop/merge-in-process');
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
    if (flavor === 'forgejo') {
      const reads = h.forge.requests.slice(from).filter((q) => q.method === 'GET' && q.path.endsWith(`/pulls/${pull.number}`));
      expect(reads.length, 'the decision read the PR three times, the merge once').toBe(4);
      expect(lane.agentLog().map((l) => l.transition)).toEqual(['code']);
    }
    expect(moved.result?.outcome).toBe('skipped');
    expect(moved.result?.message).toMatch(/moved/);
    expect(lane.merges()).toHaveLength(0);
    expect(labelsOf(issue.number)).not.toContain('loop/merge-in-process');
    expect(onlyPull().merged).toBe(false);
  });

  it('a conflicting commit lands on main while the PR waits → rebase (agent resolves) → CI → merge', async () => {
    const { h } = lane;
    lane.writeScript({
      code: { files: { 'src/add.js': FIXED }, summary: 'fix' },
      rebase: { resolve: 'theirs', summary: 'kept the PR side' },
    });
    const { pull } = await greenPr('Conflict');
    await git.commitFiles(h.repo.gitDir, 'main', { 'src/add.js': 'export const add = (a, b) => b - a;\n' }, 'someone else edits add.js');

    const r = await tick();
    expect(r.decision.transition).toMatchObject({ kind: 'rebase', mode: 'git-rebase' });
    expect(r.result?.outcome, JSON.stringify(r.result)).toBe('done');
    const head = (await lane.headOf(pull.head))!;
    const main = (await lane.headOf('main'))!;
    expect((await git.compareCommits(h.repo.gitDir, main, head)).behindBy).toBe(0);
    expect(onlyPull().merged).toBe(false); // never rebase and merge in the same run
    expect((await tick()).decision.transition.kind).toBe('none'); // CI has not run on the new head

    lane.ci(head, 'success');
    const merged = await tick();
    expect(merged.decision.transition).toMatchObject({ kind: 'merge', headSha: head });
    expect(onlyPull().merged).toBe(true);
  });

  // GitHub only: Forgejo's PR answer has no `mergeable_state`, so agentloop cannot see "behind" there and
  // never asks Forgejo to update a branch before merging (docs/forgejo.md: behind/blocked cannot be seen).
  if (flavor === 'github')
    it('a PR behind main under a strict branch rule is updated with the forge API, then merged', async () => {
      const { h } = lane;
      await greenPr('Behind');
      h.forge.strictBranches.add('acme/widget');
      await git.commitFiles(h.repo.gitDir, 'main', { 'other.txt': 'unrelated\n' }, 'unrelated change');
      const r = await tick();
      expect(r.decision.transition).toMatchObject({ kind: 'rebase', mode: 'update-branch' });
      expect(h.forge.requests.some((q) => q.method === 'PUT' && q.path.endsWith('/update-branch'))).toBe(true);
      await h.forge.refreshPullHeads(h.repo);
      lane.ci(onlyPull().headSha, 'success');
      expect((await tick()).decision.transition.kind).toBe('merge');
      expect(onlyPull().merged).toBe(true);
    });

  it('a rebase whose resolution drops the whole change escalates instead of pushing an empty branch', async () => {
    lane.writeScript({ code: { files: { 'src/add.js': FIXED }, summary: 'fix' }, rebase: { resolve: 'ours' } });
    const { issue, pull } = await greenPr('Dropped');
    const before = pull.headSha;
    await git.commitFiles(lane.h.repo.gitDir, 'main', { 'src/add.js': 'export const add = (a, b) => b - a;\n' }, 'conflict');
    const r = await tick();
    expect(r.result?.outcome).toBe('failed');
    expect(statusOf(issue.number)).toMatch(/changes nothing relative to main/);
    expect(await lane.headOf(onlyPull().head)).toBe(before);
  });

  // GitHub only: 405 "Base branch was modified" is GitHub's answer to a base that moved under the merge.
  // Forgejo answers that with 409 ("merge push out of date"), handled like a moved head (next test).
  if (flavor === 'github')
    it('405 "Base branch was modified" is retried with backoff and merges', async () => {
      await greenPr('Busy main');
      failMerge(405, 'Base branch was modified. Review and try the merge again.');
      const r = await tick();
      expect(r.result?.outcome).toBe('done');
      expect(lane.merges().map((q) => q.status)).toEqual([405, 200]);
      expect(onlyPull().merged).toBe(true);
    });

  it('a head that moved under the merge call (409) is left for the next run to decide on, not retried', async () => {
    const { issue } = await greenPr('Moving head');
    failMerge(409, flavor === 'github' ? 'Head branch was modified. Review and try the merge again.' : 'head out of date');
    const labels = labelsOf(issue.number);
    const r = await tick();
    expect(r.result?.outcome).toBe('skipped');
    expect(r.result?.message).toMatch(/moved during the merge \(409\)/);
    expect(lane.merges().map((q) => q.status)).toEqual([409]);
    expect(labelsOf(issue.number)).toEqual(labels); // released, not blocked: no NeedSupervisor
    // Nothing really moved here: the next run merges the same head.
    expect((await tick()).decision.transition.kind).toBe('merge');
    expect(onlyPull().merged).toBe(true);
  });

  it('a merge the forge refuses (405 not mergeable) is not retried until the head changes', async () => {
    const { issue } = await greenPr('Needs review');
    // Each forge's words for a branch rule that wants an approving review.
    const refusal =
      flavor === 'github' ? 'At least 1 approving review is required.' : 'not allowed to merge [reason: Does not have enough approvals]';
    failMerge(405, refusal, 5);
    const r = await tick();
    expect(r.result?.outcome).toBe('skipped');
    expect(statusOf(issue.number)).toContain(refusal);
    const again = await tick();
    expect(again.decision.transition.kind).toBe('none');
    expect(again.decision.notes.join()).toMatch(/refused to merge/);
    expect(lane.merges()).toHaveLength(1);
  });
});
