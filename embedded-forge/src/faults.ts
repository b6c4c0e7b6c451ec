// Seeded, reproducible faults for the embedded forge (DESIGN §10): 5xx answers, primary and secondary
// rate limits as GitHub sends them, deterministic failures of one call, a human editing labels between
// two steps of a run, and dropped or duplicated events for the workflow runner.
//
// Push the hooks onto `forge.faults` (consulted, in order, before each REST request is handled; the
// first one that answers wins). Randomness comes only from the seed, and a hook draws only for the
// requests it matches, so the same seed and the same request sequence give the same faults.
import { type ApiHost, addLabels, removeLabel } from './api-github.js';
import { emitItem } from './api-items.js';
import type { ForgeEvent } from './events.js';
import type { FaultHook } from './server.js';
import type { IssueRec, RepoState } from './state.js';

export type FaultRequest = Parameters<FaultHook>[0];
export type FaultAnswer = NonNullable<ReturnType<FaultHook>>;
export type RequestMatcher = (req: FaultRequest) => boolean;

/** mulberry32: a small, fast PRNG; the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${rate}`);
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
  504: 'We couldn\u2019t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.',
};

export interface HttpErrorsOptions {
  seed: number;
  /** Probability that a matching request fails. */
  rate: number;
  statuses?: number[];
  match?: RequestMatcher;
  /** At most this many failures in all. */
  limit?: number;
}

/** Answer matching requests with a 5xx (picked from `statuses`) at the given rate. */
export function httpErrors(opts: HttpErrorsOptions): FaultHook {
  checkRate('rate', opts.rate);
  const statuses = opts.statuses ?? [500, 502, 503];
  if (statuses.length === 0) throw new RangeError('statuses must not be empty');
  const random = seededRandom(opts.seed);
  let fired = 0;
  return (req) => {
    if (opts.match && !opts.match(req)) return undefined;
    if (opts.limit !== undefined && fired >= opts.limit) return undefined;
    if (random() >= opts.rate) return undefined;
    const status = statuses[Math.floor(random() * statuses.length)]!;
    fired++;
    return { status, message: STATUS_TEXT[status] ?? 'Server Error' };
  };
}

export interface RateLimitedOptions {
  seed: number;
  rate: number;
  retryAfterSeconds?: number;
  /** true: a secondary limit (429 with retry-after); false: the primary limit (403, remaining 0). */
  secondary?: boolean;
  /** GitHub answers secondary limits with 403 or 429; default 429. */
  secondaryStatus?: 403 | 429;
  match?: RequestMatcher;
  limit?: number;
}

export const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

/** GitHub's answer when the secondary (abuse) limit is hit: recognised by its message and retry-after. */
export function secondaryRateLimitAnswer(retryAfterSeconds = 1, status: 403 | 429 = 429): FaultAnswer {
  return { status, headers: { 'retry-after': String(retryAfterSeconds) }, message: SECONDARY_RATE_LIMIT_MESSAGE };
}

/** GitHub's answer when the primary limit is used up: 403, x-ratelimit-remaining 0, and the reset time. */
export function primaryRateLimitAnswer(retryAfterSeconds = 1, login?: string, now = Date.now()): FaultAnswer {
  return {
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(now / 1000) + retryAfterSeconds),
      'x-ratelimit-resource': 'core',
    },
    message: `API rate limit exceeded for ${login ? `user ${login}` : 'installation'}.`,
  };
}

/**
 * Rate-limit matching requests at the given rate, as GitHub does: a secondary limit is a 429 (or 403)
 * whose message says "secondary rate limit" with `retry-after`; the primary limit is a 403 with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset`. Octokit's throttling plugin recognises both.
 */
export function rateLimited(opts: RateLimitedOptions): FaultHook {
  checkRate('rate', opts.rate);
  const random = seededRandom(opts.seed);
  const retryAfter = opts.retryAfterSeconds ?? 1;
  let fired = 0;
  return (req) => {
    if (opts.match && !opts.match(req)) return undefined;
    if (opts.limit !== undefined && fired >= opts.limit) return undefined;
    if (random() >= opts.rate) return undefined;
    fired++;
    return opts.secondary === false
      ? primaryRateLimitAnswer(retryAfter, req.login)
      : secondaryRateLimitAnswer(retryAfter, opts.secondaryStatus ?? 429);
  };
}

