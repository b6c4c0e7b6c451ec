// What a run knows when it decides: re-read from the forge every run (level-triggered, DESIGN §1).

import type { ProposalSummary } from './breakdown.js';
import type { TriggerKey } from './labels.js';
import type { Actor, CheckData, MergeableState, Permission, ReviewState } from './model.js';
import type { LoopState } from './status-comment.js';

export type Lane = 'plan' | 'code' | 'sweep';

/** Who applied a trigger label, and what they may do. permission 'unknown' = the lookup failed. */
export interface TriggerInfo {
  label: string;
  actor: Actor;
  permission: Permission | 'unknown';
  at: string;
}

export interface ItemSnapshot {
  number: number;
  isPull: boolean;
  title: string;
  /** The item's body as the forge returns it now (compared with the approved digest). */
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  triggers: Partial<Record<TriggerKey, TriggerInfo>>;
  loop: LoopState;
  /**
   * The status comment holds a state of this version, newer than this agentloop reads (`loop` is then a
   * fresh state): the item is left alone — nothing decided, nothing written — until a newer agentloop runs.
   */
  newerState?: number;
  /** The breakdown proposal agentloop posted on the issue, if any (core/breakdown.ts). */
  breakdown?: ProposalSummary;
}

export type CiStatus = 'none' | 'pending' | 'success' | 'failure';

export interface CiSummary {
  sha: string;
  status: CiStatus;
  failing: string[];
  pending: string[];
  /** Required checks that have not reported at all. */
  missing: string[];
  /** Checks waiting for a maintainer (action_required): the status stays pending, never red, never green. */
  waiting?: string[];
  /**
   * The token may not read check runs (GitHub answers 403: a fine-grained PAT cannot hold Checks): this
   * summary rests on commit statuses and the head's GitHub Actions jobs only.
   */
  checkRunsHidden?: boolean;
}

export interface PullSnapshot extends ItemSnapshot {
  isPull: true;
  draft: boolean;
  merged: boolean;
  headRef: string;
  headSha: string;
  sameRepo: boolean;
  baseRef: string;
  mergeable: boolean | null;
  mergeableState: MergeableState;
  /** The issue a loop PR implements (from its branch name), if any. */
  issueNumber?: number;
  ci: CiSummary;
  /** When the current head was pushed, as far as known (for the "no CI appeared" timeout). */
  headPushedAt: string;
  /** Who merged it (merged PRs, when the forge says). */
  mergedBy?: string;
  /** Its submitted reviews, when this run read them (services/code-snapshot.ts says when). */
  reviews?: ReviewSnapshot[];
}

export interface ReviewSnapshot {
  id: number;
  author: Actor;
  /** The reviewer's repository permission ('none' for agentloop itself and bots: decided without it). */
  permission: Permission | 'unknown';
  state: ReviewState;
  commitSha: string;
  submittedAt: string;
  /** Line comments sent with it. */
  comments: number;
}

export interface WorkflowHealth {
  workflow: string;
  runId: number;
  conclusion: 'success' | 'failure';
  sha: string;
  url: string;
  /** Open ci-failure issue tracking this workflow, if any. */
  trackingIssue?: number;
}

export interface Snapshot {
  now: string;
  defaultBranch: string;
  /** Issues (not PRs) relevant to this run: loop-labeled ones and the event's item. */
  issues: ItemSnapshot[];
  pulls: PullSnapshot[];
  /** Ids of agentloop runs still queued or running; undefined when the forge could not say. */
  liveRunIds?: string[];
  /** Latest completed run per workflow on the default branch (sweep and ci-failure). */
  defaultBranchHealth: WorkflowHealth[];
  /** This run's own id, so "owned by me" is not mistaken for a stuck item. */
  runId: string;
  /**
   * The request budget ran out while items were read (operations-per-run): 'pulls' = not every open PR
   * was read (open loop PRs cannot be counted), 'issues' = every PR was, not every issue. Absent: complete.
   */
  partial?: 'pulls' | 'issues';
  /**
   * Sweep: issues a code-lane run must wrap up — people merged or closed their agentloop PR, or closed
   * the issue under it (core/decide/wrap-up.ts; services/sweep-snapshot.ts). Absent: not read.
   */
  wrapUps?: number[];
  /**
   * Code lane: the issues waiting with the code label were not listed, because every PR slot was taken
   * (max-open-prs) and none of them could start (services/code-snapshot.ts). Absent: listed as needed.
   */
  queueUnread?: boolean;
}

export type { CheckData };
