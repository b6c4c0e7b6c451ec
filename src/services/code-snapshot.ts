// The code lane's view: every open item carrying a code-lane label, loop PRs with their CI and
// mergeability, and automerge PRs. Only the edge knows how many requests that takes.

import { issueOfBranch } from '../core/branches.js';
import { summarizeChecks } from '../core/ci.js';
import type { LoopEvent } from '../core/event.js';
import { hasLabel } from '../core/labels.js';
import type { PullData } from '../core/model.js';
import type { PullSnapshot, Snapshot } from '../core/snapshot.js';
import { TRANSITION_RESERVE } from './budget.js';
import type { RunContext } from './context.js';
import { type LoadedItem, loadItem, openItemsWithAnyLabel } from './item-loader.js';

export interface CodeSnapshot {
  snapshot: Snapshot;
  items: Map<number, LoadedItem>;
  pulls: Map<number, PullData>;
}

/**
 * Settles what an item needs from itself alone, right after it is read, and returns it as it is
 * afterwards (the code lane removes refused trigger labels here: run/tick.ts).
 */
export type Settle = (item: LoadedItem) => Promise<LoadedItem>;

/**
 * Reads within the request budget: before each item's reads it checks that room for the transition
 * still remains (TRANSITION_RESERVE); when not, it stops and marks the snapshot partial. Open PRs come
 * first, each with the issue it implements (merging, rebasing and fixing CI outrank new code, and a
 * partial picture must still count every open loop PR), then labelled issues, oldest first.
 */
export async function loadCodeSnapshot(rc: RunContext, event: LoopEvent, settle: Settle = async (i) => i): Promise<CodeSnapshot> {
  const names = rc.config.labelNames;
  const labels = [names.code, names.codeInProcess, names.codeCiPending, names.codeDone, names.merge, names.mergeInProcess, names.automerge];
  const labeled = await openItemsWithAnyLabel(rc, labels);
  const self = `${rc.env.owner}/${rc.env.repo}`.toLowerCase();

  const openPulls = await rc.forge.listOpenPulls();
  const relevantPulls = openPulls
    .filter((p) => {
      const loop = issueOfBranch(p.headRef) !== undefined && p.headRepoFullName.toLowerCase() === self;
      return loop || hasLabel(p.labels, names.merge) || hasLabel(p.labels, names.automerge) || labeled.has(p.number);
    })
    .sort((a, b) => a.number - b.number);

  const items = new Map<number, LoadedItem>();
  const load = async (n: number) => {
    if (!items.has(n)) items.set(n, await settle(await loadItem(rc, n, event, labeled.get(n))));
    return items.get(n)!;
  };
  let partial: Snapshot['partial'];
  const reads = (what: string) => rc.budget.allows(`reading ${what}`, TRANSITION_RESERVE);

  const pulls = new Map<number, PullData>();
  const pullSnaps: PullSnapshot[] = [];
  for (const listed of relevantPulls) {
    if (!reads(`PR #${listed.number}`)) {
      partial = 'pulls';
      break;
    }
    // A loop PR's issue is part of the picture even when it carries no label any more.
    const branchIssue = issueOfBranch(listed.headRef);
    if (branchIssue !== undefined) await load(branchIssue).catch(() => undefined);
    const pull = await rc.forge.getPull(listed.number);
    pulls.set(pull.number, pull);
    const item = await load(pull.number);
    const checks = await rc.forge.listChecks(pull.headSha);
    const issueNumber = issueOfBranch(pull.headRef);
    const sameRepo = pull.headRepoFullName.toLowerCase() === self;
    const issueState = issueNumber !== undefined ? items.get(issueNumber)?.snapshot.loop : undefined;
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
    });
  }

  if (!partial) {
    const issues = [...labeled.values()].filter((i) => !i.isPull && !items.has(i.number)).sort((a, b) => a.number - b.number);
    for (const issue of issues) {
      if (!reads(`#${issue.number}`)) {
        partial = 'issues';
        break;
      }
      await load(issue.number);
    }
  }

  return {
    items,
    pulls,
    snapshot: {
      now: rc.now().toISOString(),
      defaultBranch: rc.defaultBranch,
      issues: [...items.values()].filter((i) => !i.data.isPull).map((i) => i.snapshot),
      pulls: pullSnaps,
      defaultBranchHealth: [],
      runId: rc.env.runId,
      ...(partial ? { partial } : {}),
    },
  };
}