export interface FailOnOptions {
  method: string;
  /** Tested against the API path without the /api/v3 prefix, e.g. /repos/acme/widget/pulls/2/merge. */
  path: RegExp;
  status: number;
  /** Fail the first `times` matching requests; later ones proceed. */
  times?: number;
  message?: string;
  headers?: Record<string, string>;
}

/** Deterministic: fail the first `times` requests with this method and path (e.g. a 502 on the merge). */
export function failOn(opts: FailOnOptions): FaultHook & { readonly fired: () => number } {
  const times = opts.times ?? 1;
  let fired = 0;
  const hook = (req: FaultRequest): FaultAnswer | undefined => {
    if (req.method.toUpperCase() !== opts.method.toUpperCase() || !testPath(opts.path, req.path)) return undefined;
    if (fired >= times) return undefined;
    fired++;
    return {
      status: opts.status,
      message: opts.message ?? STATUS_TEXT[opts.status] ?? 'injected fault',
      ...(opts.headers ? { headers: opts.headers } : {}),
    };
  };
  return Object.assign(hook, { fired: () => fired });
}

function testPath(re: RegExp, path: string): boolean {
  re.lastIndex = 0; // a /g or /y regexp keeps state between test() calls
  return re.test(path);
}

export interface HumanEditsOptions {
  when: RequestMatcher;
  /** The edit; its synchronous part runs before the matching request is handled. */
  edit: () => void | Promise<void>;
  times?: number;
}

export interface HumanEditsHook extends FaultHook {
  /** How many edits were made. */
  readonly fired: () => number;
  /** Waits for every asynchronous edit to finish; rejects with the first one that failed. */
  readonly settled: () => Promise<void>;
}

/**
 * "A human editing labels between two steps of a run": run `edit` just before the first `times`
 * requests that `when` matches, then let the request proceed (the hook answers nothing).
 *
 * The forge consults fault hooks synchronously, so only the synchronous part of `edit` is guaranteed
 * to happen before the request is handled. labelAsHuman / unlabelAsHuman change the labels
 * synchronously (a single label); the webhook event they emit may follow a moment later. Await
 * `settled()` before asserting on events.
 */
export function humanEdits(opts: HumanEditsOptions): HumanEditsHook {
  const times = opts.times ?? 1;
  let fired = 0;
  const pending: Promise<void>[] = [];
  // The forge awaits fault hooks, so an async edit lands before the request is handled.
  const hook = async (req: FaultRequest): Promise<undefined> => {
    if (fired >= times || !opts.when(req)) return undefined;
    fired++;
    const p = Promise.resolve().then(() => opts.edit());
    p.catch(() => {}); // reported through settled(), not as an unhandled rejection
    pending.push(p);
    await p.catch(() => undefined);
    return undefined;
  };
  return Object.assign(hook, {
    fired: () => fired,
    settled: async () => {
      await Promise.all(pending);
    },
  });
}

export type EventDecision = 'drop' | 'duplicate' | 'deliver';

export interface EventFaultsOptions {
  seed: number;
  /** Probability that a matching event is dropped. */
  drop?: number;
  /** Probability that a matching event is delivered twice. */
  duplicate?: number;
  match?: (e: ForgeEvent) => boolean;
  /** At most this many dropped or duplicated events in all. */
  limit?: number;
}

/** For the workflow runner's `deliver` option: drop or duplicate matching events at the given rates. */
export function eventFaults(opts: EventFaultsOptions): (e: ForgeEvent) => EventDecision {
  const drop = opts.drop ?? 0;
  const duplicate = opts.duplicate ?? 0;
  checkRate('drop', drop);
  checkRate('duplicate', duplicate);
  if (drop + duplicate > 1) throw new RangeError(`drop + duplicate must not exceed 1, got ${drop + duplicate}`);
  const random = seededRandom(opts.seed);
  let fired = 0;
  return (e) => {
    if (opts.match && !opts.match(e)) return 'deliver';
    if (opts.limit !== undefined && fired >= opts.limit) return 'deliver';
    const r = random();
    const decision: EventDecision = r < drop ? 'drop' : r < drop + duplicate ? 'duplicate' : 'deliver';
    if (decision !== 'deliver') fired++;
    return decision;
  };
}

