// The HTTP client behind the Forgejo adapter (DESIGN §7): plain `fetch` against `/api/v1`, a request
// counter for the job summary, `limit` ≤ 50 pagination that follows the Link headers Forgejo sends, and
// a short retry on a gateway error of the requests that are safe to repeat: reads, and the writes that set
// a value (a comment's body, an issue's state), add labels or delete. Creates are never retried: a failed
// create may have happened; the merge neither.
import type { RequestStats } from './forge.js';
import { type ForgeLogger, noopLogger } from './octokit.js';

/** Forgejo caps every page at `[api] MAX_RESPONSE_ITEMS`, 50 by default: asking for more silently gets 50. */
export const FORGEJO_PAGE_LIMIT = 50;
/** A list longer than this many pages is cut (2 500 items at 50 a page): a run never reads without end. */
const MAX_PAGES = 50;
const RETRY_STATUSES = [502, 503, 504];
const RETRIES = 2;
/**
 * Repeating these changes nothing the first did not: agentloop's PATCHes set fields to given values, and
 * adding labels an item already has adds nothing.
 */
function repeatable(method: string, path: string): boolean {
  return ['GET', 'PUT', 'PATCH', 'DELETE'].includes(method) || (method === 'POST' && /\/issues\/\d+\/labels$/.test(path));
}

/** An array is sent as the repeated key (`status=a&status=b`), as Forgejo reads array parameters. */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface ForgejoResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

/** A refused or failed request: `status` is the HTTP status, `message` Forgejo's own words. */
export class ForgejoError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
  ) {
    super(`Forgejo answered ${status} to ${method} ${path}: ${message}`);
    this.name = 'ForgejoError';
  }
  /** Forgejo's message alone, without the request. */
  get reason(): string {
    return this.message.replace(/^Forgejo answered \d+ to \S+ \S+: /, '');
  }
}

export interface CreateForgejoClientOptions {
  token: string;
  /** The API root, `https://host/api/v1` (GITHUB_API_URL on a Forgejo runner). */
  baseUrl: string;
  fetch?: typeof fetch;
  logger?: ForgeLogger;
  /** Multiplier (ms) for the retry wait: 1000 in production, ~1 in tests. */
  retryAfterBaseMs?: number;
}

export interface ForgejoClient {
  /** `path` below the API root, e.g. `/repos/o/r/issues/1`; each segment already encoded. */
  request<T>(method: string, path: string, opts?: { query?: Query; body?: unknown }): Promise<ForgejoResponse<T>>;
  /** Every page of a list (`limit` = 50), following `Link: rel="next"`; with `maxItems`, only the pages that many take. */
  paginate<T>(path: string, query?: Query, maxItems?: number): Promise<T[]>;
  stats(): RequestStats;
  readonly logger: ForgeLogger;
}

/** One path segment, encoded; a value that may hold slashes (a file path, a branch) keeps them. */
export function seg(value: string | number, keepSlashes = false): string {
  const text = String(value);
  return keepSlashes ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text);
}

function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export function createForgejoClient(opts: CreateForgejoClientOptions): ForgejoClient {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const wait = opts.retryAfterBaseMs ?? 1000;
  const logger = opts.logger ?? noopLogger;
  let requests = 0;

  async function send<T>(method: string, url: string, body: unknown): Promise<ForgejoResponse<T>> {
    const path = url.startsWith(base) ? url.slice(base.length).split('?')[0]! : url;
    for (let attempt = 0; ; attempt++) {
      requests += 1;
      let response: Response;
      try {
        response = await doFetch(url, {
          method,
          headers: {
            authorization: `token ${opts.token}`,
            accept: 'application/json',
            'user-agent': 'agentloop',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (error) {
        if (repeatable(method, path) && attempt < RETRIES) {
          await sleep(wait * (attempt + 1));
          continue;
        }
        throw error;
      }
      if (repeatable(method, path) && RETRY_STATUSES.includes(response.status) && attempt < RETRIES) {
        logger.warning(`Forgejo answered ${response.status} to ${method} ${path}; retrying (${attempt + 1}/${RETRIES})`);
        await sleep(wait * (attempt + 1));
        continue;
      }
      const text = await response.text();
      let data: unknown = text;
      if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) data = JSON.parse(text);
      if (text === '') data = undefined;
      if (!response.ok) {
        const message =
          typeof (data as { message?: unknown } | undefined)?.message === 'string'
            ? (data as { message: string }).message
            : typeof data === 'string' && data !== ''
              ? data.slice(0, 300)
              : response.statusText || 'no message';
        throw new ForgejoError(response.status, method, path, message);
      }
      return { status: response.status, data: data as T, headers: response.headers };
    }
  }

  function urlOf(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (Array.isArray(v)) for (const item of v) params.append(k, item);
      else if (v !== undefined && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    return `${base}${path}${qs ? `?${qs}` : ''}`;
  }

  return {
    logger,
    request: (method, path, o = {}) => send(method, urlOf(path, o.query), o.body),
    async paginate<T>(path: string, query: Query = {}, maxItems = Number.POSITIVE_INFINITY): Promise<T[]> {
      const items: T[] = [];
      let url: string | undefined = urlOf(path, { ...query, limit: FORGEJO_PAGE_LIMIT, page: 1 });
      for (let page = 0; url && page < MAX_PAGES && items.length < maxItems; page++) {
        const r: ForgejoResponse<T[] | null> = await send<T[] | null>('GET', url, undefined);
        const list = r.data ?? [];
        items.push(...list);
        // Without a Link header (a proxy may drop it), a full page means there may be another.
        const next = nextLink(r.headers);
        url =
          next ?? (list.length >= FORGEJO_PAGE_LIMIT ? urlOf(path, { ...query, limit: FORGEJO_PAGE_LIMIT, page: page + 2 }) : undefined);
      }
      return items;
    },
    stats: () => ({ requests }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function forgejoStatus(error: unknown): number | undefined {
  return error instanceof ForgejoError ? error.status : undefined;
}
