// The code lane's view: loop PRs with their CI and mergeability, automerge PRs, and the waiting issues the
// choice needs. Only the edge knows how many requests that takes.

import { issueOfBranch } from '../core/branches.js';
import { summarizeChecks } from '../core/ci.js';
import { codeIssueHeld, codeQueueOpen } from '../core/decide/code-queue.js';
import { decide } from '../core/decide/index.js';
import type { LoopEvent } from '../core/event.js';
import { hasLabel, keyOfLabel } from '../core/labels.js';
import type { CheckData, IssueData, PullData } from '../core/model.js';
import type { PullSnapshot, Snapshot } from '../core/snapshot.js';
import { TRANSITION_RESERVE } from './budget.js';
import type { RunContext } from './context.js';
import { type LoadedItem, listedItem, loadItem } from './item-loader.js';
import { readReviews } from './review-reads.js';
import { recordedClosedPulls } from './wrap-up-reads.js';

export interface CodeSnapshot {
  snapshot: Snapshot;
  items: Map<number, LoadedItem>;
  pulls: Map<number, PullData>;
  /** The CI read for each PR head (by SHA), so a transition need not ask again. */
  checks: Map<string, CheckData[]>;
}

/**
 * Settles what an item needs from itself alone, right after it is read, and returns it as it is
 * afterwards (the code lane removes refused trigger labels here: run/tick.ts).
 */
export type Settle = (item: LoadedItem) => Promise<LoadedItem>;

/**
 * Reads list pages to choose, and items only where the choice needs them, within the request budget
 * (before each item's reads it checks that room for the transition remains, TRANSITION_RESERVE; when
 * not, it stops and marks the snapshot partial):
 *   1. open PRs (one list): each agentloop PR, or PR with a code-lane label, is read with its issue, its
 *      mergeability and CI — merging, rebasing and CI bookkeeping outrank new code, and max-open-prs
 *      counts them; there are at most as many as PRs are open;
 *   2. the item a trigger-label event names, so a refused label comes off in the run it woke;
 *   3. only when nothing above is ready and a PR slot is free (max-open-prs): the oldest open issues
 *      with the code label (one list page, oldest issue first), read one by one until one is ready.
 * So a run's requests do not grow with the issues waiting for code.
 */
