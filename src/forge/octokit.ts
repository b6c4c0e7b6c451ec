// The HTTP client behind the GitHub adapter (DESIGN §7): Octokit REST + retry + throttling,
// with a request counter for the job summary ("API requests used, rate limit left").

import type { Octokit as CoreOctokit, OctokitOptions } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { RequestStats } from './forge.js';

export interface ForgeLogger {
  info(message: string): void;
  warning(message: string): void;
}

export const noopLogger: ForgeLogger = { info() {}, warning() {} };

/** Rate-limit retries allowed per request (primary and secondary limits alike). */
const MAX_RATE_LIMIT_RETRIES = 2;
/** A primary limit can reset an hour away; a workflow run should fail and be swept later instead. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 120;

/** Statuses a retry cannot fix; 429 is left to the throttling plugin so it is not retried twice. */
export const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 429, 451];

type Headers = Record<string, string | number | undefined>;

// Registered before retry/throttling, so its hook is the innermost wrapper: it sees each HTTP
// attempt, retries included (before-after-hook runs the first registered hook closest to fetch).
function requestCounter(octokit: CoreOctokit) {
  const stats: RequestStats = { requests: 0 };
  const record = (headers: Headers | undefined) => {
    const remaining = Number(headers?.['x-ratelimit-remaining']);
    const limit = Number(headers?.['x-ratelimit-limit']);
    if (headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) stats.rateLimitRemaining = remaining;
    if (headers?.['x-ratelimit-limit'] !== undefined && Number.isFinite(limit)) stats.rateLimitLimit = limit;
  };
  octokit.hook.wrap('request', async (request, options) => {
    stats.requests += 1;
    try {
      const response = await request(options);
      record(response.headers);
      return response;
    } catch (error) {
      record((error as { response?: { headers?: Headers } }).response?.headers);
      throw error;
    }
  });
  return { requestStats: (): RequestStats => ({ ...stats }) };
}

export const AgentloopOctokit = Octokit.plugin(requestCounter, retry, throttling);
export type AgentloopOctokit = InstanceType<typeof AgentloopOctokit>;

export interface CreateOctokitOptions {
  token: string;
  /** `https://api.github.com` unless the runner says otherwise (GITHUB_API_URL). */
  baseUrl?: string;
  /** Injected by tests (a fake forge); defaults to the global fetch. */
  fetch?: typeof fetch;
  logger?: ForgeLogger;
  /** Multiplier (ms) for every retry wait: 1000 in production, ~1 in tests. */
  retryAfterBaseMs?: number;
  /**
   * GitHub asks integrations to space writes (1 s) and notification-triggering writes (3 s); the
   * throttling plugin also spaces searches (2 s: search allows 30 requests a minute). A forge on this
   * machine (tests, the demo) turns all three off to stay fast.
   */
  spaceWrites?: boolean;
}

// Duck-typed stand-in for a Bottleneck.Group that schedules immediately (no write spacing).
const immediateGroup = {
  key: () => ({
    schedule: (_options: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => fn(...args),
  }),
} as unknown as NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;

export function createOctokit(opts: CreateOctokitOptions): { octokit: AgentloopOctokit; stats(): RequestStats } {
  const logger = opts.logger ?? noopLogger;
  const base = opts.retryAfterBaseMs ?? 1000;

  const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
    const tooLong = retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS;
    const give = retryCount >= MAX_RATE_LIMIT_RETRIES || tooLong;
    logger.warning(
      `${kind} rate limit hit on ${options.method} ${options.url}` +
        (tooLong
          ? `; resets in ${retryAfter}s, not waiting`
          : give
            ? `; giving up after ${retryCount} retries`
            : `; retrying in ${retryAfter}s (retry ${retryCount + 1}/${MAX_RATE_LIMIT_RETRIES})`),
    );
    return !give;
  };

  const throttle: ThrottlingOptions = {
    retryAfterBaseValue: base,
    onRateLimit: onLimit('Primary'),
    onSecondaryRateLimit: onLimit('Secondary'),
    ...(opts.spaceWrites === false ? { write: immediateGroup, notifications: immediateGroup, search: immediateGroup } : {}),
  };

  const options: OctokitOptions = {
    auth: opts.token,
    baseUrl: (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'agentloop',
    request: opts.fetch ? { fetch: opts.fetch } : {},
    // Failures surface as thrown errors to callers, who decide; only deprecations are worth a warning.
    log: { debug() {}, info() {}, warn: (message: string) => logger.warning(message), error() {} },
    retry: { doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: base },
    throttle,
  };
  const octokit = new AgentloopOctokit(options);
  return { octokit, stats: () => octokit.requestStats() };
}
