// Forgejo-mode routes for the server version, the user, repositories, issues, comments, labels (by id;
// names are not unique; unknown names are silently ignored), the timeline and collaborator permission.
// Behaviour from Forgejo's routers/api/v1/repo/issue*.go and models/issues/label.go
// (GetLabelIDsInRepoByNames "silently ignores label names that do not belong to the repository").
import { permissionOf, roleAllows } from './access.js';
import { issueOf, num, updatedSince } from './api-items.js';
import type { ApiRequest } from './api-router.js';
import { forgejoEmit } from './forgejo-events.js';
import { FORGEJO_VERSION, fComment, fIssue, fLabel, fLabelTimeline, fRepo, fUser, labelsOf } from './forgejo-json.js';
import { forgejoRole, forgejoRouteList } from './forgejo-router.js';
import { HttpError } from './http-util.js';
import type { EmbeddedForge } from './server.js';
import type { IssueRec, LabelRec, RepoState, TokenRec } from './state.js';

const { routes, route } = forgejoRouteList();
const notFound = () => new HttpError(404, "The target couldn't be found.", { errors: [] });

route('GET', '/version', 'anyone', () => ({ status: 200, body: { version: FORGEJO_VERSION } }));

route('GET', '/user', 'login', (forge, _repo, req) => ({ status: 200, body: fUser(forge.state, req.token!.login, forge.urls) }));

route('GET', '/repos/{owner}/{repo}', 'read', (forge, repo, req) => {
  const role = forgejoRole(repo, req.token);
  const permission = { admin: role === 'admin', push: ['admin', 'maintain', 'write'].includes(role), pull: true };
  return { status: 200, body: fRepo(forge.state, repo, forge.urls, permission) };
});

route('GET', '/repos/{owner}/{repo}/collaborators/{collaborator}/permission', 'read', (forge, repo, req) => {
  const login = req.params.collaborator!;
  // Only a site admin, a repository admin or the user themself may ask (routers/api/v1/repo/
  // collaborators.go GetRepoPermissions): a writer's token, and the automatic token, get 403.
  const self = login.toLowerCase() === req.token!.login.toLowerCase();
  if (!self && (req.token!.kind === 'workflow' || forgejoRole(repo, req.token) !== 'admin'))
    throw new HttpError(
      403,
      'Only admins can query all permissions, repo admins can query all repo perms and collaborators can query their own',
    );
  if (!forge.state.users.has(login.toLowerCase())) throw notFound();
  const role = permissionOf(repo, login);
  const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  return { status: 200, body: { permission: legacy, role_name: legacy, user: fUser(forge.state, login, forge.urls) } };
});

// ---- issues ----

route('GET', '/repos/{owner}/{repo}/issues', 'read', (forge, repo, req) => {
  const q = req.url.searchParams;
  const state = q.get('state') ?? 'open';
  const type = q.get('type');
  // "Fetch only issues that have any of this labels. Non existent labels are discarded."
  const names = (q.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const ids = new Set(repo.labels.filter((l) => names.includes(l.name.toLowerCase())).map((l) => String(l.id)));
  const items = repo.issues
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => !type || (type === 'pulls') === i.isPull)
    .filter((i) => names.length === 0 || ids.size === 0 || i.labels.some((l) => ids.has(l)))
    // "Only show items updated after the given time."
    .filter((i) => updatedSince(i.updatedAt, q.get('since')))
    // sort: `latest` (the default) or `oldest`; numbers follow creation here.
    .sort((a, b) => (q.get('sort') === 'oldest' ? a.number - b.number : b.number - a.number))
    .map((i) => fIssue(forge.state, repo, i, forge.urls, repo.pulls.get(i.number)));
  return { status: 200, list: items };
});

