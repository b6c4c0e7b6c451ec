// Forgejo REST object shapes (swagger.v15.0.3.json definitions User, Repository, Label, Issue, Comment,
// PullRequest, PullReview, PullReviewComment, CommitStatus, CombinedStatus, ActionRun, TimelineComment)
// built from the forge's state.
// Only fields the description declares: the response validator refuses any other.
import type { Urls } from './github-json.js';
import type {
  CommentRec,
  ForgeState,
  IssueEventRec,
  IssueRec,
  LabelRec,
  PullRec,
  RepoState,
  ReviewCommentRec,
  ReviewRec,
  StatusRec,
  WorkflowRunRec,
} from './state.js';

export const FORGEJO_VERSION = '15.0.3+gitea-1.22.0';

export function fUser(state: ForgeState, login: string, urls: Urls) {
  const u = state.user(login);
  return {
    id: u.id,
    login: u.login,
    login_name: '',
    source_id: 0,
    full_name: '',
    email: `${u.login.replace(/\W/g, '')}@noreply.localhost`,
    avatar_url: '',
    html_url: `${urls.web}/${u.login}`,
    language: '',
    is_admin: false,
    restricted: false,
    active: true,
    prohibit_login: false,
    visibility: 'public',
  };
}

export function fRepo(state: ForgeState, repo: RepoState, urls: Urls, permission?: { admin: boolean; push: boolean; pull: boolean }) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    owner: fUser(state, repo.owner, urls),
    name: repo.name,
    full_name: full,
    description: '',
    empty: false,
    private: repo.private,
    fork: false,
    template: false,
    mirror: false,
    html_url: `${urls.web}/${full}`,
    url: `${urls.api}/repos/${full}`,
    clone_url: `${urls.web}/${full}.git`,
    default_branch: repo.defaultBranch,
    archived: false,
    has_issues: true,
    has_pull_requests: true,
    has_actions: true,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: true,
    allow_rebase_update: true,
    default_delete_branch_after_merge: false,
    default_merge_style: 'merge',
    default_update_style: 'merge',
    object_format_name: 'sha1',
    ...(permission ? { permissions: permission } : {}),
  };
}

