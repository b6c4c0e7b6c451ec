// What each request needs, in one table (docs/embedded-forge.md cites GitHub's pages for every rule):
// the repository role a person needs, the fine-grained permissions a GitHub App installation token, the
// workflow token (GITHUB_TOKEN) or a fine-grained PAT must hold, and the classic-PAT scope. The router
// (api-router.ts) and git smart HTTP (git-http.ts) enforce it; tests derive from it which scopes a
// workflow job needs. Pure data and small functions: importable without starting anything
// (`@agentloop/embedded-forge/permissions`).
//
// Sources: "Permissions required for GitHub Apps" and "… for fine-grained personal access tokens"
// (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps,
// https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens),
// and each operation's own page (`docs` below, from GitHub's OpenAPI description).

/** Repository permissions of the fine-grained model, as GitHub names them in X-Accepted-GitHub-Permissions. */
export type Scope =
  | 'actions'
  | 'administration'
  | 'attestations'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'discussions'
  | 'id_token'
  | 'issues'
  | 'metadata'
  | 'models'
  | 'packages'
  | 'pages'
  | 'pull_requests'
  | 'repository_projects'
  | 'security_events'
  | 'statuses'
  | 'workflows';

export type Access = 'read' | 'write';
/** Granted (or required) access per scope; absent = none. */
export type PermissionSet = Partial<Record<Scope, Access>>;

/** A repository role, as GitHub names them (the forge's own type). */
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface RouteRule {
  /** `METHOD /path`, the path as GitHub's OpenAPI description writes it (git: the smart-HTTP endpoint). */
  route: string;
  /** The repository role a person (classic or fine-grained PAT) needs. */
  role: Exclude<Role, 'none'>;
  /** Alternatives: any one set allows the request; within a set every scope is needed (GitHub's header). */
  accepted: PermissionSet[];
  /** Issue-number routes: on a pull request the same access to pull_requests is accepted too. */
  pullRequestsToo?: true;
  /** Only a user may ask (GET /user): installation tokens get 403. */
  userOnly?: true;
  /** The operation's page: the documentation_url of a refusal. */
  docs: string;
}

const REST = 'https://docs.github.com/rest';
const r = (route: string, role: RouteRule['role'], accepted: PermissionSet[], docs: string, extra: Partial<RouteRule> = {}): RouteRule => ({
  route,
  role,
  accepted,
  docs: `${REST}/${docs}`,
  ...extra,
});
const PR: Partial<RouteRule> = { pullRequestsToo: true };

