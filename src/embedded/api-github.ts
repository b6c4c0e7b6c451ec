// The GitHub REST subset agentloop uses, served from the embedded forge's state and real git.
// Every request can be validated against GitHub's OpenAPI description before it is handled.
import type { Permission } from '../core/model.js';
import type { ForgeEvent } from './events.js';
import * as git from './git-ops.js';
import {
  checkRunJson,
  commentJson,
  hashPath,
  issueJson,
  jobJson,
  labelJson,
  pullJson,
  repoJson,
  statusJson,
  userJson,
  workflowRunJson,
  type Urls,
} from './github-json.js';
import { HttpError, notFound } from './http-util.js';
import type { ForgeState, IssueRec, PullRec, RepoState, TokenRec } from './state.js';

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  token: TokenRec | undefined;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Items to paginate (the server slices them and adds the Link header). */
  list?: unknown[];
}

export interface ApiHost {
  state: ForgeState;
  urls: Urls;
  emit(event: Omit<ForgeEvent, 'repo' | 'ref' | 'sha'> & { ref?: string; sha?: string }, repo: RepoState): void;
  /** Merge state of a PR as GitHub would report it now (null while "computing"). */
  mergeState(repo: RepoState, pull: PullRec): Promise<{ mergeable: boolean | null; mergeableState: string }>;
  /** Called after anything moved a branch through the API (merge, update-branch, ref delete). */
  branchMoved(repo: RepoState, ref: string, before: string | null, after: string | null, token: TokenRec | undefined): void;
  /** true = accepted; false = no such workflow (404); a string = refused (422) with that message. */
  dispatch(repo: RepoState, workflowPath: string, ref: string, inputs: Record<string, unknown>, token: TokenRec): boolean | string | void | Promise<boolean | string | void>;
  readLog(repo: RepoState, jobId: number): string | undefined;
}

type Handler = (host: ApiHost, repo: RepoState, req: ApiRequest) => Promise<ApiResponse> | ApiResponse;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler | ((host: ApiHost, repo: undefined, req: ApiRequest) => ApiResponse | Promise<ApiResponse>);
  repoScoped: boolean;
  /** The repository role the route needs (GitHub: anyone who can read may open issues and comment). */
  needs: 'read' | 'triage' | 'write';
}

const routes: Route[] = [];

function route(method: string, path: string, optsOrHandler: { needs?: 'read' | 'triage' | 'write' } | Handler, maybeHandler?: Handler): void {
  const opts = typeof optsOrHandler === 'function' ? {} : optsOrHandler;
  const handler = (typeof optsOrHandler === 'function' ? optsOrHandler : maybeHandler)!;
  const keys: string[] = [];
  // {path} and {ref} may hold slashes (contents paths, refs); other parameters may not.
  const source = path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    keys.push(key);
    return key === 'path' || key === 'ref' ? '(.+)' : '([^/]+)';
  });
  routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler, repoScoped: path.startsWith('/repos/'), needs: opts.needs ?? (method === 'GET' ? 'read' : 'write') });
}

export function matchRoute(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
    return { route: r, params };
  }
  return undefined;
}

export function permissionOf(repo: RepoState, login: string): Permission {
  return repo.collaborators.get(login.toLowerCase()) ?? 'read';
}

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
const allows = (p: Permission, needs: 'read' | 'triage' | 'write') => RANK[p] >= RANK[needs];

export async function handleApi(host: ApiHost, req: ApiRequest): Promise<ApiResponse> {
  const found = matchRoute(req.method, req.url.pathname);
  if (!found) throw notFound();
  req.params = found.params;
  if (!req.token) throw new HttpError(401, 'Requires authentication');
  if (!found.route.repoScoped) return (found.route.handler as Handler)(host, undefined as unknown as RepoState, req);
  const repo = host.state.repo(found.params.owner!, found.params.repo!);
  if (!repo) throw notFound();
  if (!req.token.automatic && !allows(permissionOf(repo, req.token.login), found.route.needs)) {
    throw new HttpError(403, 'Resource not accessible by integration');
  }
  return (found.route.handler as Handler)(host, repo, req);
}

