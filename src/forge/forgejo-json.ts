// Forgejo's JSON (swagger v15.0.3 definitions) → the forge model. Issues, comments and users have the
// GitHub shapes agentloop reads (github-json.ts maps them); pull requests, commit statuses, Actions runs,
// the timeline and permissions differ and are mapped here.
import type {
  CheckConclusion,
  CheckData,
  LabelEvent,
  MergeableState,
  Permission,
  PullData,
  ReviewCommentData,
  ReviewData,
  ReviewState,
  WorkflowRunData,
} from '../core/model.js';
import { actionsIds, toActor, type UserLike } from './github-json.js';

type LabelLike = { id?: number; name?: string | null };

export interface ForgejoPull {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  merged?: boolean;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  merged_by?: UserLike | null;
  draft?: boolean;
  labels?: LabelLike[] | null;
  user?: UserLike | null;
  head: { ref: string; sha: string; repo?: { full_name?: string } | null };
  base: { ref: string; sha?: string };
  /** false while Forgejo checks for conflicts, on a conflict, on a check error and on a WIP PR. */
  mergeable?: boolean;
  created_at: string;
  updated_at: string;
  html_url: string;
}

/** Forgejo marks a draft ("work in progress") by a title prefix; v15 also says `draft`. */
const WIP_PREFIX = /^\s*(wip:|\[wip\])/i;

/**
 * Forgejo's `mergeable` is false both while the conflict check runs and when it found a conflict; there
 * is no `mergeable_state`. A false read alone is therefore "not known yet" (null: the decision asks again
 * and no agent rebase starts); the adapter confirms a conflict by reading again (forgejo.ts getPull).
 * Behind/blocked cannot be told from the PR: `clean` when mergeable, as far as agentloop can see.
 */
export function toForgejoPull(p: ForgejoPull, confirmedConflict = false): PullData {
  const draft = p.draft === true || WIP_PREFIX.test(p.title);
  let mergeable: boolean | null = null;
  let mergeableState: MergeableState = 'unknown';
  if (p.mergeable === true) {
    mergeable = true;
    mergeableState = draft ? 'draft' : 'clean';
  } else if (draft) mergeableState = 'draft';
  else if (confirmedConflict) {
    mergeable = false;
    mergeableState = 'dirty';
  }
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: p.merged ?? (p.merged_at !== null && p.merged_at !== undefined),
    draft,
    labels: (p.labels ?? []).map((l) => l.name ?? '').filter((n) => n !== ''),
    author: toActor(p.user),
    headRef: p.head.ref,
    headSha: p.head.sha,
    headRepoFullName: p.head.repo?.full_name ?? '',
    baseRef: p.base.ref,
    mergeable,
    mergeableState,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    htmlUrl: p.html_url,
    ...(p.merged_by?.login ? { mergedBy: p.merged_by.login } : {}),
  };
}

export interface ForgejoStatus {
  id?: number;
  context?: string;
  /** CommitStatusState: pending, success, error, failure, warning. */
  status?: string;
  target_url?: string | null;
  updated_at?: string;
}

/**
 * `warning` is a finished, non-failing result (Forgejo draws it yellow; its combined state ranks it
 * between success and failure): neutral here, which agentloop counts as passing. error → failure.
 */
export function forgejoStatusConclusion(state: string | undefined): CheckConclusion {
  if (state === 'success' || state === 'pending') return state;
  if (state === 'warning') return 'neutral';
  return 'failure';
}

/** Latest status per context (the combined endpoint already dedupes; the list endpoint does not). */
export function toStatusChecks(statuses: ForgejoStatus[]): CheckData[] {
  const latest = new Map<string, ForgejoStatus>();
  for (const s of statuses) {
    const name = s.context ?? '';
    const seen = latest.get(name);
    if (!seen || (s.id ?? 0) > (seen.id ?? 0)) latest.set(name, s);
  }
  return [...latest.values()].map((s) => ({
    name: s.context ?? '',
    conclusion: forgejoStatusConclusion(s.status),
    source: 'status' as const,
    url: s.target_url ?? '',
    ...actionsIds(s.target_url),
  }));
}

