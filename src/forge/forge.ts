// The one interface between agentloop and a forge (DESIGN §7). Adapters: github.ts and forgejo.ts.
import type {
  Actor,
  CheckData,
  CommentData,
  ForgeKind,
  ForgeLimit,
  IssueData,
  JobData,
  LabelData,
  LabelEvent,
  MergeMethod,
  NewReview,
  Permission,
  PullData,
  RepoInfo,
  ReviewCommentData,
  ReviewData,
  WorkflowRunData,
} from '../core/model.js';

export interface RequestStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
}

export interface NewLabel {
  name: string;
  color: string;
  description: string;
}

export interface NewPull {
  title: string;
  body: string;
  head: string;
  base: string;
  draft?: boolean;
}

/** update-branch works asynchronously: `requested` means GitHub accepted the request (202), not that the head moved. */
export type UpdateBranchOutcome =
  | { requested: true }
  /** status: the HTTP status the forge answered (422: the head moved, or a refusal such as the `workflows` permission). */
  | { requested: false; status: number; message: string };

export type MergeOutcome =
  | { merged: true; sha: string }
  /** status: the HTTP status the forge answered (405 not mergeable, 409 head moved, 5xx …). */
  | { merged: false; status: number; message: string };

export interface Forge {
  readonly kind: ForgeKind;
  readonly repoRef: { owner: string; repo: string };
  stats(): RequestStats;
  /** Reads this token was refused during the run and that were worked around (see ForgeLimit). */
  limits(): readonly ForgeLimit[];

  getRepo(): Promise<RepoInfo>;
  /** The authenticated identity (agentloop's own login), when the token may ask. */
  getSelf(): Promise<Actor | null>;
  /** Text of a file at a ref, or null when it does not exist. */
  getFileText(path: string, ref: string): Promise<string | null>;

  getIssue(number: number): Promise<IssueData>;
  /**
   * Open issues and PRs carrying `label`: every page, in no particular order. With `oldest`, only the
   * `oldest` earliest-created ones, reading only the pages that takes (one, for up to a page).
   */
  listOpenIssuesWithLabel(label: string, opts?: { oldest?: number }): Promise<IssueData[]>;
  /**
   * Open issues and PRs carrying any of `labels`, each once. Forgejo filters by any of several labels in
   * one paginated list; GitHub searches (`label:a,b` is any of them; github-search.ts) and marks what only
   * its index said `fromIndex` — either way the requests grow with the labeled items, never with the
   * open issues.
   */
  listOpenItemsWithAnyLabel(labels: string[]): Promise<IssueData[]>;
  /** Closed issues (and PRs) carrying `label`: agentloop asks only for labels it removes once done with an item. */
  listClosedIssuesWithLabel(label: string): Promise<IssueData[]>;
  /**
   * Issues and PRs, open or closed, updated at or after `since` (ISO time): every page. A breakdown looks
   * here for a child a lost run created but did not record (transitions/breakdown-approve.ts).
   */
  listIssuesUpdatedSince(since: string): Promise<IssueData[]>;
  /**
   * Create an issue carrying `labels`. The labels are added by a separate call and checked, because GitHub
   * silently drops labels from a new issue when the token has no push access; an error names any that
   * still did not stick.
   */
  createIssue(title: string, body: string, labels: string[]): Promise<IssueData>;
  closeIssue(number: number): Promise<void>;
  updateIssueBody(number: number, body: string): Promise<void>;
  listComments(number: number): Promise<CommentData[]>;
  createComment(number: number, body: string): Promise<CommentData>;
  updateComment(commentId: number, body: string): Promise<void>;
  listLabelEvents(number: number): Promise<LabelEvent[]>;

  listRepoLabels(): Promise<LabelData[]>;
  createLabel(label: NewLabel): Promise<void>;
  addLabels(number: number, names: string[]): Promise<void>;
  removeLabel(number: number, name: string): Promise<void>;

  getPermission(login: string): Promise<Permission>;

  listOpenPulls(): Promise<PullData[]>;
  getPull(number: number): Promise<PullData>;
  createPull(pull: NewPull): Promise<PullData>;
  mergePull(number: number, sha: string, method: MergeMethod): Promise<MergeOutcome>;
  /** Ask the forge to bring the head up to date with the base (asynchronous: a later run sees the new head). */
  updatePullBranch(number: number, expectedHeadSha: string): Promise<UpdateBranchOutcome>;
  deleteBranch(branch: string): Promise<void>;

  /** Submitted reviews of a PR, oldest first (pending drafts left out). */
  listReviews(pull: number): Promise<ReviewData[]>;
  /** Line comments of a PR's reviews, oldest first. Forgejo lists them per review (one request a review). */
  listReviewComments(pull: number): Promise<ReviewCommentData[]>;
  /** Submit a review (approve, request changes, comment) with line comments, on the head `commitSha`. */
  createReview(pull: number, review: NewReview): Promise<ReviewData>;
  /**
   * Answer a review thread. GitHub replies in the thread; Forgejo's API has no reply, so the answer is a
   * PR comment quoting the thread's file and line.
   */
  replyToReviewComment(pull: number, comment: ReviewCommentData, body: string): Promise<void>;

  /** CI on a commit: check runs and statuses; without the Checks permission, statuses and Actions jobs (limits()). */
  listChecks(sha: string): Promise<CheckData[]>;
  listWorkflowRuns(filter: { branch?: string; status?: string; event?: string }): Promise<WorkflowRunData[]>;
  getWorkflowRun(runId: number): Promise<WorkflowRunData>;
  listRunJobs(runId: number): Promise<JobData[]>;
  getJobLogTail(jobId: number, maxLines: number): Promise<string>;
  dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
}
