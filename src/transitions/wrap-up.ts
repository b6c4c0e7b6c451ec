// wrap-up: a person finished an agentloop PR's story around agentloop (core/decide/wrap-up.ts). Labels,
// words, and the PR and branch agentloop owns; no agent. Each step is idempotent, so a run killed half-way
// is finished by the next one (the stage labels come off last but for the status comment).
//   pull-merged:  done — loop/merge-done, the issue closed, the branch deleted.
//   pull-closed:  the person said no — the stage labels come off and the branch is deleted (the PR page
//                 restores it; then reopening the PR lets agentloop carry it on).
//   issue-closed: the request is gone — agentloop closes its PR (saying why, once) and deletes the branch.
import { loopBranch } from '../core/branches.js';
import type { Transition } from '../core/transition.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { codeSteps, released } from './claim.js';
import type { TransitionResult } from './result.js';

type WrapUpTransition = Extract<Transition, { kind: 'wrap-up' }>;

/** Marks agentloop's one comment on a PR it closed because its issue was closed. */
export const CLOSED_WITH_ISSUE_MARKER = '<!-- agentloop:closed-with-issue -->';

export async function wrapUp(rc: RunContext, t: WrapUpTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const item = cs.items.get(t.issue)!;
  const before = item.data.labels;
  const branch = loopBranch(t.issue);
  const stage = [names.codeCiPending, names.codeDone, names.merge];
  const issueOpen = item.data.state === 'open';
  const state = (note: string) => released(rc, item.status.state, 'wrap-up', note);

  if (t.cause === 'closed-unrecorded') {
    const labels = await rc.labels.apply(t.issue, before, { add: [], remove: stage });
    const message = `This issue was closed; agentloop's work on it is over (the PR it opened was not on record, so it was left as it is).`;
    await item.status.write({ title: 'stopped', steps: codeSteps(3, true), message }, state(t.cause));
    return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `#${t.issue} was closed` };
  }
  if (t.cause === 'pull-merged') {
    // Branch and close first, the stage labels last: what finds this issue again is a stage label. With the
    // labels first, a run stopped after they came off (a kill, a 5xx on Forgejo, which retries no write)
    // left an open issue marked merged that nothing would close (the soak found it: docs/invariants.md).
    await rc.forge.deleteBranch(branch);
    if (issueOpen) await rc.forge.closeIssue(t.issue);
    const labels = await rc.labels.apply(t.issue, before, { add: [names.mergeDone], remove: stage });
    const by = t.by ? ` by \`${t.by}\`` : '';
    await item.status.write(
      { title: 'merged', steps: codeSteps(5), message: `PR #${t.pull} was merged${by}; agentloop's work on this issue is done.` },
      state('merged by a person'),
    );
    return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `PR #${t.pull} was merged${by}` };
  }

  if (t.cause === 'issue-closed') {
    const pr = cs.items.get(t.pull);
    const said = pr?.comments.some((c) => c.body.includes(CLOSED_WITH_ISSUE_MARKER) && rc.trust.ownComment('status', c.author));
    if (!said)
      await rc.forge.createComment(
        t.pull,
        `${CLOSED_WITH_ISSUE_MARKER}\n#${t.issue} was closed, so agentloop closed this pull request and deleted its branch \`${branch}\` (the commits stay on this page; "Restore branch" brings it back). To have agentloop work on the issue again, reopen #${t.issue} and apply \`${names.code}\`.`,
      );
    await rc.forge.closeIssue(t.pull);
  }
  // The branch of a closed PR goes too: nothing would ever delete it later, and the PR page restores it.
  await rc.forge.deleteBranch(branch);
  const labels = await rc.labels.apply(t.issue, before, { add: [], remove: stage });
  const message =
    t.cause === 'issue-closed'
      ? `This issue was closed while PR #${t.pull} was open: agentloop closed the PR and deleted its branch. To start again, reopen the issue and apply \`${names.code}\`.`
      : `PR #${t.pull} was closed without merging; agentloop stopped working on this issue and deleted the branch (the PR page restores it). To start over with a new PR, apply \`${names.code}\` again.`;
  await item.status.write({ title: 'stopped', steps: codeSteps(3, true), message }, state(t.cause));
  return {
    outcome: 'done',
    item: t.issue,
    labelsBefore: before,
    labelsAfter: labels,
    message: t.cause === 'issue-closed' ? `closed PR #${t.pull}: #${t.issue} was closed` : `PR #${t.pull} was closed without merging`,
  };
}
