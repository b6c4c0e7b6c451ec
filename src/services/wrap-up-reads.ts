// Reads that notice people finished an agentloop PR around agentloop (core/decide/wrap-up.ts): for the
// sweep, closed issues that still carry a PR stage label (a person merged the PR — "Closes #N" then closes
// the issue — or closed the issue or the PR; two list requests); for the code lane, the PR a staged
// issue's status records when no agentloop PR is open for it (one read per such issue, rare).
import { STAGE_KEYS } from '../core/decide/wrap-up.js';
import { hasLabel } from '../core/labels.js';
import type { IssueData, PullData } from '../core/model.js';
import type { PullSnapshot } from '../core/snapshot.js';
import { emptyState } from '../core/status-comment.js';
import type { RunContext } from './context.js';
import type { LoadedItem } from './item-loader.js';

/**
 * Closed issues (not PRs) carrying a stage label. `wrapUp`: those the code lane would wrap up. One held
 * by NeedSupervisor or a claim (decide/wrap-up.ts holds those) is left out of it: the sweep names the
 * first issue found when it dispatches the code lane, and a held one named first starved every other
 * wrap-up behind it, run after run (the soak found an open issue never wrapped up: docs/invariants.md).
 * `claimed`: those a run's claim still holds — a merge run stopped after it closed the issue leaves one;
 * the sweep repairs the claim like an open item's, and the wrap-up follows.
 */
export async function closedInFlight(rc: RunContext): Promise<{ wrapUp: Map<number, IssueData>; claimed: IssueData[] }> {
  const names = rc.config.labelNames;
  const claims = [names.planInProcess, names.codeInProcess, names.mergeInProcess];
  const wrapUp = new Map<number, IssueData>();
  const claimed = new Map<number, IssueData>();
  for (const key of STAGE_KEYS)
    for (const issue of await rc.forge.listClosedIssuesWithLabel(names[key])) {
      if (issue.isPull) continue;
      const byClaim = claims.some((l) => hasLabel(issue.labels, l));
      if (byClaim && !hasLabel(issue.labels, names.needSupervisor)) claimed.set(issue.number, issue);
      else if (!byClaim && !hasLabel(issue.labels, names.needSupervisor)) wrapUp.set(issue.number, issue);
    }
  return { wrapUp, claimed: [...claimed.values()] };
}

/** A PR that is no longer open, as the decision needs it (no CI: nothing is decided on its head). */
export function closedPullSnapshot(pull: PullData): PullSnapshot {
  return {
    number: pull.number,
    isPull: true,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    labels: pull.labels,
    createdAt: pull.createdAt,
    triggers: {},
    loop: emptyState(),
    draft: pull.draft,
    merged: pull.merged,
    headRef: pull.headRef,
    headSha: pull.headSha,
    sameRepo: true,
    baseRef: pull.baseRef,
    mergeable: null,
    mergeableState: 'unknown',
    ci: { sha: pull.headSha, status: 'none', failing: [], pending: [], missing: [] },
    headPushedAt: pull.updatedAt,
    ...(pull.mergedBy ? { mergedBy: pull.mergedBy } : {}),
  };
}

/**
 * The recorded PRs of loaded issues that carry a stage label but have no open agentloop PR among
 * `openPulls`: read one by one (each is a PR a person merged or closed), returned when no longer open.
 */
export async function recordedClosedPulls(
  rc: RunContext,
  items: Iterable<LoadedItem>,
  openPulls: readonly PullSnapshot[],
  reads: (what: string) => boolean,
): Promise<{ pulls: PullData[]; snapshots: PullSnapshot[] }> {
  const names = rc.config.labelNames;
  const pulls: PullData[] = [];
  const snapshots: PullSnapshot[] = [];
  for (const item of items) {
    if (item.data.isPull || !STAGE_KEYS.some((k) => hasLabel(item.data.labels, names[k]))) continue;
    if (openPulls.some((p) => p.issueNumber === item.data.number && p.state === 'open')) continue;
    const recorded = item.status.state.pull;
    if (recorded === undefined || openPulls.some((p) => p.number === recorded)) continue;
    if (!reads(`PR #${recorded}`)) break;
    const pull = await rc.forge.getPull(recorded).catch((err: { status?: number }) => {
      if (err.status === 404 || err.status === 410) return undefined;
      throw err;
    });
    if (!pull || pull.state === 'open') continue;
    pulls.push(pull);
    snapshots.push(closedPullSnapshot(pull));
  }
  return { pulls, snapshots };
}