export async function loadCodeSnapshot(rc: RunContext, event: LoopEvent, settle: Settle = async (i) => i): Promise<CodeSnapshot> {
  const names = rc.config.labelNames;
  const laneLabels = [
    names.code,
    names.codeInProcess,
    names.codeCiPending,
    names.codeDone,
    names.merge,
    names.mergeInProcess,
    names.automerge,
  ];
  const self = `${rc.env.owner}/${rc.env.repo}`.toLowerCase();
  const cfg = { ...rc.config, selfLogins: rc.selfLogins, lane: 'code' as const };

  const openPulls = await rc.forge.listOpenPulls();
  const relevantPulls = openPulls
    .filter((p) => {
      const loop = issueOfBranch(p.headRef) !== undefined && p.headRepoFullName.toLowerCase() === self;
      return loop || laneLabels.some((l) => hasLabel(p.labels, l));
    })
    .sort((a, b) => a.number - b.number);

  const items = new Map<number, LoadedItem>();
  const load = async (n: number, listed?: IssueData) => {
    if (!items.has(n)) items.set(n, await settle(await loadItem(rc, n, event, listed)));
    return items.get(n)!;
  };
  let partial: Snapshot['partial'];
  let queueUnread = false;
  const reads = (what: string) => rc.budget.allows(`reading ${what}`, TRANSITION_RESERVE);

  const pulls = new Map<number, PullData>();
  const checksBySha = new Map<string, CheckData[]>();
  const pullSnaps: PullSnapshot[] = [];
  for (const listed of relevantPulls) {
    if (!reads(`PR #${listed.number}`)) {
      partial = 'pulls';
      break;
    }
    // CI first, on the head the list shows; then the PR's issue — part of the picture even when it
    // carries no label any more.
    let checks = await rc.forge.listChecks(listed.headSha);
    const ci = summarizeChecks(listed.headSha, checks, { requiredChecks: rc.config.requiredChecks });
    const branchIssue = issueOfBranch(listed.headRef);
    const issueData =
      branchIssue === undefined
        ? undefined
        : (items.get(branchIssue)?.data ?? (await rc.forge.getIssue(branchIssue).catch(() => undefined)));
    // An agentloop PR whose issue is open keeps its state on the issue: unless someone put a trigger label
    // on the PR itself, its own comments are not read. Unless one is on it or its issue (a merge asked
    // for, or code anew), its decision rests on CI and the issue's status comment alone (core/decide/
    // code.ts, loopPullCiCandidate): its mergeability is not read — and while CI runs, not even the issue's.
    const asked = (labels: string[]) => TRIGGERS.some((k) => hasLabel(labels, names[k]));
    const plain = listed.headRepoFullName.toLowerCase() === self && issueData?.state === 'open' && !asked(listed.labels);
    // A review just submitted needs the issue's state (which reviews a round already answered).
    const quiet = plain && !asked(issueData.labels) && !(event.kind === 'review' && event.number === listed.number);
    if (branchIssue !== undefined && issueData && !items.has(branchIssue)) {
      if (quiet && ci.status === 'pending') items.set(branchIssue, listedItem(rc, issueData));
      else await load(branchIssue, issueData).catch(() => undefined);
    }
    const pull = quiet ? listed : await rc.forge.getPull(listed.number);
    pulls.set(pull.number, pull);
    if (plain && !items.has(pull.number)) items.set(pull.number, listedItem(rc, asIssue(pull)));
    const item = await load(pull.number, asIssue(pull));
    // The head moved between the list and the PR's own read: CI of the head read.
    if (pull.headSha !== listed.headSha) checks = await rc.forge.listChecks(pull.headSha);
    checksBySha.set(pull.headSha, checks);
    const issueNumber = issueOfBranch(pull.headRef);
    const sameRepo = pull.headRepoFullName.toLowerCase() === self;
    const issueState = issueNumber !== undefined ? items.get(issueNumber)?.snapshot.loop : undefined;
    // Reviews of a loop PR: when one was just submitted, and before a merge (a missed event must not let
    // a PR merge over a writer's request for changes). Otherwise not read: reviews cost requests.
    const mergeAsked = [pull.labels, issueData?.labels ?? []].some((ls) => hasLabel(ls, names.merge) || hasLabel(ls, names.automerge));
    const reviewed = event.kind === 'review' && event.number === pull.number;
    const wantReviews = sameRepo && issueNumber !== undefined && (reviewed || (mergeAsked && ci.status === 'success'));
    const reviews = wantReviews ? await readReviews(rc, pull.number) : undefined;
    pullSnaps.push({
      ...item.snapshot,
      isPull: true,
      draft: pull.draft,
      merged: pull.merged,
      headRef: pull.headRef,
      headSha: pull.headSha,
      sameRepo,
      baseRef: pull.baseRef,
      mergeable: pull.mergeable,
      mergeableState: pull.mergeableState,
      ...(issueNumber !== undefined && sameRepo ? { issueNumber } : {}),
      ci: {
        ...summarizeChecks(pull.headSha, checks, { requiredChecks: rc.config.requiredChecks }),
        // Read from statuses and Actions jobs: the token may not read check runs (forge/github-checks.ts).
        ...(rc.forge.limits().includes('check-runs') ? { checkRunsHidden: true } : {}),
      },
      // When agentloop pushed this head it recorded the time; otherwise the PR's last update.
      headPushedAt: issueState?.headSha === pull.headSha && issueState.pushedAt ? issueState.pushedAt : pull.updatedAt,
      ...(reviews ? { reviews } : {}),
    });
  }

  const snapshot = (): Snapshot => ({
    now: rc.now().toISOString(),
    defaultBranch: rc.defaultBranch,
    issues: [...items.values()].filter((i) => !i.data.isPull).map((i) => i.snapshot),
    pulls: pullSnaps,
    defaultBranchHealth: [],
    runId: rc.env.runId,
    ...(partial ? { partial } : {}),
    ...(queueUnread ? { queueUnread } : {}),
  });

  const named = triggerItem(event, rc);
  if (named !== undefined && !items.has(named) && reads(`#${named}`)) {
    // Deleted or transferred: nothing to settle.
    await load(named).catch((err: { status?: number }) => {
      if (err.status !== 404 && err.status !== 410) throw err;
    });
  }

  // PRs people merged or closed (core/decide/wrap-up.ts): the PR a staged issue recorded, once not open.
  const closed = await recordedClosedPulls(rc, items.values(), pullSnaps, reads);
  for (const pull of closed.pulls) pulls.set(pull.number, pull);
  pullSnaps.push(...closed.snapshots);

  // Oldest first (DESIGN §4): new code for the item an event named (a late or reordered delivery) must
  // not overtake older waiting requests, so the waiting page is read then too, and while the choice is
  // new code for an issue newer than the next waiting one.
  const overtakes = (next?: number) => {
    const t = decide(snapshot(), event, cfg).transition;
    return t.kind === 'none' || (t.kind === 'code' && t.existingPull === undefined && (next === undefined || t.issue > next));
  };
  if (!partial && !rc.config.paused && overtakes()) {
    queueUnread = !codeQueueOpen(snapshot(), cfg);
    const waiting = queueUnread
      ? []
      : (await rc.forge.listOpenIssuesWithLabel(names.code, { oldest: WAITING_PAGE }))
          .filter((i) => !i.isPull && !items.has(i.number) && !codeIssueHeld(i.labels, cfg))
          .sort((a, b) => a.number - b.number);
    for (const issue of waiting) {
      if (!overtakes(issue.number)) break;
      if (!reads(`#${issue.number}`)) {
        partial = 'issues';
        break;
      }
      await load(issue.number, issue);
    }
  }

  return { items, pulls, checks: checksBySha, snapshot: snapshot() };
}

const TRIGGERS = ['code', 'merge', 'automerge'] as const;

/** Waiting issues listed per run: one page on either forge (Forgejo's pages hold 50). */
export const WAITING_PAGE = 50;

/** The item a code-lane trigger label event names (or a dispatch's item): read even when it must wait. */
function triggerItem(event: LoopEvent, rc: RunContext): number | undefined {
  if (event.kind === 'dispatch') return event.number;
  if (event.kind !== 'labeled') return undefined;
  const key = keyOfLabel(rc.config.labelNames, event.label);
  return key === 'code' || key === 'merge' || key === 'automerge' ? event.number : undefined;
}

/** A PR as the issue it also is (the PR's own read holds every field the item needs). */
function asIssue(pull: PullData): IssueData {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    isPull: true,
    labels: pull.labels,
    author: pull.author,
    createdAt: pull.createdAt,
    htmlUrl: pull.htmlUrl,
  };
}