export interface ForgejoRun {
  id: number;
  title?: string;
  /** The workflow file name, e.g. `ci.yml`. */
  workflow_id?: string;
  commit_sha?: string;
  prettyref?: string;
  event?: string;
  trigger_event?: string;
  /** unknown, waiting, running, success, failure, cancelled, skipped, blocked. */
  status?: string;
  is_fork_pull_request?: boolean;
  repository?: { full_name?: string } | null;
  html_url?: string;
  created?: string;
}

/** GitHub's run statuses as Forgejo's (ActionRun status: unknown, waiting, running, success, failure, cancelled, skipped, blocked). */
export const RUN_STATUS_QUERY: Record<string, readonly string[]> = {
  queued: ['unknown', 'waiting', 'blocked'],
  waiting: ['waiting', 'blocked'],
  pending: ['unknown'],
  requested: ['unknown'],
  in_progress: ['running'],
  completed: ['success', 'failure', 'cancelled', 'skipped'],
};

const FINISHED = ['success', 'failure', 'cancelled', 'skipped'];

/** v15's ActionRun has no conclusion, head_sha or name: the status says both, commit_sha is the head. */
export function toForgejoRun(r: ForgejoRun): WorkflowRunData {
  const s = r.status ?? 'unknown';
  const status: WorkflowRunData['status'] = FINISHED.includes(s)
    ? 'completed'
    : s === 'running'
      ? 'in_progress'
      : s === 'waiting' || s === 'blocked'
        ? 'waiting'
        : 'queued';
  return {
    id: r.id,
    name: r.workflow_id ?? '',
    workflowId: r.workflow_id ?? '',
    headBranch: r.prettyref ?? '',
    headSha: r.commit_sha ?? '',
    event: r.trigger_event || r.event || '',
    // A fork's repository is not named in the run: '' (unknown) rather than the base's.
    headRepoFullName: r.is_fork_pull_request ? '' : (r.repository?.full_name ?? ''),
    status,
    conclusion: status === 'completed' ? s : null,
    htmlUrl: r.html_url ?? '',
    createdAt: r.created ?? '',
    path: r.workflow_id ?? '',
  };
}

export interface TimelineEntry {
  type?: string;
  body?: string;
  label?: LabelLike | null;
  user?: UserLike | null;
  created_at?: string;
}

/** A `label` timeline entry carries body "1" when the label was added and "" when it was removed (Forgejo's code). */
export function toLabelEvents(entries: TimelineEntry[]): LabelEvent[] {
  return entries.flatMap((e): LabelEvent[] =>
    e.type === 'label' && e.label?.name
      ? [{ action: e.body === '1' ? 'labeled' : 'unlabeled', label: e.label.name, actor: toActor(e.user), createdAt: e.created_at ?? '' }]
      : [],
  );
}

export interface ForgejoReview {
  id: number;
  user?: UserLike | null;
  /** ReviewStateType: APPROVED, PENDING, COMMENT, REQUEST_CHANGES, REQUEST_REVIEW (or "" for unknown). */
  state?: string;
  body?: string;
  commit_id?: string;
  dismissed?: boolean;
  comments_count?: number;
  submitted_at?: string;
  html_url?: string;
}

const FORGEJO_REVIEW_STATES: Record<string, ReviewState> = {
  APPROVED: 'approved',
  REQUEST_CHANGES: 'changes_requested',
  COMMENT: 'commented',
};

/**
 * A submitted review, or undefined: PENDING is a draft (listed to its author only) and REQUEST_REVIEW a
 * request for a review, not one (services/convert/pull_review.go ToPullReview). A dismissed review keeps
 * its state and says `dismissed: true`.
 */
export function toForgejoReview(r: ForgejoReview): ReviewData | undefined {
  const state = FORGEJO_REVIEW_STATES[r.state ?? ''];
  if (state === undefined) return undefined;
  return {
    id: r.id,
    author: toActor(r.user),
    state: r.dismissed ? 'dismissed' : state,
    body: r.body ?? '',
    commitSha: r.commit_id ?? '',
    submittedAt: r.submitted_at ?? '',
    htmlUrl: r.html_url ?? '',
  };
}

