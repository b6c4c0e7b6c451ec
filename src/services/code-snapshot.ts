// The code lane's view: every open item carrying a code-lane label, loop PRs with their CI and
// mergeability, and automerge PRs. Only the edge knows how many requests that takes.

import { issueOfBranch } from '../core/branches.js';
import { summarizeChecks } from '../core/ci.js';
import type { LoopEvent } from '../core/event.js';
import { hasLabel } from '../core/labels.js';
import type { PullData } from '../core/model.js';
import type { PullSnapshot, Snapshot } from '../core/snapshot.js';
import type { RunContext } from './context.js';
import { type LoadedItem, loadItem, openItemsWithAnyLabel } from './item-loader.js';

export interface CodeSnapshot {
  snapshot: Snapshot;
  items: Map<number, LoadedItem>;
  pulls: Map<number, PullData>;
}

export async function loadCodeSnapshot(rc: RunContext, event: LoopEvent): Promise<CodeSnapshot> {
  const names = rc.config.labelNames;
  const labels = [names.code, names.codeInProcess, names.codeCiPending, names.codeDone, names.merge, names.mergeInProcess, names.automerge];
  const labeled = await openItemsWithAnyLabel(rc, labels);

  const openPulls = await rc.forge.listOpenPulls();
  const relevantPulls = openPulls.filter((p) => {
    const loop =
      issueOfBranch(p.headRef) !== undefined && p.headRepoFullName.toLowerCase() === `${rc.env.owner}/${rc.env.repo}`.toLowerCase();
    return loop || hasLabel(p.labels, names.merge) || hasLabel(p.labels, names.automerge) || labeled.has(p.number);
  });

  const items = new Map<number, LoadedItem>();
  const load = async (n: number) => {
    if (!items.has(n)) items.set(n, await loadItem(rc, n, event, labeled.get(n)));
    return items.get(n)!;
  };
  for (const issue of labeled.values()) if (!issue.isPull) await load(issue.number);
  // A loop PR's issue is part of the picture even when it carries no label any more.
  for (const p of relevantPulls) {
    const n = issueOfBranch(p.headRef);
    if (n !== undefined) await load(n).catch(() => undefined);
  }

  const pulls = new Map<number, PullData>();
  const pullSnaps: PullSnapshot[] = [];
  for (const listed of relevantPulls) {
    const pull = await rc.forge.getPull(listed.number);
    pulls.set(pull.number, pull);
    const item = await load(pull.number);
    const checks = await rc.forge.listChecks(pull.headSha);
    const issueNumber = issueOfBranch(pull.headRef);
    const sameRepo = pull.headRepoFullName.toLowerCase() === `${rc.env.owner}/${rc.env.repo}`.toLowerCase();
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
      ci: summarizeChecks(pull.headSha, checks, { requiredChecks: rc.config.requiredChecks }),
      // When agentloop pushed this head it recorded the time; otherwise the PR's last update.
      headPushedAt: issueState?.headSha === pull.headSha && issueState.pushedAt ? issueState.pushedAt : pull.updatedAt,
    });
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
    },
  };
}
