// merge (DESIGN §3): with the head SHA pinned. mergeable null → later; any error → re-read the PR and
// treat merged: true as success; 405 "Base branch was modified" → retried with backoff; 409 → the head
// moved, re-decide next run; 5xx → NeedSupervisor, never a blind retry.

import { issueOfBranch } from '../core/branches.js';
import type { PullData } from '../core/model.js';
import { outcomeOf } from '../core/outcomes.js';
import type { Transition } from '../core/transition.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { Claim, codeSteps } from './claim.js';
import type { TransitionResult } from './result.js';
import { notWantedAnyMore } from './still-wanted.js';

type MergeTransition = Extract<Transition, { kind: 'merge' }>;

/** Waits between merge attempts after 405 "Base branch was modified" (ms). */
export const BASE_MODIFIED_BACKOFF = [1000, 3000];

export async function merge(
  rc: RunContext,
  t: MergeTransition,
  cs: CodeSnapshot,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('merge', names);
  const target = t.issue ?? t.pull;
  const item = cs.items.get(target)!;
  const claim = await Claim.take(
    rc,
    { transition: 'merge', lane: 'code', item, outcome, errorTitle: 'merge failed' },
    { title: 'merging', steps: codeSteps(4), message: `Merging PR #${t.pull} at ${t.headSha.slice(0, 7)}.` },
  );

  const release = (message: string, blocked = false) =>
    claim.release(
      { title: 'waiting to merge', steps: codeSteps(4), message },
      { message, ...(blocked ? { state: { mergeBlockedSha: t.headSha } } : {}) },
    );
  const merged = async (pr: PullData): Promise<TransitionResult> => {
    rc.steps.reached('merged');
    if (issueOfBranch(pr.headRef) !== undefined) await rc.forge.deleteBranch(pr.headRef).catch(() => undefined);
    // The issue is closed before the bookkeeping, not after it: a run killed (or failing) once its labels
    // said loop/merge-done but before the close left an open issue that nothing ever closed — no stage label
    // for the code lane to wrap up, no claim for the sweep (the soak found it: docs/invariants.md). Now a
    // run stopped before the close leaves its claim (the sweep requeues it, the code lane wraps up the
    // merged PR), and one stopped after it leaves a closed issue, out of the loop.
    if (t.issue !== undefined && t.issue !== t.pull) await rc.forge.closeIssue(t.issue);
    rc.steps.reached('issue-closed');
    return claim.done(
      { title: 'merged', steps: codeSteps(5), message: `PR #${t.pull} was merged (${rc.config.mergeMethod}) at ${t.headSha.slice(0, 7)}.` },
      { message: `merged PR #${t.pull}`, note: 'merged', links: [{ label: 'pull request', url: pr.htmlUrl }] },
    );
  };

  return claim.run(async () => {
    let pr = await rc.forge.getPull(t.pull);
    if (pr.merged) return merged(pr);
    if (pr.headSha !== t.headSha)
      return release(`The head of PR #${t.pull} moved to ${pr.headSha.slice(0, 7)} after the decision; the next run decides on it.`);
    if (pr.mergeable === null)
      return release(`The forge has not computed whether PR #${t.pull} can merge yet; asking again on the next run.`);
    // People act between the decision and the merge: NeedSupervisor or do-not-merge added (on the PR or
    // its issue), the issue closed, the merge request taken back. Read once more, right before the call;
    // what a person does after this read, the forge's merge cannot know — the window is this one request.
    const gone = await notWantedAnyMore(rc, target, {
      stops: [names.needSupervisor, names.doNotMerge],
      watch: [names.merge, names.automerge],
      alsoLabels: target === t.pull ? [] : pr.labels,
    });
    if (gone) return release(`Not merged: ${gone} after agentloop decided to merge PR #${t.pull}.`);
    rc.steps.reached('before-merge');
    for (let attempt = 0; ; attempt++) {
      const result = await rc.forge.mergePull(t.pull, t.headSha, t.method);
      if (result.merged) return merged(await rc.forge.getPull(t.pull));
      pr = await rc.forge.getPull(t.pull); // the call may have merged even though it reported an error
      if (pr.merged) return merged(pr);
      if (result.status === 405 && /base branch was modified/i.test(result.message) && attempt < BASE_MODIFIED_BACKOFF.length) {
        await sleep(BASE_MODIFIED_BACKOFF[attempt]!);
        continue;
      }
      if (result.status === 409)
        return release(`The head of PR #${t.pull} moved during the merge (409); the next run decides on the new head.`);
      if (result.status >= 500 || result.status === 0) {
        const todo = `check PR #${t.pull} and merge it yourself, or remove \`${names.needSupervisor}\` to let agentloop try again`;
        const failed = `The merge call failed with HTTP ${result.status} and PR #${t.pull} is not merged.`;
        const message = `${failed} agentloop does not retry a failed merge blindly: ${todo}.`;
        return claim.fail(
          { title: 'merge failed', steps: codeSteps(4, true), message },
          { message: failed, note: `HTTP ${result.status}`, todo },
        );
      }
      return release(
        `The forge refused to merge PR #${t.pull} (${result.status}: ${result.message}). agentloop tries again when the PR's head changes.`,
        true,
      );
    }
  });
}
