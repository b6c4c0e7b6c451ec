// Fault injection for the embedded forge: seeded and reproducible, and shaped like GitHub's own answers
// so the real Octokit retry/throttling stack reacts to them as it would in production.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ForgeEvent } from '../src/embedded/events.js';
import {
  eventFaults,
  failOn,
  httpErrors,
  humanEdits,
  labelAsHuman,
  rateLimited,
  seededRandom,
  unlabelAsHuman,
  type FaultRequest,
} from '../src/embedded/faults.js';
import { createGitHubForge } from '../src/forge/github.js';
import { openIssue, startHarness, type Harness } from './support/harness.js';

const get = (path: string, login = 'maria'): FaultRequest => ({ method: 'GET', path, login });
const answers = (hook: (r: FaultRequest) => unknown, n: number, req: () => FaultRequest = () => get('/repos/acme/widget/issues/1')) =>
  Array.from({ length: n }, () => hook(req()));

describe('seeded randomness', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const sa = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(sa);
    expect(Array.from({ length: 50 }, c)).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform', () => {
    const r = seededRandom(7);
    const draws = Array.from({ length: 10_000 }, r);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.47);
    expect(mean).toBeLessThan(0.53);
  });

  it('httpErrors, rateLimited and eventFaults are reproducible per seed', () => {
    const statuses = (seed: number) => answers(httpErrors({ seed, rate: 0.3 }), 200).map((a) => (a as { status?: number } | undefined)?.status ?? 0);
    expect(statuses(1)).toEqual(statuses(1));
    expect(statuses(1)).not.toEqual(statuses(2));
    const limited = (seed: number) => answers(rateLimited({ seed, rate: 0.3 }), 200).map((a) => (a ? 1 : 0));
    expect(limited(5)).toEqual(limited(5));
    expect(limited(5)).not.toEqual(limited(6));
  });
});

describe('rates over 1000 draws', () => {
  it('httpErrors fails about `rate` of the matching requests, with the given statuses', () => {
    const hook = httpErrors({ seed: 11, rate: 0.2 });
    const out = answers(hook, 1000).filter(Boolean) as { status: number; message?: string }[];
    expect(out.length).toBeGreaterThan(150);
    expect(out.length).toBeLessThan(250);
    expect(new Set(out.map((a) => a.status))).toEqual(new Set([500, 502, 503]));
    expect(out.every((a) => a.message)).toBe(true);
  });

  it('only matching requests are failed, at most `limit` times', () => {
    const hook = httpErrors({ seed: 3, rate: 1, statuses: [502], match: (r) => r.method === 'PUT', limit: 4 });
    expect(answers(hook, 100).filter(Boolean)).toHaveLength(0);
    const puts = answers(hook, 100, () => ({ method: 'PUT', path: '/repos/acme/widget/pulls/2/merge' })).filter(Boolean);
    expect(puts).toEqual(Array.from({ length: 4 }, () => ({ status: 502, message: 'Server Error' })));
  });

  it('rateLimited limits about `rate` of the requests; rate 0 never, rate 1 always', () => {
    const n = answers(rateLimited({ seed: 9, rate: 0.1 }), 1000).filter(Boolean).length;
    expect(n).toBeGreaterThan(60);
    expect(n).toBeLessThan(140);
    expect(answers(rateLimited({ seed: 9, rate: 0 }), 100).filter(Boolean)).toHaveLength(0);
    expect(answers(rateLimited({ seed: 9, rate: 1 }), 100).filter(Boolean)).toHaveLength(100);
  });

  it('eventFaults drops and duplicates about the given shares, deterministically', () => {
    const event = (name = 'issues'): ForgeEvent => ({ name, action: 'labeled', payload: {}, repo: 'acme/widget', actor: 'maria', automatic: false, ref: 'refs/heads/main', sha: '' });
    const decide = (seed: number) => {
      const f = eventFaults({ seed, drop: 0.1, duplicate: 0.2 });
      return Array.from({ length: 1000 }, () => f(event()));
    };
    const d = decide(4);
    expect(decide(4)).toEqual(d);
    expect(decide(5)).not.toEqual(d);
    const count = (k: string) => d.filter((x) => x === k).length;
    expect(count('drop')).toBeGreaterThan(60);
    expect(count('drop')).toBeLessThan(140);
    expect(count('duplicate')).toBeGreaterThan(150);
    expect(count('duplicate')).toBeLessThan(250);
    expect(count('deliver')).toBe(1000 - count('drop') - count('duplicate'));

    const onlyPush = eventFaults({ seed: 1, drop: 1, match: (e) => e.name === 'push', limit: 2 });
    expect([onlyPush(event()), onlyPush(event('push')), onlyPush(event('push')), onlyPush(event('push'))]).toEqual(['deliver', 'drop', 'drop', 'deliver']);
    expect(() => eventFaults({ seed: 1, drop: 0.7, duplicate: 0.7 })).toThrow(RangeError);
  });
});

