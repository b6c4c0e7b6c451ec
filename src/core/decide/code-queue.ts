// The code lane's queue as the reads see it (services/code-snapshot.ts): which waiting issues can change
// a run's decision before they are read, so a run's requests do not grow with the queue.
import type { ItemSnapshot, PullSnapshot, Snapshot } from '../snapshot.js';
import { type DecideConfig, inProcess, makeCtx } from './context.js';

/** Open agentloop PRs (same repository, branch agentloop/issue-N): what max-open-prs counts. */
export function openLoopPrCount(snap: Snapshot): number {
  const loop = new Map<number, PullSnapshot>();
  for (const p of snap.pulls) if (p.state === 'open' && p.sameRepo && p.issueNumber !== undefined) loop.set(p.issueNumber, p);
  return [...loop.values()].filter((p) => !p.merged).length;
}

/**
 * Whether the issues waiting with the code label can change this run's decision, from the PRs already
 * read: while every PR slot is taken (max-open-prs) none without a PR of its own can start (those with
 * one were read with it) — codeCandidate (code.ts) says the same after reading them.
 */
export function codeQueueOpen(snap: Snapshot, cfg: Pick<DecideConfig, 'maxOpenPrs'>): boolean {
  return openLoopPrCount(snap) < cfg.maxOpenPrs;
}

/**
 * Whether reading one waiting issue can change the decision, from its labels alone: one held by
 * NeedSupervisor, another run's claim or a plan not posted yet starts nothing (codeCandidate, code.ts, says
 * the same after reading it). A refusal such an item may need is settled by its own label event's run.
 */
export function codeIssueHeld(labels: readonly string[], cfg: DecideConfig): boolean {
  const ctx = makeCtx({ now: '', defaultBranch: '', issues: [], pulls: [], defaultBranchHealth: [], runId: '' }, cfg);
  const item = { labels } as ItemSnapshot;
  return ctx.has(item, 'needSupervisor') || inProcess(ctx, item) || ctx.has(item, 'plan');
}
