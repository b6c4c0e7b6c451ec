// GitHub's JSON → the forge model. Input shapes are loose: list and single endpoints return slightly
// different objects.
import type {
  Actor,
  CheckConclusion,
  CommentData,
  IssueData,
  MergeableState,
  Permission,
  PullData,
  ReviewCommentData,
  ReviewData,
  ReviewState,
  WorkflowRunData,
} from '../core/model.js';

export const PER_PAGE = 100;

export interface UserLike {
  login: string;
  type?: string;
}
type LabelLike = string | { name?: string | null };

export function toActor(user: UserLike | null | undefined): Actor {
  // GitHub returns null for deleted accounts ("ghost").
  if (!user) return { login: 'ghost', type: 'User' };
  const type = user.type === 'Bot' ? 'Bot' : user.type === 'Organization' ? 'Organization' : 'User';
  return { login: user.login, type };
}

function labelNames(labels: LabelLike[] | undefined): string[] {
  return (labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
}

interface IssueLike {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  pull_request?: unknown;
  labels?: LabelLike[];
  user: UserLike | null;
  created_at: string;
  html_url: string;
}

export function toIssue(i: IssueLike): IssueData {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: i.state === 'closed' ? 'closed' : 'open',
    isPull: i.pull_request !== undefined && i.pull_request !== null,
    labels: labelNames(i.labels),
    author: toActor(i.user),
    createdAt: i.created_at,
    htmlUrl: i.html_url,
  };
}

