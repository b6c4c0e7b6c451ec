// GitHub REST object shapes built from the embedded forge's state.
import type {
  CheckRunRec,
  CommentRec,
  ForgeState,
  IssueRec,
  JobRec,
  LabelRec,
  PullRec,
  RepoState,
  ReviewCommentRec,
  ReviewRec,
  StatusRec,
  WorkflowRunRec,
} from './state.js';

export interface Urls {
  api: string;
  web: string;
}

/** GitHub's simple-user: every field its schema requires. */
export function userJson(state: ForgeState, login: string, urls: Urls) {
  const u = state.user(login);
  const url = `${urls.api}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: `U_${u.id}`,
    avatar_url: '',
    gravatar_id: '',
    url,
    html_url: `${urls.web}/${u.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: u.type,
    site_admin: false,
  };
}

export function repoJson(state: ForgeState, repo: RepoState, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: full,
    private: repo.private,
    owner: userJson(state, repo.owner, urls),
    html_url: `${urls.web}/${full}`,
    url: `${urls.api}/repos/${full}`,
    clone_url: `${urls.web}/${full}.git`,
    default_branch: repo.defaultBranch,
    fork: false,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    delete_branch_on_merge: false,
  };
}

export function labelJson(label: LabelRec, repo: RepoState, urls: Urls) {
  return {
    id: label.id,
    node_id: `LA_${label.id}`,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    description: label.description,
    default: false,
  };
}

function labelsOf(repo: RepoState, names: string[], urls: Urls) {
  return names.map((n) => {
    const rec = repo.labels.find((l) => l.name.toLowerCase() === n.toLowerCase());
    return labelJson(rec ?? { id: 0, name: n, color: 'ededed', description: '' }, repo, urls);
  });
}

export function issueJson(state: ForgeState, repo: RepoState, issue: IssueRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const kind = issue.isPull ? 'pull' : 'issues';
  return {
    id: issue.id,
    node_id: `I_${issue.id}`,
    url: `${urls.api}/repos/${full}/issues/${issue.number}`,
    repository_url: `${urls.api}/repos/${full}`,
    html_url: `${urls.web}/${full}/${kind}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userJson(state, issue.user, urls),
    labels: labelsOf(repo, issue.labels, urls),
    assignee: null,
    assignees: [],
    locked: false,
    comments: repo.comments.filter((c) => c.issue === issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(repo, issue.user),
    ...(issue.isPull
      ? { pull_request: { url: `${urls.api}/repos/${full}/pulls/${issue.number}`, html_url: `${urls.web}/${full}/pull/${issue.number}` } }
      : {}),
  };
}

export function authorAssociation(repo: RepoState, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  return repo.collaborators.has(login.toLowerCase()) ? 'COLLABORATOR' : 'NONE';
}

export function commentJson(state: ForgeState, repo: RepoState, c: CommentRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${urls.api}/repos/${full}/issues/comments/${c.id}`,
    html_url: `${urls.web}/${full}/issues/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${urls.api}/repos/${full}/issues/${c.issue}`,
    body: c.body,
    user: userJson(state, c.user, urls),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: authorAssociation(repo, c.user),
  };
}

export function pullJson(
  state: ForgeState,
  repo: RepoState,
  issue: IssueRec,
  pull: PullRec,
  urls: Urls,
  merge: { mergeable: boolean | null; mergeableState: string },
) {
  const full = `${repo.owner}/${repo.name}`;
  const base = issueJson(state, repo, issue, urls);
  const headRepo =
    pull.headRepo === full
      ? repoJson(state, repo, urls)
      : pull.headRepo
        ? { ...repoJson(state, repo, urls), full_name: pull.headRepo, fork: true }
        : null;
  return {
    id: issue.id,
    node_id: `PR_${issue.id}`,
    url: `${urls.api}/repos/${full}/pulls/${issue.number}`,
    html_url: `${urls.web}/${full}/pull/${issue.number}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    body: issue.body,
    user: base.user,
    labels: base.labels,
    draft: pull.draft,
    merged: pull.merged,
    mergeable: merge.mergeable,
    mergeable_state: merge.mergeableState,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    merged_by: pull.mergedBy ? userJson(state, pull.mergedBy, urls) : null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    head: {
      label: `${pull.headRepo.split('/')[0]}:${pull.head}`,
      ref: pull.head,
      sha: pull.headSha,
      repo: headRepo,
      user: userJson(state, pull.headRepo.split('/')[0] || repo.owner, urls),
    },
    base: {
      label: `${repo.owner}:${pull.base}`,
      ref: pull.base,
      sha: '',
      repo: repoJson(state, repo, urls),
      user: userJson(state, repo.owner, urls),
    },
    author_association: base.author_association,
  };
}

/** A review (pull-request-review). The REST API names states in capitals; webhook payloads in lower case. */
export function reviewJson(state: ForgeState, repo: RepoState, r: ReviewRec, urls: Urls, form: 'rest' | 'webhook' = 'rest') {
  const full = `${repo.owner}/${repo.name}`;
  const html = `${urls.web}/${full}/pull/${r.pull}#pullrequestreview-${r.id}`;
  const pullUrl = `${urls.api}/repos/${full}/pulls/${r.pull}`;
  const upper = r.dismissed ? 'DISMISSED' : r.state;
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userJson(state, r.user, urls),
    body: r.body,
    state: form === 'rest' ? upper : upper.toLowerCase(),
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(repo, r.user),
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
  };
}

