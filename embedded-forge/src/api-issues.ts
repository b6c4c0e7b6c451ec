// REST routes for the repository, issues, comments, timeline events and labels.

import { maySetLabelsOnCreate } from './access.js';
import { addLabels, createIssueRec, emitItem, ensureLabel, issueOf, now, num, removeLabel, updatedSince } from './api-items.js';
import { permissionOf, routeList } from './api-router.js';
import * as git from './git-ops.js';
import { commentJson, issueJson, labelJson, repoJson, userJson } from './github-json.js';
import { HttpError, notFound } from './http-util.js';

const { routes, route } = routeList();

// ---- routes: identity and repository ----

// Installation tokens (the workflow token, App tokens) may not ask: the router answers 403.
route('GET', '/user', (host, _repo, req) => ({ status: 200, body: userJson(host.state, req.token!.login, host.urls) }));

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
  const wanted = (req.url.searchParams.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const items = repo.issues
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
    // "Only show results that were last updated after the given time."
    .filter((i) => updatedSince(i.updatedAt, req.url.searchParams.get('since')))
    // sort=created (the default) with direction=asc: oldest first; numbers follow creation here.
    .sort((a, b) => (ascending(req.url.searchParams) ? a.number - b.number : b.number - a.number))
    .map((i) => issueJson(host.state, repo, i, host.urls));
  return { status: 200, list: items };
});

/** GitHub's list order: `direction` defaults to desc; only `sort=created` (the default) is modelled. */
function ascending(q: URLSearchParams): boolean {
  return (q.get('sort') ?? 'created') === 'created' && q.get('direction') === 'asc';
}

route('POST', '/repos/{owner}/{repo}/issues', async (host, repo, req) => {
  const body = req.body as { title: string; body?: string; labels?: string[] };
  const issue = createIssueRec(host, repo, { title: String(body.title), body: body.body ?? '', user: req.token!.login, isPull: false });
  await emitItem(host, repo, issue, 'opened', req.token!);
  // "Only users with push access can set labels for new issues. Labels are silently dropped otherwise."
  if (maySetLabelsOnCreate(repo, req.token!)) await addLabels(host, repo, issue, body.labels ?? [], req.token!);
  return { status: 201, body: issueJson(host.state, repo, issue, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/issues/{issue_number}', (host, repo, req) => ({
  status: 200,
  body: issueJson(host.state, repo, issueOf(repo, num(req.params.issue_number)), host.urls),
}));

route('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  const body = req.body as { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: string };
  if (body.title !== undefined) issue.title = body.title;
  if (body.body !== undefined) issue.body = body.body;
  if (body.state && body.state !== issue.state) {
    issue.state = body.state;
    issue.closedAt = body.state === 'closed' ? now(host) : null;
    issue.stateReason = body.state === 'closed' ? (body.state_reason ?? 'completed') : null;
    repo.events.push({
      id: host.state.id(),
      issue: issue.number,
      event: body.state === 'closed' ? 'closed' : 'reopened',
      actor: req.token!.login,
      createdAt: now(host),
    });
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

route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (host, repo, req) => {
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

route('GET', '/repos/{owner}/{repo}/labels', (host, repo) => ({
  status: 200,
  list: repo.labels.map((l) => labelJson(l, repo, host.urls)),
}));

route('POST', '/repos/{owner}/{repo}/labels', (host, repo, req) => {
  const body = req.body as { name: string; color?: string; description?: string };
  if (repo.labels.some((l) => l.name.toLowerCase() === body.name.toLowerCase())) {
    throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] });
  }
  const label = {
    id: host.state.id(),
    name: body.name,
    color: (body.color ?? 'ededed').replace(/^#/, ''),
    description: body.description ?? '',
  };
  repo.labels.push(label);
  return { status: 201, body: labelJson(label, repo, host.urls) };
});

route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  const raw = req.body.labels as unknown[];
  const names = raw.map((l) => (typeof l === 'string' ? l : String((l as { name: string }).name)));
  await addLabels(host, repo, issue, names, req.token!);
  return { status: 200, body: issue.labels.map((n) => labelJson(ensureLabel(host, repo, n), repo, host.urls)) };
});

route('DELETE', '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', async (host, repo, req) => {
  const issue = issueOf(repo, num(req.params.issue_number));
  if (!(await removeLabel(host, repo, issue, req.params.name!, req.token!))) throw new HttpError(404, 'Label does not exist');
  return { status: 200, body: issue.labels.map((n) => labelJson(ensureLabel(host, repo, n), repo, host.urls)) };
});

export const issueRoutes = routes;