// ---- helpers ----

const now = (host: ApiHost) => host.state.now();
const num = (v: string | undefined) => Number.parseInt(v ?? '', 10);

function issueOf(repo: RepoState, n: number): IssueRec {
  const issue = repo.issues.find((i) => i.number === n);
  if (!issue) throw notFound();
  return issue;
}

function pullOf(repo: RepoState, n: number): { issue: IssueRec; pull: PullRec } {
  const pull = repo.pulls.get(n);
  if (!pull) throw notFound();
  return { issue: issueOf(repo, n), pull };
}

function issuePayload(host: ApiHost, repo: RepoState, issue: IssueRec) {
  return issue.isPull
    ? { name: 'pull_request', key: 'pull_request' as const }
    : { name: 'issues', key: 'issue' as const };
}

async function itemJsonFor(host: ApiHost, repo: RepoState, issue: IssueRec) {
  if (!issue.isPull) return issueJson(host.state, repo, issue, host.urls);
  const pull = repo.pulls.get(issue.number)!;
  return pullJson(host.state, repo, issue, pull, host.urls, await host.mergeState(repo, pull));
}

async function emitItem(host: ApiHost, repo: RepoState, issue: IssueRec, action: string, token: TokenRec, extra: Record<string, unknown> = {}) {
  const { name, key } = issuePayload(host, repo, issue);
  host.emit(
    {
      name,
      action,
      payload: {
        action,
        ...(issue.isPull ? { number: issue.number } : {}),
        [key]: await itemJsonFor(host, repo, issue),
        ...extra,
        repository: repoJson(host.state, repo, host.urls),
        sender: userJson(host.state, token.login, host.urls),
      },
      actor: token.login,
      automatic: token.automatic,
    },
    repo,
  );
}

export function ensureLabel(host: ApiHost, repo: RepoState, name: string) {
  let label = repo.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  if (!label) {
    label = { id: host.state.id(), name, color: 'ededed', description: '' };
    repo.labels.push(label);
  }
  return label;
}

/** Add labels as a user would; emits one `labeled` event per new label (as GitHub does). */
export async function addLabels(host: ApiHost, repo: RepoState, issue: IssueRec, names: string[], token: TokenRec): Promise<void> {
  for (const name of names) {
    if (issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) continue;
    const label = ensureLabel(host, repo, name);
    issue.labels.push(label.name);
    issue.updatedAt = now(host);
    repo.events.push({ id: host.state.id(), issue: issue.number, event: 'labeled', label: label.name, actor: token.login, createdAt: now(host) });
    await emitItem(host, repo, issue, 'labeled', token, { label: labelJson(label, repo, host.urls) });
  }
}

export async function removeLabel(host: ApiHost, repo: RepoState, issue: IssueRec, name: string, token: TokenRec): Promise<boolean> {
  const i = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  if (i < 0) return false;
  const [removed] = issue.labels.splice(i, 1);
  issue.updatedAt = now(host);
  repo.events.push({ id: host.state.id(), issue: issue.number, event: 'unlabeled', label: removed!, actor: token.login, createdAt: now(host) });
  const label = ensureLabel(host, repo, removed!);
  await emitItem(host, repo, issue, 'unlabeled', token, { label: labelJson(label, repo, host.urls) });
  return true;
}

export function createIssueRec(host: ApiHost, repo: RepoState, fields: { title: string; body: string; user: string; isPull: boolean }): IssueRec {
  const at = now(host);
  const issue: IssueRec = {
    id: host.state.id(),
    number: host.state.nextNumber(repo),
    title: fields.title,
    body: fields.body,
    state: 'open',
    stateReason: null,
    labels: [],
    user: fields.user,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    isPull: fields.isPull,
  };
  repo.issues.push(issue);
  return issue;
}

// ---- routes: identity and repository ----

