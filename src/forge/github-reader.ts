// Read-only GitHub requests that answer with their status instead of throwing, for `agentloop doctor`:
// a 403 or 404 is a finding there, not an error, and the headers say why (X-Accepted-GitHub-Permissions:
// what a route needed; X-OAuth-Scopes: a classic token's scopes).
import type { RequestStats } from './forge.js';
import { type CreateOctokitOptions, createOctokit } from './octokit.js';

export interface ReadAnswer<T> {
  status: number;
  data?: T;
  /** `X-Accepted-GitHub-Permissions`, when sent. */
  accepted?: string;
  /** `X-OAuth-Scopes`, when sent (classic and OAuth tokens; '' for none). */
  scopes?: string;
}

export interface GitHubReader {
  /** `route`: a GET route template, e.g. `/repos/{owner}/{repo}/labels`. */
  get<T>(route: string, params?: Record<string, string | number>): Promise<ReadAnswer<T>>;
  /** Every page of a list route (at most `maxPages`). */
  list<T>(route: string, params?: Record<string, string | number>, maxPages?: number): Promise<ReadAnswer<T[]>>;
  stats(): RequestStats;
}

type Headers = Record<string, string | number | undefined>;

function fromHeaders(headers: Headers | undefined): Pick<ReadAnswer<unknown>, 'accepted' | 'scopes'> {
  const accepted = headers?.['x-accepted-github-permissions'];
  const scopes = headers?.['x-oauth-scopes'];
  return { ...(accepted !== undefined ? { accepted: String(accepted) } : {}), ...(scopes !== undefined ? { scopes: String(scopes) } : {}) };
}

/** An HTTP answer carried by an Octokit error, or undefined for a failure without one (network). */
function answerOf(error: unknown): ReadAnswer<never> | undefined {
  const e = error as { status?: unknown; response?: { headers?: Headers } };
  if (typeof e.status !== 'number' || !e.response) return undefined;
  return { status: e.status, ...fromHeaders(e.response.headers) };
}

export function createGitHubReader(opts: CreateOctokitOptions): GitHubReader {
  const { octokit, stats } = createOctokit({ ...opts, spaceWrites: false });
  return {
    async get<T>(route: string, params: Record<string, string | number> = {}) {
      try {
        const r = await octokit.request(`GET ${route}`, params);
        return { status: r.status, data: r.data as T, ...fromHeaders(r.headers as Headers) };
      } catch (error) {
        const answer = answerOf(error);
        if (!answer) throw error;
        return answer;
      }
    },
    async list<T>(route: string, params: Record<string, string | number> = {}, maxPages = 10) {
      let last: Headers | undefined;
      let pages = 0;
      try {
        // A route given at run time has no static types; the paginator finds the list in any response shape.
        const paginate = octokit.paginate as unknown as (
          route: string,
          params: object,
          map: (response: { headers: Headers; data: unknown }, done: () => void) => unknown[],
        ) => Promise<unknown[]>;
        const items = await paginate(`GET ${route}`, { ...params, per_page: 100 }, (response, done) => {
          last = response.headers;
          if (++pages >= maxPages) done();
          return response.data as T[];
        });
        return { status: 200, data: items as T[], ...fromHeaders(last) };
      } catch (error) {
        const answer = answerOf(error);
        if (!answer) throw error;
        return answer;
      }
    },
    stats,
  };
}