export function fLabel(label: LabelRec, repo: RepoState, urls: Urls) {
  return {
    id: label.id,
    name: label.name,
    exclusive: false,
    is_archived: false,
    color: label.color,
    description: label.description,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${label.id}`,
  };
}

/** An issue's labels are kept by id in Forgejo mode (names are not unique). */
export function labelsOf(repo: RepoState, issue: IssueRec, urls: Urls) {
  return issue.labels.flatMap((ref) => {
    // By id (Forgejo mode); a name set by a shared helper (labelAsHuman) is looked up by name.
    const l = repo.labels.find((x) => String(x.id) === ref) ?? repo.labels.find((x) => x.name.toLowerCase() === ref.toLowerCase());
    return l ? [fLabel(l, repo, urls)] : [];
  });
}

export function fIssue(state: ForgeState, repo: RepoState, issue: IssueRec, urls: Urls, pull?: PullRec) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: issue.id,
    url: `${urls.api}/repos/${full}/issues/${issue.number}`,
    html_url: `${urls.web}/${full}/${issue.isPull ? 'pulls' : 'issues'}/${issue.number}`,
    number: issue.number,
    user: fUser(state, issue.user, urls),
    original_author: '',
    original_author_id: 0,
    title: issue.title,
    body: issue.body,
    ref: '',
    assets: [],
    labels: labelsOf(repo, issue, urls),
    milestone: null,
    assignee: null,
    assignees: null,
    state: issue.state,
    is_locked: false,
    comments: repo.comments.filter((c) => c.issue === issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    due_date: null,
    pull_request: pull
      ? { merged: pull.merged, merged_at: pull.mergedAt, draft: false, html_url: `${urls.web}/${full}/pulls/${issue.number}` }
      : null,
    repository: { id: repo.id, name: repo.name, owner: repo.owner, full_name: full },
    pin_order: 0,
  };
}

export function fComment(state: ForgeState, repo: RepoState, c: CommentRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const isPull = repo.pulls.has(c.issue);
  return {
    id: c.id,
    html_url: `${urls.web}/${full}/issues/${c.issue}#issuecomment-${c.id}`,
    pull_request_url: isPull ? `${urls.web}/${full}/pulls/${c.issue}` : '',
    issue_url: isPull ? '' : `${urls.web}/${full}/issues/${c.issue}`,
    user: fUser(state, c.user, urls),
    original_author: '',
    original_author_id: 0,
    body: c.body,
    assets: [],
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** `mergeable` is a boolean: false both for a conflict and while Forgejo is still checking. */
export function fPull(state: ForgeState, repo: RepoState, issue: IssueRec, pull: PullRec, urls: Urls, mergeable: boolean, baseSha: string) {
  const full = `${repo.owner}/${repo.name}`;
  const base = fIssue(state, repo, issue, urls, pull);
  const r = fRepo(state, repo, urls);
  return {
    id: issue.id,
    url: `${urls.web}/${full}/pulls/${issue.number}`,
    number: issue.number,
    user: base.user,
    title: issue.title,
    body: issue.body,
    labels: base.labels,
    milestone: null,
    assignee: null,
    assignees: null,
    requested_reviewers: null,
    requested_reviewers_teams: null,
    state: issue.state,
    draft: false,
    is_locked: false,
    comments: base.comments,
    review_comments: repo.reviewComments.filter((c) => c.pull === issue.number).length,
    html_url: `${urls.web}/${full}/pulls/${issue.number}`,
    diff_url: `${urls.web}/${full}/pulls/${issue.number}.diff`,
    patch_url: `${urls.web}/${full}/pulls/${issue.number}.patch`,
    mergeable,
    merged: pull.merged,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    merged_by: pull.mergedBy ? fUser(state, pull.mergedBy, urls) : null,
    allow_maintainer_edit: false,
    base: { label: pull.base, ref: pull.base, sha: baseSha, repo_id: repo.id, repo: r },
    head: { label: pull.head, ref: pull.head, sha: pull.headSha, repo_id: repo.id, repo: r },
    merge_base: '',
    due_date: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    pin_order: 0,
    flow: 0,
  };
}

/** ReviewStateType of a review (services/convert/pull_review.go ToPullReview). */
export const F_REVIEW_STATE = { APPROVED: 'APPROVED', CHANGES_REQUESTED: 'REQUEST_CHANGES', COMMENTED: 'COMMENT' } as const;

export function fReview(state: ForgeState, repo: RepoState, r: ReviewRec, urls: Urls, official: boolean) {
  const pullUrl = `${urls.web}/${repo.owner}/${repo.name}/pulls/${r.pull}`;
  return {
    id: r.id,
    user: fUser(state, r.user, urls),
    team: null,
    state: F_REVIEW_STATE[r.state],
    body: r.body,
    commit_id: r.commitId,
    stale: false,
    official,
    dismissed: r.dismissed,
    comments_count: repo.reviewComments.filter((c) => c.reviewId === r.id).length,
    submitted_at: r.submittedAt,
    updated_at: r.submittedAt,
    // The review's comment on the PR's timeline.
    html_url: `${pullUrl}#issuecomment-${r.id}`,
    pull_request_url: pullUrl,
  };
}

export function fReviewComment(state: ForgeState, repo: RepoState, c: ReviewCommentRec, urls: Urls) {
  const pullUrl = `${urls.web}/${repo.owner}/${repo.name}/pulls/${c.pull}`;
  return {
    id: c.id,
    body: c.body,
    user: fUser(state, c.user, urls),
    resolver: c.resolvedBy ? fUser(state, c.resolvedBy, urls) : null,
    pull_request_review_id: c.reviewId,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: '',
    // The cut patch's hunk, from its `@@` line (services/convert/pull_review.go patch2diff).
    diff_hunk: c.diffHunk,
    position: c.line,
    original_position: 0,
    html_url: `${pullUrl}#issuecomment-${c.id}`,
    pull_request_url: pullUrl,
  };
}

export function fStatus(state: ForgeState, repo: RepoState, s: StatusRec, urls: Urls) {
  return {
    id: s.id,
    status: s.state,
    target_url: s.targetUrl,
    description: s.description,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/statuses/${s.sha}`,
    context: s.context,
    creator: fUser(state, s.creator ?? repo.owner, urls),
    created_at: s.createdAt,
    updated_at: s.createdAt,
  };
}

/** The v15 ActionRun status: unknown, waiting, running, success, failure, cancelled, skipped, blocked. */
export function runStatus(r: WorkflowRunRec): string {
  if (r.status === 'in_progress') return 'running';
  if (r.status !== 'completed') return 'waiting';
  return ['success', 'failure', 'cancelled', 'skipped'].includes(r.conclusion ?? '') ? r.conclusion! : 'failure';
}

export function fRun(state: ForgeState, repo: RepoState, r: WorkflowRunRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const ref = r.headBranch.startsWith('refs/') ? r.headBranch : `refs/heads/${r.headBranch}`;
  return {
    id: r.id,
    title: r.name,
    repository: fRepo(state, repo, urls),
    trigger_user: fUser(state, r.actor, urls),
    prettyref: ref.replace(/^refs\/heads\//, ''),
    is_ref_deleted: false,
    commit_sha: r.headSha,
    is_fork_pull_request: false,
    need_approval: false,
    approved_by: 0,
    event: r.event,
    trigger_event: r.event,
    status: runStatus(r),
    started: r.createdAt,
    stopped: r.status === 'completed' ? r.updatedAt : '0001-01-01T00:00:00Z',
    created: r.createdAt,
    updated: r.updatedAt,
    duration: 0,
    html_url: `${urls.web}/${full}/actions/runs/${r.id}`,
    index_in_repo: r.id,
    workflow_id: r.workflowPath.split('/').at(-1)!,
  };
}

/** A timeline entry for a label change (Forgejo's comment type `label`; body "1" added, "" removed). */
export function fLabelTimeline(state: ForgeState, repo: RepoState, e: IssueEventRec, urls: Urls) {
  const label = repo.labels.find((l) => String(l.id) === e.label);
  return {
    id: e.id,
    type: 'label',
    html_url: `${urls.web}/${repo.owner}/${repo.name}/issues/${e.issue}#issuecomment-${e.id}`,
    user: fUser(state, e.actor, urls),
    body: e.event === 'labeled' ? '1' : '',
    created_at: e.createdAt,
    updated_at: e.createdAt,
    label: label ? fLabel(label, repo, urls) : null,
  };
}
