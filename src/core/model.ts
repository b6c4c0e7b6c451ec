// Domain types shared by the pure core and the forge adapters. Data only: no behaviour, no I/O.

export type ForgeKind = 'github' | 'forgejo';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface Actor {
  login: string;
  /** 'Bot' for app/bot accounts; forges that do not say are treated as 'User'. */
  type: 'User' | 'Bot' | 'Organization';
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface RepoInfo extends RepoRef {
  defaultBranch: string;
  fullName: string;
  htmlUrl: string;
}

export interface IssueData {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  isPull: boolean;
  labels: string[];
  author: Actor;
  createdAt: string;
  htmlUrl: string;
  /**
   * Found through the forge's search index alone (GitHub search, forge/github-search.ts): its labels and
   * state may be a minute old. Read the item before acting on them.
   */
  fromIndex?: boolean;
}

export interface CommentData {
  id: number;
  body: string;
  author: Actor;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string;
}

export interface LabelData {
  id: number;
  name: string;
  color: string;
  description: string;
}

/** One `labeled`/`unlabeled` event from an item's timeline. */
export interface LabelEvent {
  action: 'labeled' | 'unlabeled';
  label: string;
  actor: Actor;
  createdAt: string;
}

export type MergeableState = 'clean' | 'behind' | 'dirty' | 'blocked' | 'unstable' | 'has_hooks' | 'draft' | 'unknown';

export interface PullData {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  labels: string[];
  author: Actor;
  headRef: string;
  headSha: string;
  /** owner/name of the head repository; differs from the base for fork PRs. */
  headRepoFullName: string;
  baseRef: string;
  /** null = not computed yet; never read it as false. */
  mergeable: boolean | null;
  mergeableState: MergeableState;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string;
  /** Who merged it, when merged and the forge says (single-PR reads). */
  mergedBy?: string;
}

/** A submitted PR review. `dismissed` reviews no longer count; `pending` ones are a reviewer's unsent drafts. */
export type ReviewState = 'approved' | 'changes_requested' | 'commented' | 'dismissed' | 'pending';

export interface ReviewData {
  id: number;
  author: Actor;
  state: ReviewState;
  body: string;
  /** The PR head the review was made on. */
  commitSha: string;
  submittedAt: string;
  htmlUrl: string;
}

/** A comment on a line of a PR's diff (one thread: the first comment and its replies). */
export interface ReviewCommentData {
  id: number;
  /** The review it was sent with (null when the forge does not say). */
  reviewId: number | null;
  author: Actor;
  body: string;
  path: string;
  /** The line in the file at the head it was made on; null when it no longer maps (outdated). */
  line: number | null;
  /** A reply: the thread's first comment. */
  inReplyTo?: number;
  /** Forgejo marks a conversation resolved; GitHub's REST API does not say (undefined). */
  resolved?: boolean;
  createdAt: string;
  htmlUrl: string;
}

export interface NewReview {
  event: 'approve' | 'request_changes' | 'comment';
  body: string;
  /** The head reviewed: the forge refuses (GitHub 422) or attaches the review to this commit. */
  commitSha: string;
  /** Comments on lines of the new file at `commitSha`. */
  comments: { path: string; line: number; body: string }[];
}

/** action_required: the check waits for a maintainer to act (approve a run, follow the check's link) — not red. */
export type CheckConclusion = 'success' | 'failure' | 'pending' | 'neutral' | 'skipped' | 'action_required';

/**
 * One CI signal on a commit: a check run (GitHub), a commit status context, or — when the token may not
 * read check runs — a GitHub Actions job of the commit (each job is also a check run of the same name).
 */
export interface CheckData {
  name: string;
  conclusion: CheckConclusion;
  source: 'check-run' | 'status' | 'actions-job';
  url: string;
  /** The workflow run or job this came from, when the forge says (used to exclude agentloop's own runs). */
  runId?: number;
  detailsId?: number;
}

export interface WorkflowRunData {
  id: number;
  name: string;
  workflowId: number | string;
  headBranch: string;
  headSha: string;
  /** What started the run: push, schedule, workflow_dispatch, pull_request, … */
  event: string;
  /** owner/name of the repository the head came from: a fork's for fork pull requests ('' when unknown). */
  headRepoFullName: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'pending' | 'requested';
  conclusion: string | null;
  htmlUrl: string;
  createdAt: string;
  /** The workflow file, e.g. .github/workflows/ci.yml ('' when the forge does not say). */
  path: string;
}

export interface JobData {
  id: number;
  name: string;
  conclusion: string | null;
  failedSteps: string[];
  htmlUrl: string;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';

/**
 * What a token turned out not to be allowed to read, worked around and said in the job summary:
 * 'check-runs' = GitHub answered 403 to check runs (a fine-grained PAT cannot hold Checks), so CI was
 * read from commit statuses and the head's GitHub Actions jobs instead.
 */
export type ForgeLimit = 'check-runs';