describe('failOn', () => {
  it('fails exactly the first `times` matching requests', () => {
    const hook = failOn({ method: 'put', path: /\/pulls\/\d+\/merge$/, status: 502, times: 2 });
    const merge = { method: 'PUT', path: '/repos/acme/widget/pulls/2/merge' };
    expect(hook({ method: 'GET', path: '/repos/acme/widget/pulls/2/merge' })).toBeUndefined();
    expect(hook({ method: 'PUT', path: '/repos/acme/widget/pulls/2' })).toBeUndefined();
    expect(hook(merge)).toEqual({ status: 502, message: 'Server Error' });
    expect(hook(merge)).toMatchObject({ status: 502 });
    expect(hook(merge)).toBeUndefined();
    expect(hook(merge)).toBeUndefined();
    expect(hook.fired()).toBe(2);
  });

  it('a /g regexp does not skip matches', () => {
    const hook = failOn({ method: 'GET', path: /issues/g, status: 500, times: 3 });
    expect(answers(hook, 3).every(Boolean)).toBe(true);
  });
});

describe('on the embedded forge, with the real Octokit stack', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expect(h.forge.violations).toEqual([]);
    await h.stop();
  });

  const client = () =>
    createGitHubForge({ token: h.tokenFor('maria'), owner: 'acme', repo: 'widget', baseUrl: h.forge.urls.api, retryAfterBaseMs: 1, spaceWrites: false });
  const issuePath = (n: number) => `/repos/acme/widget/issues/${n}`;
  const trail = (n: number) => h.forge.requests.filter((r) => r.path === issuePath(n)).map((r) => `${r.method} ${r.status}`);

  it('a secondary rate limit (429 + retry-after) is retried by the throttling plugin', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, match: (r) => r.path === issuePath(issue.number) }));
    const got = await client().getIssue(issue.number);
    expect(got.title).toBe('Fix add');
    expect(trail(issue.number)).toEqual(['GET 429', 'GET 200']);
  });

  it('a secondary rate limit sent as 403 is retried too', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, secondaryStatus: 403 }));
    await client().getIssue(issue.number);
    expect(trail(issue.number)).toEqual(['GET 403', 'GET 200']);
  });

  it('the primary rate limit (403, x-ratelimit-remaining 0, reset) is retried after the reset', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, secondary: false, retryAfterSeconds: 1 }));
    const got = await client().getIssue(issue.number);
    expect(got.number).toBe(issue.number);
    expect(trail(issue.number)).toEqual(['GET 403', 'GET 200']);
  });

  it('a 502 on a GET is retried by the retry plugin', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const hook = failOn({ method: 'GET', path: /\/issues\/\d+$/, status: 502 });
    h.forge.faults.push(hook);
    const got = await client().getIssue(issue.number);
    expect(got.title).toBe('Fix add');
    expect(trail(issue.number)).toEqual(['GET 502', 'GET 200']);
    expect(hook.fired()).toBe(1);
  });

  it('httpErrors at rate 1 with a limit: the retries get through', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(httpErrors({ seed: 8, rate: 1, limit: 2, statuses: [503] }));
    await client().getIssue(issue.number);
    expect(trail(issue.number)).toEqual(['GET 503', 'GET 503', 'GET 200']);
  });

  it('humanEdits: a maintainer labels the issue between two requests of a run', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const events: ForgeEvent[] = [];
    h.forge.on((e) => events.push(e));
    const edits = humanEdits({
      when: (r) => r.method === 'GET' && r.path === issuePath(issue.number),
      edit: () => labelAsHuman(h.forge, h.repo, issue.number, 'do-not-merge', 'maria'),
    });
    h.forge.faults.push(edits);
    const forge = client();
    const first = await forge.getIssue(issue.number);
    // The edit happened just before the first read was handled, so that read already sees it.
    expect(first.labels).toContain('do-not-merge');
    await edits.settled();
    expect(edits.fired()).toBe(1);
    expect(events.map((e) => [e.name, e.action, e.actor, e.automatic])).toEqual([['issues', 'labeled', 'maria', false]]);
    expect(h.repo.events.at(-1)).toMatchObject({ event: 'labeled', label: 'do-not-merge', actor: 'maria' });

    // A second matching request: the edit is not repeated (times = 1).
    await forge.getIssue(issue.number);
    expect(edits.fired()).toBe(1);

    // And the opposite: removed between two reads.
    const undo = humanEdits({ when: (r) => r.path === issuePath(issue.number), edit: () => void unlabelAsHuman(h.forge, 'acme/widget', issue.number, 'do-not-merge', 'maria') });
    h.forge.faults.push(undo);
    expect((await forge.getIssue(issue.number)).labels).not.toContain('do-not-merge');
    await undo.settled();
    expect(events.at(-1)).toMatchObject({ name: 'issues', action: 'unlabeled', actor: 'maria' });
  });

  it('humanEdits reports a failed edit through settled()', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const edits = humanEdits({ when: () => true, edit: () => labelAsHuman(h.forge, h.repo, 999, 'x') });
    h.forge.faults.push(edits);
    await client().getIssue(issue.number);
    await expect(edits.settled()).rejects.toThrow(/no issue or pull request #999/);
  });
});
