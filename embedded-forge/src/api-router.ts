// The REST router of the embedded forge: the route list, authentication, and the access each route needs
// — the repository role, the token's permissions or scopes — from the one table in route-permissions.ts
// (GitHub: anyone who can read may open issues and comment, triage labels, write pushes and merges).
import { accessHeaders, checkAccess } from './access.js';
import type { ForgeEvent } from './events.js';
import type { Urls } from './github-json.js';
import { HttpError, notFound } from './http-util.js';
import { type RouteRule, ruleFor } from './route-permissions.js';
import type { ForgeState, PullRec, RepoState, TokenRec } from './state.js';

export { permissionOf } from './access.js';

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  token: TokenRec | undefined;
  /** A token was presented but is unknown, expired or revoked: 401 Bad credentials. */
  badCredentials?: boolean;
  /** Set by the router: the matched route's access rule. */
  rule?: RouteRule;
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
  dispatch(
    repo: RepoState,
    workflowPath: string,
    ref: string,
    inputs: Record<string, unknown>,
    token: TokenRec,
  ): boolean | string | undefined | Promise<boolean | string | undefined>;
  readLog(repo: RepoState, jobId: number): string | undefined;
  /** A short-lived download URL of a job's log (undefined: no such log). */
  logDownloadUrl(repo: RepoState, jobId: number): string | undefined;
  /** Runs work after the answer has gone out (GitHub's asynchronous operations). */
  background(work: () => Promise<void>): void;
}

export type Handler = (host: ApiHost, repo: RepoState, req: ApiRequest) => Promise<ApiResponse> | ApiResponse;

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler | ((host: ApiHost, repo: undefined, req: ApiRequest) => ApiResponse | Promise<ApiResponse>);
  repoScoped: boolean;
  /** What the route needs (role, permissions, scopes): its row of ROUTE_PERMISSIONS. */
  rule: RouteRule;
}

export type DefineRoute = (method: string, path: string, handler: Handler) => void;

/** A list of routes and the function that appends to it (each API area keeps its own list). */
export function routeList(): { routes: Route[]; route: DefineRoute } {
  const routes: Route[] = [];
  const route: DefineRoute = (method, path, handler) => {
    const rule = ruleFor(`${method} ${path}`);
    if (!rule) throw new Error(`no access rule for ${method} ${path} in route-permissions.ts`);
    const keys: string[] = [];
    // {path} and {ref} may hold slashes (contents paths, refs); other parameters may not.
    const source = path.replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return key === 'path' || key === 'ref' ? '(.+)' : '([^/]+)';
    });
    routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler, repoScoped: path.startsWith('/repos/'), rule });
  };
  return { routes, route };
}

/** The first route (in table order) that matches. */
export function matchIn(
  routes: readonly Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const [i, k] of r.keys.entries()) params[k] = decodeURIComponent(m[i + 1]!);
    return { route: r, params };
  }
  return undefined;
}

/** Whether the item a route addresses is a pull request (issue routes accept pull_requests permissions then). */
function addressesPull(repo: RepoState, params: Record<string, string>): boolean {
  if (params.issue_number !== undefined) return repo.pulls.has(Number(params.issue_number));
  if (params.comment_id !== undefined) {
    const c = repo.comments.find((x) => x.id === Number(params.comment_id));
    return c !== undefined && repo.pulls.has(c.issue);
  }
  return false;
}

/** Authenticates the request, checks the access its route needs, and calls the route's handler. */
export async function handleRoutes(routes: readonly Route[], host: ApiHost, req: ApiRequest): Promise<ApiResponse> {
  const found = matchIn(routes, req.method, req.url.pathname);
  if (!found) throw notFound();
  req.params = found.params;
  const rule = found.route.rule;
  req.rule = rule;
  const docs = { documentation_url: rule.docs };
  if (!req.token) throw new HttpError(401, req.badCredentials ? 'Bad credentials' : 'Requires authentication', docs);
  const repo = found.route.repoScoped ? host.state.repo(found.params.owner!, found.params.repo!) : undefined;
  if (found.route.repoScoped && !repo) throw new HttpError(404, 'Not Found', docs);
  const isPull = repo ? addressesPull(repo, found.params) : false;
  const headers = accessHeaders(req.token, rule, isPull, found.route.repoScoped);
  try {
    checkAccess(repo, req.token, rule, req.method, isPull);
    const out = await (found.route.handler as Handler)(host, repo as RepoState, req);
    return { ...out, headers: { ...headers, ...out.headers } };
  } catch (err) {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(headers)) err.headers[k] ??= v;
      if (err.status >= 400 && err.extra.documentation_url === undefined) Object.assign(err.extra, docs);
    }
    throw err;
  }
}