// Octokit parses ids beyond 2^53 as bigint; real ids are far below that, so Number() is exact.
interface CommentLike {
  id: number | bigint;
  body?: string;
  user: UserLike | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export function toComment(c: CommentLike): CommentData {
  return {
    id: Number(c.id),
    body: c.body ?? '',
    author: toActor(c.user),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    htmlUrl: c.html_url,
  };
}

const REVIEW_STATES: Record<string, ReviewState> = {
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes_requested',
  COMMENTED: 'commented',
  DISMISSED: 'dismissed',
  PENDING: 'pending',
};

interface ReviewLike {
  id: number | bigint;
  user: UserLike | null;
  state: string;
  body?: string | null;
  commit_id: string | null;
  submitted_at?: string;
  html_url: string;
}

/** undefined for a pending review (a reviewer's unsent draft) and for a state GitHub may add later. */
export function toReview(r: ReviewLike): ReviewData | undefined {
  const state = REVIEW_STATES[r.state.toUpperCase()];
  if (state === undefined || state === 'pending') return undefined;
  return {
    id: Number(r.id),
    author: toActor(r.user),
    state,
    body: r.body ?? '',
    commitSha: r.commit_id ?? '',
    submittedAt: r.submitted_at ?? '',
    htmlUrl: r.html_url,
  };
}

interface ReviewCommentLike {
  id: number | bigint;
  pull_request_review_id: number | bigint | null;
  user: UserLike | null;
  body: string;
  path: string;
  /** null on an outdated comment (the line is gone at the head). */
  line?: number | null;
  in_reply_to_id?: number | bigint;
  created_at: string;
  html_url: string;
}

/** GitHub's REST API does not say whether a thread is resolved (only GraphQL does): `resolved` stays unset. */
export function toReviewComment(c: ReviewCommentLike): ReviewCommentData {
  return {
    id: Number(c.id),
    reviewId: c.pull_request_review_id === null ? null : Number(c.pull_request_review_id),
    author: toActor(c.user),
    body: c.body,
    path: c.path,
    line: c.line ?? null,
    ...(c.in_reply_to_id !== undefined && c.in_reply_to_id !== null ? { inReplyTo: Number(c.in_reply_to_id) } : {}),
    createdAt: c.created_at,
    htmlUrl: c.html_url,
  };
}

const MERGEABLE_STATES: readonly MergeableState[] = ['clean', 'behind', 'dirty', 'blocked', 'unstable', 'has_hooks', 'draft', 'unknown'];

interface PullLike {
  number: number;
  title: string;
  body: string | null;
  state: string;
  merged?: boolean;
  merged_at: string | null;
  merged_by?: UserLike | null;
  draft?: boolean;
  labels: LabelLike[];
  user: UserLike | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
  // Only on the single-PR endpoint; the list endpoint leaves them out.
  mergeable?: boolean | null;
  mergeable_state?: string;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export function toPull(p: PullLike): PullData {
  const state = p.mergeable_state as MergeableState | undefined;
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: p.merged ?? p.merged_at !== null,
    draft: p.draft ?? false,
    labels: labelNames(p.labels),
    author: toActor(p.user),
    headRef: p.head.ref,
    headSha: p.head.sha,
    // null when the fork was deleted.
    headRepoFullName: p.head.repo?.full_name ?? '',
    baseRef: p.base.ref,
    // null = GitHub has not computed it yet; never read it as false.
    mergeable: p.mergeable ?? null,
    mergeableState: state && MERGEABLE_STATES.includes(state) ? state : 'unknown',
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    htmlUrl: p.html_url,
    ...(p.merged_by?.login ? { mergedBy: p.merged_by.login } : {}),
  };
}

/** Actions URLs look like …/actions/runs/<run>/job/<job>; other CI apps' URLs carry neither. */
export function actionsIds(url: string | null | undefined): { runId?: number; detailsId?: number } {
  const run = /\/actions\/runs\/(\d+)/.exec(url ?? '');
  const job = /\/job\/(\d+)/.exec(url ?? '');
  return { ...(run ? { runId: Number(run[1]) } : {}), ...(job ? { detailsId: Number(job[1]) } : {}) };
}

export function checkRunConclusion(status: string, conclusion: string | null): CheckConclusion {
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success' || conclusion === 'neutral' || conclusion === 'skipped') return conclusion;
  // Waits for a maintainer (approve the run, act on the check): neither red nor green (core/ci.ts).
  if (conclusion === 'action_required') return 'action_required';
  // failure, cancelled, timed_out, startup_failure, stale (and anything new) are not green.
  return 'failure';
}

export function statusConclusion(state: string): CheckConclusion {
  if (state === 'success' || state === 'pending') return state;
  return 'failure';
}

const RUN_STATUSES: readonly WorkflowRunData['status'][] = ['queued', 'in_progress', 'completed', 'waiting', 'pending', 'requested'];

interface RunLike {
  id: number | bigint;
  name?: string | null;
  workflow_id: number;
  head_branch: string | null;
  head_sha: string;
  event: string;
  // GitHub's OpenAPI requires it (a minimal repository); null-safe all the same.
  head_repository?: { full_name?: string } | null;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
  path?: string;
}

export function toRun(r: RunLike): WorkflowRunData {
  const status = r.status as WorkflowRunData['status'] | null;
  return {
    id: Number(r.id),
    name: r.name ?? '',
    workflowId: r.workflow_id,
    headBranch: r.head_branch ?? '',
    headSha: r.head_sha,
    event: r.event,
    headRepoFullName: r.head_repository?.full_name ?? '',
    status: status && RUN_STATUSES.includes(status) ? status : 'queued',
    conclusion: r.conclusion,
    htmlUrl: r.html_url,
    createdAt: r.created_at,
    path: r.path ?? '',
  };
}

const PERMISSIONS: readonly Permission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

export function asPermission(value: string | null | undefined): Permission | undefined {
  return PERMISSIONS.find((p) => p === value);
}

export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Run a request whose listed HTTP statuses mean "nothing to do" (already gone, already exists …). */
export async function tolerate(statuses: number[], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!statuses.includes(httpStatus(error) ?? -1)) throw error;
  }
}

export function lastLines(text: string, maxLines: number): string {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return maxLines > 0 ? lines.slice(-maxLines).join('\n') : '';
}