export interface ForgejoReviewComment {
  id: number;
  body?: string;
  user?: UserLike | null;
  resolver?: UserLike | null;
  pull_request_review_id?: number;
  path?: string;
  /** The line in the new file; 0 for a comment on the old side (`original_position` holds that line). */
  position?: number;
  created_at?: string;
  html_url?: string;
}

export function toForgejoReviewComment(c: ForgejoReviewComment): ReviewCommentData {
  return {
    id: c.id,
    reviewId: c.pull_request_review_id ?? null,
    author: toActor(c.user),
    body: c.body ?? '',
    path: c.path ?? '',
    line: c.position ? c.position : null,
    resolved: c.resolver !== null && c.resolver !== undefined,
    createdAt: c.created_at ?? '',
    htmlUrl: c.html_url ?? '',
  };
}

/**
 * Forgejo has no reply link: a conversation is every code comment on one file and line, across reviews
 * (models/issues/comment_code.go, CodeConversationsAtLineAndTreePath). Oldest first; later comments on
 * the same path and line answer the first.
 */
export function threadReviewComments(comments: ReviewCommentData[]): ReviewCommentData[] {
  const first = new Map<string, number>();
  return [...comments]
    .sort((a, b) => a.id - b.id)
    .map((c) => {
      if (c.line === null) return c;
      const key = `${c.line}:${c.path}`;
      const head = first.get(key);
      if (head === undefined) {
        first.set(key, c.id);
        return c;
      }
      return { ...c, inReplyTo: head };
    });
}

/** Forgejo's API cannot answer in a thread: a PR comment that quotes the thread's place and the comment answered. */
export function forgejoReplyBody(comment: ReviewCommentData, answer: string): string {
  const place = `\`${comment.path}${comment.line !== null ? `:${comment.line}` : ''}\``;
  const where = comment.htmlUrl ? `[${place}](${comment.htmlUrl})` : place;
  const firstLine =
    comment.body
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  const quoted = firstLine.length > 200 ? `${firstLine.slice(0, 200)}…` : firstLine;
  return `> ${where}: ${quoted}\n\n${answer}`;
}

/** RepoCollaboratorPermission.permission: owner, admin, write, read, none. */
export function toForgejoPermission(value: string | undefined): Permission {
  if (value === 'owner' || value === 'admin') return 'admin';
  if (value === 'write' || value === 'read') return value;
  return 'none';
}

/** `concurrency:` (which serializes agentloop's lanes) arrived in v14. */
export const MIN_FORGEJO_MAJOR = 14;

/** What doctor reads of a repository (Forgejo's Repository; `has_*` say which units are on). */
export interface ForgejoRepoJson {
  default_branch: string;
  full_name: string;
  html_url: string;
  archived?: boolean;
  has_actions?: boolean;
  has_issues?: boolean;
  has_pull_requests?: boolean;
}

export interface ServerVersion {
  version: string;
  /** undefined: not a Forgejo version number (e.g. Gitea's 1.x). */
  major: number | undefined;
}

/** Why this server cannot run agentloop, or undefined when it can. */
export function versionProblem(v: ServerVersion): string | undefined {
  if (v.major !== undefined && v.major >= MIN_FORGEJO_MAJOR) return undefined;
  return (
    `agentloop needs Forgejo v${MIN_FORGEJO_MAJOR} or later (v15 LTS recommended; workflow-level \`concurrency:\` serializes its lanes), ` +
    `but this server reports version "${v.version}"${v.major === undefined ? ' (Gitea is not supported)' : ''}. Nothing was changed.`
  );
}

/** The major version of `GET /version` ("15.0.3+gitea-1.22.0" → 15); undefined when not Forgejo's numbering. */
export function forgejoMajor(version: string): number | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  // Gitea numbers 1.x; Forgejo started at 1.18-1.21 ("1.21.11-1") before 7.0.
  return major >= 7 ? major : undefined;
}
