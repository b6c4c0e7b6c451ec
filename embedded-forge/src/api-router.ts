// The REST router of the embedded forge: route table, authentication and the role each route needs
// (GitHub: anyone who can read may open issues and comment, triage labels, write pushes and merges).
import type { ForgeEvent } from './events.js';
import type { Urls } from './github-json.js';
import { HttpError, notFound } from './http-util.js';
import type { ForgeState, Permission, PullRec, RepoState, TokenRec } from './state.js';

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
  dispatch(
    repo: RepoState,
    workflowPath: string,
    ref: string,
    inputs: Record<string, unknown>,
    token: TokenRec,
  ): boolean | string | undefined | Promise<boolean | string | undefined>;
  readLog(repo: RepoState, jobId: number): string | undefined;
}

export type Handler = (host: ApiHost, repo: RepoState, req: ApiRequest) => Promise<ApiResponse> | ApiResponse;
type Needs = 'read' | 'triage' | 'write';

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler | ((host: ApiHost, repo: undefined, req: ApiRequest) => ApiResponse | Promise<ApiResponse>);
  repoScoped: boolean;
  /** The repository role the route needs (GitHub: anyone who can read may open issues and comment). */
  needs: Needs;
}

export type DefineRoute = (method: string, path: string, optsOrHandler: { needs?: Needs } | Handler, maybeHandler?: Handler) => void;

/** A list of routes and the function that appends to it (each API area keeps its own list). */
export function routeList(): { routes: Route[]; route: DefineRoute } {
  const routes: Route[] = [];
  const route: DefineRoute = (method, path, optsOrHandler, maybeHandler) => {
    const opts = typeof optsOrHandler === 'function' ? {} : optsOrHandler;
    const handler = (typeof optsOrHandler === 'function' ? optsOrHandler : maybeHandler)!;
    const keys: string[] = [];
    // {path} and {ref} may hold slashes (contents paths, refs); other parameters may not.
    const source = path.replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return key === 'path' || key === 'ref' ? '(.+)' : '([^/]+)';
    });
    routes.push({
      method,
      pattern: new RegExp(`^${source}$`),
      keys,
      handler,
      repoScoped: path.startsWith('/repos/'),
      needs: opts.needs ?? (method === 'GET' ? 'read' : 'write'),
    });
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

export function permissionOf(repo: RepoState, login: string): Permission {
  return repo.collaborators.get(login.toLowerCase()) ?? 'read';
}

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
const allows = (p: Permission, needs: 'read' | 'triage' | 'write') => RANK[p] >= RANK[needs];

/** Authenticates the request, checks the role its route needs, and calls the route's handler. */
export async function handleRoutes(routes: readonly Route[], host: ApiHost, req: ApiRequest): Promise<ApiResponse> {
  const found = matchIn(routes, req.method, req.url.pathname);
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
