// Fault injection for the embedded forge: seeded and reproducible, and shaped like GitHub's own answers.
// (How agentloop's Octokit stack reacts to them: test/forge-github-faults.test.ts.)
import { describe, expect, it } from 'vitest';
import type { ForgeEvent } from '../src/events.js';
import { eventFaults, type FaultRequest, failOn, httpErrors, rateLimited, seededRandom } from '../src/faults.js';

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
    const statuses = (seed: number) =>
      answers(httpErrors({ seed, rate: 0.3 }), 200).map((a) => (a as { status?: number } | undefined)?.status ?? 0);
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
    const event = (name = 'issues'): ForgeEvent => ({
      name,
      action: 'labeled',
      payload: {},
      repo: 'acme/widget',
      actor: 'maria',
      automatic: false,
      ref: 'refs/heads/main',
      sha: '',
    });
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
    expect([onlyPush(event()), onlyPush(event('push')), onlyPush(event('push')), onlyPush(event('push'))]).toEqual([
      'deliver',
      'drop',
      'drop',
      'deliver',
    ]);
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