route('GET', '/user', (host, _repo, req) => {
  if (req.token!.automatic) throw new HttpError(403, 'Resource not accessible by integration');
  return { status: 200, body: userJson(host.state, req.token!.login, host.urls) };
});

route('GET', '/repos/{owner}/{repo}', (host, repo) => ({ status: 200, body: repoJson(host.state, repo, host.urls) }));

route('GET', '/repos/{owner}/{repo}/contents/{path}', async (host, repo, req) => {
  const ref = req.url.searchParams.get('ref') ?? repo.defaultBranch;
  const path = req.params.path!;
  const text = await git.readFile(repo.gitDir, ref, path);
  if (text === null) throw notFound();
  const full = `${repo.owner}/${repo.name}`;
  return {
    status: 200,
    body: {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(text),
      name: path.split('/').at(-1),
      path,
      content: Buffer.from(text).toString('base64'),
      sha: '0'.repeat(40),
      url: `${host.urls.api}/repos/${full}/contents/${path}`,
      git_url: null,
      html_url: `${host.urls.web}/${full}/blob/${ref}/${path}`,
      download_url: null,
      _links: { self: '', git: null, html: null },
    },
  };
});

route('GET', '/repos/{owner}/{repo}/collaborators/{username}/permission', (host, repo, req) => {
  const login = req.params.username!;
  if (!host.state.users.has(login.toLowerCase())) throw notFound();
  const permission = permissionOf(repo, login);
  const legacy = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
  return { status: 200, body: { permission: legacy, role_name: permission, user: userJson(host.state, login, host.urls) } };
});

// ---- issues, comments, events ----

route('GET', '/repos/{owner}/{repo}/issues', (host, repo, req) => {
  const state = req.url.searchParams.get('state') ?? 'open';
  const wanted = (req.url.searchParams.get('labels') ?? '').split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
  const items = repo.issues
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
    .sort((a, b) => b.number - a.number)
    .map((i) => issueJson(host.state, repo, i, host.urls));
  return { status: 200, list: items };
});

route('POST', '/repos/{owner}/{repo}/issues', { needs: 'read' }, async (host, repo, req) => {
  const body = req.body as { title: string; body?: string; labels?: string[] };
  const issue = createIssueRec(host, repo, { title: String(body.title), body: body.body ?? '', user: req.token!.login, isPull: false });
  await emitItem(host, repo, issue, 'opened', req.token!);
  await addLabels(host, repo, issue, body.labels ?? [], req.token!);
  return { status: 201, body: issueJson(host.state, repo, issue, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{issue_number}', (host, repo, req) => ({
  status: 200,
  body: issueJson(host.state, repo, issueOf(repo, num(req.params.issue_number)), host.urls),
}));

route('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', { needs: 'triage' }, async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  const body = req.body as { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: string };
  if (body.title !== undefined) issue.title = body.title;
  if (body.body !== undefined) issue.body = body.body;
  if (body.state && body.state !== issue.state) {
    issue.state = body.state;
    issue.closedAt = body.state === 'closed' ? now(host) : null;
    issue.stateReason = body.state === 'closed' ? (body.state_reason ?? 'completed') : null;
    repo.events.push({ id: host.state.id(), issue: issue.number, event: body.state === 'closed' ? 'closed' : 'reopened', actor: req.token!.login, createdAt: now(host) });
    await emitItem(host, repo, issue, body.state === 'closed' ? 'closed' : 'reopened', req.token!);
  }
  issue.updatedAt = now(host);
  return { status: 200, body: issueJson(host.state, repo, issue, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (host, repo, req) => {
  const n = num(req.params.issue_number);
  issueOf(repo, n);
  return { status: 200, list: repo.comments.filter((c) => c.issue === n).map((c) => commentJson(host.state, repo, c, host.urls)) };
});

route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', { needs: 'read' }, (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  const at = now(host);
  const c = { id: host.state.id(), issue: issue.number, body: String(req.body.body), user: req.token!.login, createdAt: at, updatedAt: at };
  repo.comments.push(c);
  return { status: 201, body: commentJson(host.state, repo, c, host.urls) };
});

route('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (host, repo, req) => {
  const c = repo.comments.find((x) => x.id === num(req.params.comment_id));
  if (!c) throw notFound();
  c.body = String(req.body.body);
  c.updatedAt = now(host);
  return { status: 200, body: commentJson(host.state, repo, c, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/events', (host, repo, req) => {
  const n = num(req.params.issue_number);
  issueOf(repo, n);
  const items = repo.events
    .filter((e) => e.issue === n)
    .map((e) => ({
      id: e.id,
      node_id: `LE_${e.id}`,
      url: '',
      actor: userJson(host.state, e.actor, host.urls),
      event: e.event,
      commit_id: null,
      commit_url: null,
      created_at: e.createdAt,
      ...(e.label ? { label: { name: e.label, color: ensureLabel(host, repo, e.label).color } } : {}),
    }));
  return { status: 200, list: items };
});

// ---- labels ----

route('GET', '/repos/{owner}/{repo}/labels', (host, repo) => ({ status: 200, list: repo.labels.map((l) => labelJson(l, repo, host.urls)) }));

route('POST', '/repos/{owner}/{repo}/labels', (host, repo, req) => {
  const body = req.body as { name: string; color?: string; description?: string };
  if (repo.labels.some((l) => l.name.toLowerCase() === body.name.toLowerCase())) {
    throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] });
  }
  const label = { id: host.state.id(), name: body.name, color: (body.color ?? 'ededed').replace(/^#/, ''), description: body.description ?? '' };
  repo.labels.push(label);
  return { status: 201, body: labelJson(label, repo, host.urls) };
});

route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', { needs: 'triage' }, async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  const raw = req.body.labels as unknown[];
  const names = raw.map((l) => (typeof l === 'string' ? l : String((l as { name: string }).name)));
  await addLabels(host, repo, issue, names, req.token!);
  return { status: 200, body: issue.labels.map((n) => labelJson(ensureLabel(host, repo, n), repo, host.urls)) };
});

