// The Forgejo mode of the embedded forge's REST API, under /api/v1: routing, authentication, Forgejo's
// access rules (a token acts as its user with the user's repository role; the automatic Actions token
// writes to its own repository whatever `permissions:` says), `page`/`limit` pagination capped at 50
// with Link and X-Total-Count headers, and validation of requests and answers against Forgejo's API
// description (swagger.ts), every rejection recorded in `forge.violations`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { permissionOf, roleAllows } from './access.js';
import type { ApiRequest } from './api-router.js';
import { HttpError, readBody, sendJson } from './http-util.js';
import type { EmbeddedForge } from './server.js';
import type { Permission, RepoState, TokenRec } from './state.js';

export const FORGEJO_BASE = '/api/v1';
/** Forgejo's [api] MAX_RESPONSE_ITEMS and DEFAULT_PAGING_NUM defaults. */
export const MAX_RESPONSE_ITEMS = 50;
export const DEFAULT_PAGING_NUM = 30;

/** What a route needs: none (no token), a login, or a role on the repository. */
export type Needs = 'anyone' | 'login' | Permission;

export interface ForgejoResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Items to paginate with `page` and `limit`. */
  list?: unknown[];
}

export type ForgejoHandler = (forge: EmbeddedForge, repo: RepoState, req: ApiRequest) => Promise<ForgejoResponse> | ForgejoResponse;

interface FRoute {
  method: string;
  pattern: RegExp;
  keys: string[];
  needs: Needs;
  handler: ForgejoHandler;
}

const GREEDY = ['filepath', 'branch', 'tag'];

export function forgejoRouteList(): {
  routes: FRoute[];
  route: (method: string, path: string, needs: Needs, handler: ForgejoHandler) => void;
} {
  const routes: FRoute[] = [];
  const route = (method: string, path: string, needs: Needs, handler: ForgejoHandler) => {
    const keys: string[] = [];
    const source = path.replace(/\{(\w+)\}/g, (m, key: string, at: number) => {
      keys.push(key);
      // A trailing file path, branch or tag may hold slashes: Forgejo routes them as `/*` (swagger.ts
      // GREEDY), e.g. DELETE …/branches/agentloop/issue-1.
      return GREEDY.includes(key) && at + m.length === path.length ? '(.+)' : '([^/]+)';
    });
    routes.push({ method, pattern: new RegExp(`^${source}$`), keys, needs, handler });
  };
  return { routes, route };
}

const reaches = (t: TokenRec, repo: RepoState) => !t.repos || t.repos.includes(`${repo.owner}/${repo.name}`.toLowerCase());

/** A token's role: the automatic token writes to the repositories it reaches; others act as their user. */
export function forgejoRole(repo: RepoState, t: TokenRec | undefined): Permission {
  if (!t) return repo.private ? 'none' : 'read';
  if (!reaches(t, repo)) return repo.private ? 'none' : 'read';
  if (t.kind === 'workflow') return 'write';
  return permissionOf(repo, t.login);
}

function paginate(items: unknown[], url: URL): { page: unknown[]; headers: Record<string, string> } {
  const asked = Number.parseInt(url.searchParams.get('limit') ?? '', 10);
  // Forgejo caps `limit` at MAX_RESPONSE_ITEMS rather than refusing it (ListOptions.SetDefaultValues).
  const limit = Math.min(asked > 0 ? asked : DEFAULT_PAGING_NUM, MAX_RESPONSE_ITEMS);
  const pageNo = Math.max(Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1, 1);
  const page = items.slice((pageNo - 1) * limit, pageNo * limit);
  const last = Math.max(1, Math.ceil(items.length / limit));
  const at = (n: number) => {
    const u = new URL(url);
    u.searchParams.set('page', String(n));
    u.searchParams.set('limit', String(limit));
    return u.toString();
  };
  const links: string[] = [];
  if (pageNo < last) links.push(`<${at(pageNo + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (pageNo > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(pageNo - 1)}>; rel="prev"`);
  return {
    page,
    headers: {
      'x-total-count': String(items.length),
      'access-control-expose-headers': 'X-Total-Count, Link',
      ...(links.length ? { link: links.join(',') } : {}),
    },
  };
}

