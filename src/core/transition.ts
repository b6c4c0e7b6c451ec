// What a run decided to do. Every variant carries a one-line reason a human can read.
import type { Approval } from './approval.js';
import type { MergeMethod } from './model.js';
import type { Lane } from './snapshot.js';

export type Transition =
  | { kind: 'none'; reason: string; item?: number }
  | { kind: 'refuse'; item: number; label: string; actor: string; reason: string }
  /** approve: a new approval of the issue text, recorded when the transition claims the item. */
  | { kind: 'plan'; issue: number; requester: string; approve?: Approval; reason: string }
  | { kind: 'code'; issue: number; requester: string; existingPull?: number; approve?: Approval; reason: string }
  /** The issue text changed since a writer approved it: stop, and ask for `label` to be applied again. */
  | { kind: 'edited'; item: number; label: string; reason: string }
  | { kind: 'fix-ci'; issue: number; pull: number; headSha: string; failing: string[]; attempt: number; reason: string }
  | { kind: 'ci-green'; issue: number; pull: number; headSha: string; addMerge: boolean; reason: string }
  /** Answer reviews that ask for changes (`reviews`: their ids): a fix pushed to the PR branch, threads answered. */
  | { kind: 'address-review'; issue: number; pull: number; headSha: string; reviews: number[]; round: number; reason: string }
  /** The reviewer agent (config `review: agent`) reviews the green head before the merge. */
  | { kind: 'review'; issue: number; pull: number; headSha: string; reason: string }
  /** Reviews by people who may not ask for changes: said once in the status comment, nothing else. */
  | { kind: 'reviews-ignored'; issue: number; pull: number; reviews: number[]; reason: string }
  | { kind: 'ci-missing'; issue: number; pull: number; headSha: string; reason: string }
  /**
   * cause: merge-blocked = a branch rule kept a green PR from merging longer than stuck-after-minutes;
   * review-rounds = changes still requested after max-review-rounds; else red CI.
   */
  | { kind: 'escalate'; item: number; pull?: number; cause?: 'merge-blocked' | 'review-rounds'; reviews?: number[]; reason: string }
  | { kind: 'rebase'; pull: number; issue?: number; mode: 'update-branch' | 'git-rebase'; headSha: string; reason: string }
  | { kind: 'merge'; pull: number; issue?: number; headSha: string; method: MergeMethod; reason: string }
  /**
   * A person finished an agentloop PR's story around agentloop (docs/design-decisions.md, "People acting
   * while a run works"): pull-merged = someone else merged it (done); pull-closed = closed without merging
   * (or its branch deleted); issue-closed = the issue was closed while its PR was open (agentloop closes
   * the PR). Bookkeeping only: labels, the status comment, the PR and the branch.
   */
  | { kind: 'wrap-up'; issue: number; pull: number; cause: 'pull-merged' | 'pull-closed' | 'issue-closed'; by?: string; reason: string }
  /** A closed issue still at a PR stage whose PR is not on record (a run lost before recording it): labels only. */
  | { kind: 'wrap-up'; issue: number; pull?: undefined; cause: 'closed-unrecorded'; reason: string }
  | {
      kind: 'ci-failure';
      workflow: string;
      runId: number;
      sha: string;
      url: string;
      existingIssue?: number;
      autofix: boolean;
      reason: string;
    }
  | { kind: 'ci-recovered'; workflow: string; issue: number; runId: number; url: string; reason: string }
  | { kind: 'sweep'; repairs: Repair[]; reason: string }
  /** Propose child issues for a spec (core/breakdown.ts); approve: as for plan. */
  | { kind: 'breakdown'; issue: number; requester: string; approve?: Approval; reason: string }
  /** Create the children of the proposal posted on the issue, each once. */
  | { kind: 'breakdown-approve'; issue: number; requester: string; reason: string }
  /**
   * The approve label came off without creating anything: no proposal to approve, one posted after the
   * label (the writer has not seen it), or every child already created (said without a mention).
   */
  | { kind: 'breakdown-decline'; issue: number; label: string; actor: string; cause: 'no-proposal' | 'stale' | 'done'; reason: string };

export type TransitionKind = Transition['kind'];

export type Repair =
  | { kind: 'requeue'; item: number; lane: Lane; attempt: number; reason: string }
  | { kind: 'escalate'; item: number; reason: string }
  | { kind: 'dispatch'; lane: Lane; item?: number; reason: string }
  | { kind: 'ci-failure'; workflow: string; runId: number; sha: string; url: string; reason: string }
  | { kind: 'ci-recovered'; workflow: string; issue: number; runId: number; url: string; reason: string }
  | { kind: 'dashboard'; reason: string };

export interface Decision {
  lane: Lane;
  transition: Transition;
  /** Other items in the lane with work ready after this one (for chaining the next run), oldest first. */
  queued: number[];
  /** Why other items were passed over, for the job summary. */
  notes: string[];
  /** Something will be ready soon without any event announcing it (the forge computing mergeability). */
  recheck?: string;
}