/** Every route the embedded forge serves, and git over smart HTTP. */
export const ROUTE_PERMISSIONS: readonly RouteRule[] = [
  r('GET /user', 'read', [], 'users/users#get-the-authenticated-user', { userOnly: true }),
  r('GET /repos/{owner}/{repo}', 'read', [{ metadata: 'read' }], 'repos/repos#get-a-repository'),
  r('GET /repos/{owner}/{repo}/contents/{path}', 'read', [{ contents: 'read' }], 'repos/contents#get-repository-content'),
  r(
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    'read',
    [{ metadata: 'read' }],
    'collaborators/collaborators#get-repository-permissions-for-a-user',
  ),
  r('GET /repos/{owner}/{repo}/issues', 'read', [{ issues: 'read' }], 'issues/issues#list-repository-issues'),
  // Not scoped to a repository: what the token may read decides what it finds (api-search.ts).
  r('GET /search/issues', 'read', [{ issues: 'read' }], 'search/search#search-issues-and-pull-requests'),
  // Anyone who can read may open an issue (labels need push access: api-issues.ts drops them).
  r('POST /repos/{owner}/{repo}/issues', 'read', [{ issues: 'write' }], 'issues/issues#create-an-issue'),
  r('GET /repos/{owner}/{repo}/issues/{issue_number}', 'read', [{ issues: 'read' }], 'issues/issues#get-an-issue', PR),
  r('PATCH /repos/{owner}/{repo}/issues/{issue_number}', 'triage', [{ issues: 'write' }], 'issues/issues#update-an-issue', PR),
  r('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', 'read', [{ issues: 'read' }], 'issues/comments#list-issue-comments', PR),
  r(
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    'read',
    [{ issues: 'write' }],
    'issues/comments#create-an-issue-comment',
    PR,
  ),
  r(
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
    'write',
    [{ issues: 'write' }],
    'issues/comments#update-an-issue-comment',
    PR,
  ),
  r('GET /repos/{owner}/{repo}/issues/{issue_number}/events', 'read', [{ issues: 'read' }], 'issues/events#list-issue-events', PR),
  r(
    'GET /repos/{owner}/{repo}/labels',
    'read',
    [{ issues: 'read' }, { pull_requests: 'read' }],
    'issues/labels#list-labels-for-a-repository',
  ),
  r('POST /repos/{owner}/{repo}/labels', 'write', [{ issues: 'write' }, { pull_requests: 'write' }], 'issues/labels#create-a-label'),
  r('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', 'triage', [{ issues: 'write' }], 'issues/labels#add-labels-to-an-issue', PR),
  r(
    'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    'triage',
    [{ issues: 'write' }],
    'issues/labels#remove-a-label-from-an-issue',
    PR,
  ),
  r('GET /repos/{owner}/{repo}/pulls', 'read', [{ pull_requests: 'read' }], 'pulls/pulls#list-pull-requests'),
  r('POST /repos/{owner}/{repo}/pulls', 'write', [{ pull_requests: 'write' }], 'pulls/pulls#create-a-pull-request'),
  r('GET /repos/{owner}/{repo}/pulls/{pull_number}', 'read', [{ pull_requests: 'read' }], 'pulls/pulls#get-a-pull-request'),
  r(
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    'read',
    [{ pull_requests: 'read' }],
    'pulls/reviews#list-reviews-for-a-pull-request',
  ),
  // Anyone who can read the repository may review (and comment on) a pull request.
  r(
    'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    'read',
    [{ pull_requests: 'write' }],
    'pulls/reviews#create-a-review-for-a-pull-request',
  ),
  r(
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
    'read',
    [{ pull_requests: 'read' }],
    'pulls/comments#list-review-comments-on-a-pull-request',
  ),
  r(
    'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies',
    'read',
    [{ pull_requests: 'write' }],
    'pulls/comments#create-a-reply-for-a-review-comment',
  ),
  r('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', 'write', [{ contents: 'write' }], 'pulls/pulls#merge-a-pull-request'),
  // "If making a request on behalf of a GitHub App you must also have permissions to write the contents
  // of the head repository" (the operation's description).
  r(
    'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
    'write',
    [{ pull_requests: 'write', contents: 'write' }],
    'pulls/pulls#update-a-pull-request-branch',
  ),
  r('DELETE /repos/{owner}/{repo}/git/refs/{ref}', 'write', [{ contents: 'write' }], 'git/refs#delete-a-reference'),
  r('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', 'read', [{ checks: 'read' }], 'checks/runs#list-check-runs-for-a-git-reference'),
  r(
    'GET /repos/{owner}/{repo}/commits/{ref}/status',
    'read',
    [{ statuses: 'read' }],
    'commits/statuses#get-the-combined-status-for-a-specific-reference',
  ),
  r('POST /repos/{owner}/{repo}/statuses/{sha}', 'write', [{ statuses: 'write' }], 'commits/statuses#create-a-commit-status'),
  r('GET /repos/{owner}/{repo}/actions/workflows', 'read', [{ actions: 'read' }], 'actions/workflows#list-repository-workflows'),
  r('GET /repos/{owner}/{repo}/actions/runs', 'read', [{ actions: 'read' }], 'actions/workflow-runs#list-workflow-runs-for-a-repository'),
  r('GET /repos/{owner}/{repo}/actions/runs/{run_id}', 'read', [{ actions: 'read' }], 'actions/workflow-runs#get-a-workflow-run'),
  r(
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    'read',
    [{ actions: 'read' }],
    'actions/workflow-jobs#list-jobs-for-a-workflow-run',
  ),
  r(
    'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
    'read',
    [{ actions: 'read' }],
    'actions/workflow-jobs#download-job-logs-for-a-workflow-run',
  ),
  r(
    'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    'write',
    [{ actions: 'write' }],
    'actions/workflows#create-a-workflow-dispatch-event',
  ),
  r(
    'GET /repos/{owner}/{repo}/actions/permissions/workflow',
    'admin',
    [{ administration: 'read' }],
    'actions/permissions#get-default-workflow-permissions-for-a-repository',
  ),
  r(
    'PUT /repos/{owner}/{repo}/actions/permissions/workflow',
    'admin',
    [{ administration: 'write' }],
    'actions/permissions#set-default-workflow-permissions-for-a-repository',
  ),
  // git over smart HTTP: clone/fetch and push. Pushes that create or change workflow files also need
  // `workflows` (App, fine-grained PAT) or the `workflow` scope (classic PAT): push-rules.ts.
  { route: 'POST /{owner}/{repo}.git/git-upload-pack', role: 'read', accepted: [{ contents: 'read' }], docs: `${REST}/repos/contents` },
  { route: 'POST /{owner}/{repo}.git/git-receive-pack', role: 'write', accepted: [{ contents: 'write' }], docs: `${REST}/repos/contents` },
];