function matchIn(routes: readonly FRoute[], method: string, path: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const [i, k] of r.keys.entries()) params[k] = decodeURIComponent(m[i + 1]!);
    return { route: r, params };
  }
  return undefined;
}

async function route(routes: readonly FRoute[], host: EmbeddedForge, req: ApiRequest): Promise<ForgejoResponse> {
  const path = req.url.pathname;
  const found = matchIn(routes, req.method, path);
  if (!found) {
    // The path exists with another method (a PUT to …/merge): Forgejo's router answers 405.
    if (routes.some((r) => r.pattern.test(path))) throw new HttpError(405, 'Method Not Allowed');
    throw new HttpError(404, "The target couldn't be found.", { errors: [] });
  }
  req.params = found.params;
  const { needs } = found.route;
  if (needs !== 'anyone' && !req.token) throw new HttpError(401, req.badCredentials ? 'user does not exist' : 'token is required');
  if (needs === 'anyone' || needs === 'login') return found.route.handler(host, undefined as unknown as RepoState, req);
  const repo = host.state.repo(found.params.owner!, found.params.repo!);
  const role = repo ? forgejoRole(repo, req.token) : 'none';
  if (!repo || role === 'none') throw new HttpError(404, "The target couldn't be found.", { errors: [] });
  if (!roleAllows(role, needs)) throw new HttpError(403, `user should have ${needs} access to the repository`);
  return found.route.handler(host, repo, req);
}

/** Serves one /api/v1 request of a Forgejo-mode forge. */
export async function handleForgejoRequest(
  forge: EmbeddedForge,
  routes: readonly FRoute[],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const apiUrl = new URL(url.toString().replace(`${FORGEJO_BASE}/`, '/'));
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  const { rec: token, presented } = forge.tokenOf(req);
  const swaggerUrl = `${forge.urls.web}/api/swagger`;
  const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    forge.requests.push({
      method,
      path: apiUrl.pathname,
      query: apiUrl.search,
      body: parsed,
      ...(token ? { login: token.login } : {}),
      status,
    });
    const check = forge.options.validateResponse;
    if (check) {
      const problems = check({ method, url: url.pathname + url.search, status, body: payload });
      if (problems.length)
        forge.violations.push({ method, url: apiUrl.pathname + apiUrl.search, problems: problems.map((p) => `response: ${p}`) });
    }
    sendJson(res, status, payload, headers);
  };
  const fail = (err: HttpError) => send(err.status, { message: err.message, url: swaggerUrl, ...err.extra }, err.headers);
  let parsed: Record<string, unknown> | undefined;
  if (raw.length) {
    try {
      parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(new HttpError(422, 'invalid JSON body'));
    }
  }
  for (const fault of forge.faults) {
    const hit = await fault({ method, path: apiUrl.pathname, ...(token ? { login: token.login } : {}) });
    if (hit) return send(hit.status, { message: hit.message ?? 'injected fault', url: swaggerUrl }, hit.headers);
  }
  if (forge.options.validate) {
    const problems = forge.options.validate({ method, url: url.pathname + url.search, body: parsed });
    if (problems.length) {
      forge.violations.push({ method, url: apiUrl.pathname + apiUrl.search, problems });
      const status = problems.some((p) => /unknown route/.test(p)) ? 404 : problems.some((p) => /method not allowed/.test(p)) ? 405 : 422;
      if (status === 404) return fail(new HttpError(404, "The target couldn't be found.", { errors: problems }));
      return fail(new HttpError(status, problems.join('; ')));
    }
  }
  try {
    const request: ApiRequest = { method, url: apiUrl, params: {}, body: parsed ?? {}, token, badCredentials: presented && !token };
    const out = await route(routes, forge, request);
    if (out.list) {
      const { page, headers } = paginate(out.list, new URL(url));
      return send(out.status, page, { ...headers, ...out.headers });
    }
    return send(out.status, out.body, out.headers);
  } catch (err) {
    if (err instanceof HttpError) return fail(err);
    throw err;
  }
}