route('POST', '/repos/{owner}/{repo}/issues', 'read', async (forge, repo, req) => {
  const body = req.body as { title: string; body?: string; labels?: number[]; closed?: boolean };
  const issue = newIssue(forge, repo, { title: body.title, body: body.body ?? '', user: req.token!.login, isPull: false });
  // Labels (ids) only for those who may write issues; unknown ids are dropped. No label event on creation.
  if (roleAllows(forgejoRole(repo, req.token), 'write'))
    for (const id of body.labels ?? []) if (repo.labels.some((l) => l.id === id)) issue.labels.push(String(id));
  await forgejoEmit(forge, repo, issue, 'opened', req.token!);
  return { status: 201, body: fIssue(forge.state, repo, issue, forge.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{index}', 'read', (forge, repo, req) => {
  const issue = issueOf(repo, num(req.params.index));
  return { status: 200, body: fIssue(forge.state, repo, issue, forge.urls, repo.pulls.get(issue.number)) };
});

route('PATCH', '/repos/{owner}/{repo}/issues/{index}', 'read', async (forge, repo, req) => {
  const issue = issueOf(repo, num(req.params.index));
  mayEdit(repo, req, issue.user);
  const body = req.body as { title?: string; body?: string; state?: string };
  if (body.title !== undefined) issue.title = body.title;
  if (body.body !== undefined) issue.body = body.body;
  const at = forge.state.now();
  if ((body.state === 'open' || body.state === 'closed') && body.state !== issue.state) {
    issue.state = body.state;
    issue.closedAt = body.state === 'closed' ? at : null;
    repo.events.push({
      id: forge.state.id(),
      issue: issue.number,
      event: body.state === 'closed' ? 'closed' : 'reopened',
      actor: req.token!.login,
      createdAt: at,
    });
    await forgejoEmit(forge, repo, issue, body.state === 'closed' ? 'closed' : 'reopened', req.token!);
  }
  issue.updatedAt = at;
  return { status: 201, body: fIssue(forge.state, repo, issue, forge.urls, repo.pulls.get(issue.number)) };
});

route('GET', '/repos/{owner}/{repo}/issues/{index}/comments', 'read', (forge, repo, req) => {
  const n = issueOf(repo, num(req.params.index)).number;
  return { status: 200, body: repo.comments.filter((c) => c.issue === n).map((c) => fComment(forge.state, repo, c, forge.urls)) };
});

route('POST', '/repos/{owner}/{repo}/issues/{index}/comments', 'read', (forge, repo, req) => {
  const issue = issueOf(repo, num(req.params.index));
  const at = forge.state.now();
  const c = {
    id: forge.state.id(),
    issue: issue.number,
    body: String(req.body.body),
    user: req.token!.login,
    createdAt: at,
    updatedAt: at,
  };
  repo.comments.push(c);
  return { status: 201, body: fComment(forge.state, repo, c, forge.urls) };
});

route('PATCH', '/repos/{owner}/{repo}/issues/comments/{id}', 'read', (forge, repo, req) => {
  const c = repo.comments.find((x) => x.id === num(req.params.id));
  if (!c) throw notFound();
  mayEdit(repo, req, c.user);
  c.body = String(req.body.body);
  c.updatedAt = forge.state.now();
  return { status: 200, body: fComment(forge.state, repo, c, forge.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{index}/timeline', 'read', (forge, repo, req) => {
  const n = issueOf(repo, num(req.params.index)).number;
  const labelEvents = repo.events.filter((e) => e.issue === n && (e.event === 'labeled' || e.event === 'unlabeled'));
  return { status: 200, list: labelEvents.map((e) => fLabelTimeline(forge.state, repo, e, forge.urls)) };
});

// ---- labels ----

route('GET', '/repos/{owner}/{repo}/labels', 'read', (forge, repo) => ({
  status: 200,
  list: repo.labels.map((l) => fLabel(l, repo, forge.urls)),
}));

route('POST', '/repos/{owner}/{repo}/labels', 'write', (forge, repo, req) => {
  const body = req.body as { name: string; color: string; description?: string };
  const color = body.color.replace(/^#/, '');
  if (!/^([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) throw new HttpError(422, `invalid color: ${body.color}`);
  // Names are not unique: a second label of the same name is created (no 409/422).
  const label: LabelRec = { id: forge.state.id(), name: body.name, color: color.toLowerCase(), description: body.description ?? '' };
  repo.labels.push(label);
  return { status: 201, body: fLabel(label, repo, forge.urls) };
});

route('POST', '/repos/{owner}/{repo}/issues/{index}/labels', 'write', async (forge, repo, req) => {
  const issue = issueOf(repo, num(req.params.index));
  const given = (req.body.labels as unknown[] | undefined) ?? [];
  const ids = given.filter((l): l is number => typeof l === 'number');
  const names = given.filter((l): l is string => typeof l === 'string').map((n) => n.toLowerCase());
  if (ids.length && names.length) throw new HttpError(400, 'labels should be an array of strings or integers');
  // Every label of a given name (names are not unique); unknown names and ids are silently ignored.
  const found = repo.labels.filter((l) => ids.includes(l.id) || names.includes(l.name.toLowerCase()));
  for (const label of found) await addLabel(forge, repo, issue, label, req.token!);
  return { status: 200, body: labelsOf(repo, issue, forge.urls) };
});

route('DELETE', '/repos/{owner}/{repo}/issues/{index}/labels/{identifier}', 'write', async (forge, repo, req) => {
  const issue = issueOf(repo, num(req.params.index));
  const id = req.params.identifier!;
  // By id, or by name (Forgejo ≥ v13): a name that is no label of the repository is 422.
  const matching = /^\d+$/.test(id)
    ? repo.labels.filter((l) => String(l.id) === id)
    : repo.labels.filter((l) => l.name.toLowerCase() === id.toLowerCase());
  if (matching.length === 0) throw new HttpError(422, `label does not exist: ${id}`);
  for (const label of matching) await removeLabel(forge, repo, issue, label, req.token!);
  return { status: 204 };
});

// ---- helpers ----

function mayEdit(repo: RepoState, req: ApiRequest, author: string): void {
  if (req.token!.login.toLowerCase() !== author.toLowerCase() && !roleAllows(forgejoRole(repo, req.token), 'write'))
    throw new HttpError(403, 'user should be the author or have write access');
}

export function newIssue(
  forge: EmbeddedForge,
  repo: RepoState,
  f: { title: string; body: string; user: string; isPull: boolean },
): IssueRec {
  const at = forge.state.now();
  const issue: IssueRec = {
    id: forge.state.id(),
    number: forge.state.nextNumber(repo),
    ...f,
    state: 'open',
    stateReason: null,
    labels: [],
    createdAt: at,
    updatedAt: at,
    closedAt: null,
  };
  repo.issues.push(issue);
  return issue;
}

/** Adds one label (by id) with its timeline entry and a `label_updated` event carrying the label. */
async function addLabel(forge: EmbeddedForge, repo: RepoState, issue: IssueRec, label: LabelRec, token: TokenRec): Promise<void> {
  if (issue.labels.includes(String(label.id))) return;
  issue.labels.push(String(label.id));
  await labelChanged(forge, repo, issue, label, token, 'labeled');
}

/** Removes one label; `label_cleared` when none is left, else `label_updated` (Forgejo's notifier). */
async function removeLabel(forge: EmbeddedForge, repo: RepoState, issue: IssueRec, label: LabelRec, token: TokenRec): Promise<void> {
  const at = issue.labels.findIndex((l) => l === String(label.id) || l.toLowerCase() === label.name.toLowerCase());
  if (at < 0) return;
  issue.labels.splice(at, 1);
  await labelChanged(forge, repo, issue, label, token, 'unlabeled');
}

async function labelChanged(
  forge: EmbeddedForge,
  repo: RepoState,
  issue: IssueRec,
  label: LabelRec,
  token: TokenRec,
  event: 'labeled' | 'unlabeled',
) {
  const at = forge.state.now();
  issue.updatedAt = at;
  repo.events.push({ id: forge.state.id(), issue: issue.number, event, label: String(label.id), actor: token.login, createdAt: at });
  const action = event === 'unlabeled' && issue.labels.length === 0 ? 'label_cleared' : 'label_updated';
  await forgejoEmit(forge, repo, issue, action, token, { label: fLabel(label, repo, forge.urls) });
}

export const forgejoIssueRoutes = routes;