const BY_ROUTE = new Map(ROUTE_PERMISSIONS.map((rule) => [rule.route, rule]));

/** The rule for `METHOD /path` (the OpenAPI template); undefined for a route the forge does not serve. */
export function ruleFor(route: string): RouteRule | undefined {
  return BY_ROUTE.get(route);
}

export const GIT_FETCH = 'POST /{owner}/{repo}.git/git-upload-pack';
export const GIT_PUSH = 'POST /{owner}/{repo}.git/git-receive-pack';

const LEVEL: Record<Access, number> = { read: 1, write: 2 };

/** Whether `granted` holds every scope of `needed` at least at its level. */
export function satisfies(granted: PermissionSet, needed: PermissionSet): boolean {
  return (Object.entries(needed) as [Scope, Access][]).every(([scope, access]) => {
    const have = granted[scope];
    return have !== undefined && LEVEL[have] >= LEVEL[access];
  });
}

/** GitHub's X-Accepted-GitHub-Permissions value: sets separated by `; `, scopes in a set by `,`. */
export function acceptedHeader(sets: PermissionSet[]): string {
  return sets
    .map((set) =>
      Object.entries(set)
        .map(([scope, access]) => `${scope}=${access}`)
        .join(','),
    )
    .join('; ');
}

/** The union of what a list of routes needs, taking the first accepted set of each (the highest level wins). */
export function scopesFor(routes: string[]): PermissionSet {
  const out: PermissionSet = {};
  for (const route of routes) {
    const rule = ruleFor(route);
    if (!rule) throw new Error(`no permission rule for ${route}`);
    for (const [scope, access] of Object.entries(rule.accepted[0] ?? {}) as [Scope, Access][]) {
      const have = out[scope];
      if (have === undefined || LEVEL[access] > LEVEL[have]) out[scope] = access;
    }
  }
  return out;
}

// ---- the workflow token (GITHUB_TOKEN) ----

/** Scopes a workflow's `permissions:` may name (docs: "Permissions for the GITHUB_TOKEN"); `workflows` is not one. */
export const WORKFLOW_TOKEN_SCOPES: readonly Scope[] = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id_token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull_requests',
  'repository_projects',
  'security_events',
  'statuses',
];

/** A workflow file's `permissions:` value: a mapping of `scope: read|write|none`, or a shorthand. */
export type WorkflowPermissions = Record<string, string> | 'read-all' | 'write-all';

/** The repository setting "Workflow permissions": read (restricted) or write (permissive). */
export type DefaultWorkflowPermissions = 'read' | 'write';

function all(access: Access): PermissionSet {
  const out: PermissionSet = {};
  for (const s of WORKFLOW_TOKEN_SCOPES) out[s] = access;
  // id-token has no read level; models has no write level.
  if (access === 'read') delete out.id_token;
  else out.models = 'read';
  return out;
}

/**
 * The permissions a job's GITHUB_TOKEN gets (GitHub's "Permissions for the GITHUB_TOKEN"):
 * the job's `permissions:`, else the workflow's, else the repository default — restricted (`read`):
 * contents and packages read; permissive (`write`): read/write for every scope but id-token. Naming any
 * scope sets every unnamed one to none; `{}` is none at all. metadata: read is always there. Pull
 * requests from forks get at most read, whatever the file says.
 */
export function workflowTokenPermissions(
  declared: WorkflowPermissions | undefined,
  repoDefault: DefaultWorkflowPermissions,
  fromFork = false,
): PermissionSet {
  let out: PermissionSet;
  if (declared === undefined) out = repoDefault === 'write' ? all('write') : { contents: 'read', packages: 'read' };
  else if (declared === 'read-all') out = all('read');
  else if (declared === 'write-all') out = all('write');
  else {
    out = {};
    for (const [key, value] of Object.entries(declared)) {
      const scope = key.replace(/-/g, '_') as Scope;
      if (!WORKFLOW_TOKEN_SCOPES.includes(scope)) continue;
      if (value === 'read' || value === 'write') out[scope] = value;
    }
  }
  if (fromFork) {
    for (const s of Object.keys(out) as Scope[]) if (out[s] === 'write') out[s] = 'read';
    delete out.id_token;
  }
  return { ...out, metadata: 'read' };
}