/** A review comment (pull-request-review-comment): a line of the new file (side RIGHT). */
export function reviewCommentJson(state: ForgeState, repo: RepoState, c: ReviewCommentRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const url = `${urls.api}/repos/${full}/pulls/comments/${c.id}`;
  const html = `${urls.web}/${full}/pull/${c.pull}#discussion_r${c.id}`;
  const pullUrl = `${urls.api}/repos/${full}/pulls/${c.pull}`;
  return {
    url,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: `PRRC_${c.id}`,
    diff_hunk: c.diffHunk,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    ...(c.inReplyTo !== undefined ? { in_reply_to_id: c.inReplyTo } : {}),
    user: userJson(state, c.user, urls),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(repo, c.user),
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: c.line,
    original_line: c.line,
    side: 'RIGHT',
    subject_type: 'line',
  };
}

export function statusJson(state: ForgeState, s: StatusRec, urls: Urls) {
  return {
    id: s.id,
    node_id: `SC_${s.id}`,
    url: `${urls.api}/statuses/${s.sha}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    avatar_url: '',
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: userJson(state, 'embedded-ci', urls),
  };
}

export function checkRunJson(repo: RepoState, c: CheckRunRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const runUrl = `${urls.web}/${full}/actions/runs/${c.runId}/job/${c.jobId}`;
  return {
    id: c.id,
    head_sha: c.sha,
    node_id: `CR_${c.id}`,
    external_id: String(c.jobId),
    url: `${urls.api}/repos/${full}/check-runs/${c.id}`,
    html_url: runUrl,
    details_url: runUrl,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    name: c.name,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: '' },
    check_suite: { id: c.runId },
    app: null,
    pull_requests: [],
  };
}

export function workflowRunJson(state: ForgeState, repo: RepoState, r: WorkflowRunRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: r.id,
    name: r.name,
    node_id: `WFR_${r.id}`,
    head_branch: r.headBranch,
    head_sha: r.headSha,
    path: r.workflowPath,
    run_number: r.id,
    run_attempt: r.runAttempt,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: hashPath(r.workflowPath),
    url: `${urls.api}/repos/${full}/actions/runs/${r.id}`,
    html_url: `${urls.web}/${full}/actions/runs/${r.id}`,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    actor: userJson(state, r.actor, urls),
    repository: repoJson(state, repo, urls),
    head_repository: repoJson(state, repo, urls),
  };
}

export function jobJson(repo: RepoState, run: WorkflowRunRec, j: JobRec, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: j.id,
    run_id: j.runId,
    run_url: `${urls.api}/repos/${full}/actions/runs/${j.runId}`,
    node_id: `J_${j.id}`,
    head_sha: run.headSha,
    url: `${urls.api}/repos/${full}/actions/jobs/${j.id}`,
    html_url: `${urls.web}/${full}/actions/runs/${j.runId}/job/${j.id}`,
    status: j.status,
    conclusion: j.conclusion,
    started_at: j.startedAt,
    completed_at: j.completedAt,
    name: j.name,
    steps: j.steps.map((s) => ({ ...s, started_at: j.startedAt, completed_at: j.completedAt })),
    labels: ['ubuntu-latest'],
    runner_name: 'embedded',
    workflow_name: run.name,
    head_branch: run.headBranch,
  };
}

/** A stable numeric workflow id from its path. */
export function hashPath(path: string): number {
  let h = 7;
  for (const ch of path) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000_007;
  return h;
}