// ---- a person in the web UI ----

function repoOf(host: ApiHost, repo: RepoState | string): RepoState {
  if (typeof repo !== 'string') return repo;
  const [owner, name] = repo.split('/');
  const found = owner && name ? host.state.repo(owner, name) : undefined;
  if (!found) throw new Error(`no repository ${repo} on the embedded forge`);
  return found;
}

function issueOf(repo: RepoState, number: number): IssueRec {
  const issue = repo.issues.find((i) => i.number === number);
  if (!issue) throw new Error(`no issue or pull request #${number} in ${repo.owner}/${repo.name}`);
  return issue;
}

/**
 * Add a label as a person would in the web UI: same code path as the REST API (the `labeled` event is
 * emitted, with a non-automatic actor, so it starts workflows). The label is on the issue as soon as
 * this is called; the returned promise resolves once the event is emitted.
 */
export function labelAsHuman(forge: ApiHost, repo: RepoState | string, number: number, label: string, login?: string): Promise<void> {
  const r = repoOf(forge, repo);
  return addLabels(forge, r, issueOf(r, number), [label], { login: login ?? r.owner, automatic: false, kind: 'classic' });
}

/** Remove a label as a person would (emits `unlabeled`); resolves to false when it was not there. */
export function unlabelAsHuman(forge: ApiHost, repo: RepoState | string, number: number, label: string, login?: string): Promise<boolean> {
  const r = repoOf(forge, repo);
  return removeLabel(forge, r, issueOf(r, number), label, { login: login ?? r.owner, automatic: false, kind: 'classic' });
}

/**
 * Convert a pull request to a draft as a person would on GitHub ("Convert to draft"; only the web UI and
 * GraphQL's convertPullRequestToDraft do it, the REST API cannot): the PR becomes a draft and GitHub
 * sends `pull_request` `converted_to_draft`. Forgejo has no draft flag: a draft there is a `WIP:` title.
 */
export async function convertToDraftAsHuman(forge: ApiHost, repo: RepoState | string, number: number, login?: string): Promise<void> {
  const r = repoOf(forge, repo);
  const issue = issueOf(r, number);
  const pull = r.pulls.get(number);
  if (!pull) throw new Error(`#${number} is not a pull request`);
  pull.draft = true;
  issue.updatedAt = forge.state.now();
  await emitItem(forge, r, issue, 'converted_to_draft', { login: login ?? r.owner, automatic: false, kind: 'classic' });
}

/** Forgejo mode keeps labels on items by id (names are not unique there); GitHub mode by name. */
function labelsById(forge: ApiHost): boolean {
  return (forge as { options?: { flavor?: string } }).options?.flavor === 'forgejo';
}

/**
 * Rename a repository label in the settings (GitHub: Issues → Labels → Edit; Forgejo the same): every
 * item carrying it shows the new name. No item event is sent (GitHub sends a `label` `edited` webhook,
 * which no agentloop workflow listens to).
 */
export function renameLabelAsHuman(forge: ApiHost, repo: RepoState | string, from: string, to: string): void {
  const r = repoOf(forge, repo);
  const byId = labelsById(forge);
  const label = r.labels.find((l) => l.name.toLowerCase() === from.toLowerCase());
  if (!label) throw new Error(`no label ${from} in ${r.owner}/${r.name}`);
  const old = label.name;
  label.name = to;
  if (byId) return; // items and timeline entries point at the label's id: they follow
  for (const issue of r.issues) issue.labels = issue.labels.map((l) => (l === old ? to : l));
  for (const e of r.events) if (e.label === old) e.label = to;
}

/** Delete a repository label in the settings: it disappears from every item (no `unlabeled` events). */
export function deleteLabelAsHuman(forge: ApiHost, repo: RepoState | string, name: string): void {
  const r = repoOf(forge, repo);
  const byId = labelsById(forge);
  const gone = r.labels.filter((l) => l.name.toLowerCase() === name.toLowerCase());
  if (gone.length === 0) throw new Error(`no label ${name} in ${r.owner}/${r.name}`);
  r.labels = r.labels.filter((l) => !gone.includes(l));
  const keys = new Set(gone.flatMap((l) => (byId ? [String(l.id)] : [l.name])));
  for (const issue of r.issues) issue.labels = issue.labels.filter((l) => !keys.has(l));
}