route('DELETE', '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { needs: 'triage' }, async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  if (!(await removeLabel(host, repo, issue, req.params.name!, req.token!))) throw new HttpError(404, 'Label does not exist');
  return { status: 200, body: issue.labels.map((n) => labelJson(ensureLabel(host, repo, n), repo, host.urls)) };
});

// ---- pull requests ----

route('GET', '/repos/{owner}/{repo}/pulls', async (host, repo, req) => {
  const state = req.url.searchParams.get('state') ?? 'open';
  const out = [];
  for (const [n, pull] of [...repo.pulls].sort((a, b) => b[0] - a[0])) {
    const issue = issueOf(repo, n);
    if (state !== 'all' && issue.state !== state) continue;
    // The list endpoint does not compute mergeability (as on GitHub).
    out.push(pullJson(host.state, repo, issue, pull, host.urls, { mergeable: null, mergeableState: 'unknown' }));
  }
  return { status: 200, list: out };
});

route('POST', '/repos/{owner}/{repo}/pulls', async (host, repo, req) => {
  const body = req.body as { title?: string; body?: string; head: string; base: string; draft?: boolean };
  const head = body.head.includes(':') ? body.head.split(':')[1]! : body.head;
  const headSha = await git.revParse(repo.gitDir, `refs/heads/${head}`);
  if (!headSha || !(await git.revParse(repo.gitDir, `refs/heads/${body.base}`))) {
    throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', field: headSha ? 'base' : 'head', code: 'invalid' }] });
  }
  for (const [n, p] of repo.pulls) {
    if (p.head === head && p.base === body.base && issueOf(repo, n).state === 'open') {
      throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${head}.` }] });
    }
  }
  const issue = createIssueRec(host, repo, { title: body.title ?? head, body: body.body ?? '', user: req.token!.login, isPull: true });
  const pull: PullRec = { number: issue.number, head, base: body.base, headSha, headRepo: `${repo.owner}/${repo.name}`, draft: !!body.draft, merged: false, mergedAt: null, mergeCommitSha: null, mergedBy: null };
  repo.pulls.set(issue.number, pull);
  await emitItem(host, repo, issue, 'opened', req.token!);
  return { status: 201, body: await itemJsonFor(host, repo, issue) };
});

route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', async (host, repo, req) => {
  const { issue } = pullOf(repo, num(req.params.pull_number));
  return { status: 200, body: await itemJsonFor(host, repo, issue) };
});

route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', async (host, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.pull_number));
  const body = req.body as { sha?: string; merge_method?: 'merge' | 'squash' | 'rebase'; commit_title?: string; commit_message?: string };
  if (pull.merged) throw new HttpError(405, 'Pull Request is not mergeable');
  if (issue.state !== 'open') throw new HttpError(422, 'Pull Request is not open');
  if (body.sha && body.sha !== pull.headSha) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
  const state = await host.mergeState(repo, pull);
  if (state.mergeable === false || pull.draft) throw new HttpError(405, 'Pull Request is not mergeable');
  if (state.mergeableState === 'blocked') throw new HttpError(405, 'At least 1 approving review is required by reviewers with write access.');
  const before = await git.revParse(repo.gitDir, `refs/heads/${pull.base}`);
  let sha: string;
  try {
    const method = body.merge_method ?? 'merge';
    const title = body.commit_title ?? (method === 'merge' ? `Merge pull request #${issue.number} from ${repo.owner}/${pull.head}` : `${issue.title} (#${issue.number})`);
    ({ sha } = await git.mergePull(repo.gitDir, { base: pull.base, head: pull.head, method, title, message: body.commit_message ?? issue.body ?? '' }));
  } catch (err) {
    if (err instanceof git.MergeConflictError || err instanceof git.NothingToMergeError) throw new HttpError(405, 'Pull Request is not mergeable');
    if (err instanceof git.RefChangedError) throw new HttpError(405, 'Base branch was modified. Review and try the merge again.');
    throw err;
  }
  const at = now(host);
  Object.assign(pull, { merged: true, mergedAt: at, mergeCommitSha: sha, mergedBy: req.token!.login });
  Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
  repo.events.push({ id: host.state.id(), issue: issue.number, event: 'merged', actor: req.token!.login, createdAt: at });
  await emitItem(host, repo, issue, 'closed', req.token!);
  host.branchMoved(repo, `refs/heads/${pull.base}`, before, sha, req.token);
  return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
});

route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch', async (host, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.pull_number));
  const expected = req.body.expected_head_sha as string | undefined;
  if (expected && expected !== pull.headSha) throw new HttpError(422, 'expected_head_sha does not match the head of the pull request');
  const state = await git.mergeability(repo.gitDir, pull.base, pull.head);
  if (state.behindBy === 0) throw new HttpError(422, 'There are no new commits on the base branch.');
  if (!state.mergeable) throw new HttpError(422, 'merge conflict between base and head');
  const before = pull.headSha;
  const sha = await git.updateBranch(repo.gitDir, { base: pull.base, head: pull.head, ...(expected ? { expectedHeadSha: expected } : {}) });
  host.branchMoved(repo, `refs/heads/${pull.head}`, before, sha, req.token);
  return { status: 202, body: { message: 'Updating pull request branch.', url: `${host.urls.web}/${repo.owner}/${repo.name}/pull/${pull.number}` } };
});

route('DELETE', '/repos/{owner}/{repo}/git/refs/{ref}', async (host, repo, req) => {
  const ref = `refs/${req.params.ref!}`;
  const before = await git.revParse(repo.gitDir, ref);
  if (!before) throw new HttpError(422, 'Reference does not exist');
  await git.deleteRef(repo.gitDir, ref);
  host.branchMoved(repo, ref, before, null, req.token);
  return { status: 204 };
});

// ---- CI: statuses, check runs, workflow runs ----

async function shaOf(repo: RepoState, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  const sha = (await git.revParse(repo.gitDir, `refs/heads/${ref}`)) ?? (await git.revParse(repo.gitDir, ref));
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

route('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', async (host, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const runs = repo.checkRuns.filter((c) => c.sha === sha);
  // filter=latest (the default): the newest check run per name.
  const latest = new Map<string, (typeof runs)[number]>();
  for (const c of runs) latest.set(c.name, c);
  const items = [...latest.values()].map((c) => checkRunJson(repo, c, host.urls));
  return { status: 200, body: { total_count: items.length, check_runs: items }, list: undefined };
});

route('GET', '/repos/{owner}/{repo}/commits/{ref}/status', async (host, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const latest = new Map<string, (typeof repo.statuses)[number]>();
  for (const s of repo.statuses.filter((x) => x.sha === sha)) latest.set(s.context, s);
  const statuses = [...latest.values()];
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error') ? 'failure' : statuses.every((s) => s.state === 'success') && statuses.length ? 'success' : 'pending';
  return {
    status: 200,
    body: { state, sha, total_count: statuses.length, statuses: statuses.map((s) => statusJson(host.state, s, host.urls)), repository: repoJson(host.state, repo, host.urls), commit_url: '', url: '' },
  };
});

route('POST', '/repos/{owner}/{repo}/statuses/{sha}', (host, repo, req) => {
  const body = req.body as { state: 'pending' | 'success' | 'failure' | 'error'; context?: string; description?: string; target_url?: string };
  const s = { id: host.state.id(), sha: req.params.sha!, context: body.context ?? 'default', state: body.state, description: body.description ?? '', targetUrl: body.target_url ?? '', createdAt: now(host) };
  repo.statuses.push(s);
  return { status: 201, body: statusJson(host.state, s, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/actions/runs', (host, repo, req) => {
  const q = req.url.searchParams;
  const runs = repo.runs
    .filter((r) => !q.get('branch') || r.headBranch === q.get('branch'))
    .filter((r) => !q.get('event') || r.event === q.get('event'))
    .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
    .filter((r) => {
      const s = q.get('status');
      if (!s) return true;
      return s === r.status || s === r.conclusion;
    })
    .sort((a, b) => b.id - a.id)
    .map((r) => workflowRunJson(host.state, repo, r, host.urls));
  const perPage = Math.min(Number(q.get('per_page') ?? 30) || 30, 100);
  return { status: 200, body: { total_count: runs.length, workflow_runs: runs.slice(0, perPage) } };
});

route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', (host, repo, req) => {
  const run = repo.runs.find((r) => r.id === num(req.params.run_id));
  if (!run) throw notFound();
  return { status: 200, body: workflowRunJson(host.state, repo, run, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', (host, repo, req) => {
  const run = repo.runs.find((r) => r.id === num(req.params.run_id));
  if (!run) throw notFound();
  const jobs = run.jobs.map((j) => jobJson(repo, run, j, host.urls));
  return { status: 200, body: { total_count: jobs.length, jobs } };
});

route('GET', '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', (host, repo, req) => {
  const log = host.readLog(repo, num(req.params.job_id));
  if (log === undefined) throw notFound();
  return { status: 200, body: log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
});

route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', async (host, repo, req) => {
  const id = req.params.workflow_id!;
  const path = /^\d+$/.test(id) ? undefined : id.includes('/') ? id : `.github/workflows/${id}`;
  const workflowPath = path ?? repoWorkflowById(host, repo, Number(id));
  if (!workflowPath) throw notFound();
  const body = req.body as { ref: string; inputs?: Record<string, unknown> };
  const accepted = await host.dispatch(repo, workflowPath, body.ref, body.inputs ?? {}, req.token!);
  if (accepted === false) throw notFound();
  if (typeof accepted === 'string') throw new HttpError(422, accepted);
  return { status: 204 };
});

function repoWorkflowById(_host: ApiHost, repo: RepoState, id: number): string | undefined {
  return repo.runs.find((r) => hashPath(r.workflowPath) === id)?.workflowPath;
}

export function workflowIdOf(path: string): number {
  return hashPath(path);
}
