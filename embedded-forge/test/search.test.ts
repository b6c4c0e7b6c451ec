// GET /search/issues as GitHub documents it (api-search.ts): a comma list of labels matches any of them,
// repeated label qualifiers all of them, issues and pull requests are searched apart, at most 1000
// results, and the index trails the data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api } from './support/client.js';
import { type Harness, openIssue, startHarness } from './support/harness.js';

let h: Harness;
let clock: number;
beforeEach(async () => {
  h = await startHarness();
  clock = Date.parse('2026-11-30T12:00:00Z');
  h.forge.state.clock = () => new Date(clock);
});
afterEach(async () => {
  await h.stop();
});

const call = (method: string, path: string, body?: unknown) => api(h.forge, method, path, h.tokenFor('maria'), body);

const search = async (q: string, extra = '') => {
  const res = await call('GET', `/search/issues?q=${encodeURIComponent(q)}&sort=created&order=asc${extra}`);
  const body = res.body as { total_count?: number; items?: { number: number; labels: { name: string }[] }[]; message?: string };
  return { status: res.status, link: res.headers.get('link'), body, numbers: (body.items ?? []).map((i) => i.number) };
};

/** An issue that has existed with these labels for an hour (nothing the index has not seen). */
const old = (labels: string[], isPull = false) => {
  const issue = openIssue(h, 'old', '');
  const at = new Date(clock - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  Object.assign(issue, { labels, isPull, createdAt: at, updatedAt: at });
  return issue.number;
};

describe('GET /search/issues', () => {
  it('label:a,b matches any of the labels; label:a label:b matches both', async () => {
    const a = old(['loop/plan']);
    const b = old(['loop/code']);
    const both = old(['loop/plan', 'loop/code']);
    old(['bug']);
    expect((await search('repo:acme/widget is:issue is:open label:"loop/plan","loop/code"')).numbers).toEqual([a, b, both]);
    expect((await search('repo:acme/widget is:issue is:open label:loop/plan label:loop/code')).numbers).toEqual([both]);
    expect(h.forge.violations).toEqual([]);
  });

  it('searches issues and pull requests apart, and refuses a query that names neither', async () => {
    const issue = old(['loop/code']);
    const pull = old(['loop/code'], true);
    expect((await search('repo:acme/widget is:issue label:loop/code')).numbers).toEqual([issue]);
    expect((await search('repo:acme/widget is:pull-request label:loop/code')).numbers).toEqual([pull]);
    const neither = await search('repo:acme/widget label:loop/code');
    expect(neither.status).toBe(422);
    expect(JSON.stringify(neither.body)).toContain("'is:issue' or 'is:pull-request'");
  });

  it('answers from an index a minute behind: a new label is not found yet, a removed one still is', async () => {
    const kept = old(['loop/plan']);
    const removed = old(['loop/plan']);
    expect((await call('DELETE', `/repos/acme/widget/issues/${removed}/labels/loop%2Fplan`)).status).toBe(200);
    const added = old([]);
    expect((await call('POST', `/repos/acme/widget/issues/${added}/labels`, { labels: ['loop/plan'] })).status).toBe(200);
    const fresh = openIssue(h, 'new', '');
    expect((await call('POST', `/repos/acme/widget/issues/${fresh.number}/labels`, { labels: ['loop/plan'] })).status).toBe(200);

    const now = await search('repo:acme/widget is:issue is:open label:loop/plan');
    expect(now.numbers).toEqual([kept, removed]);
    // The stale entry carries the labels the index holds, not the issue's.
    expect(now.body.items!.find((i) => i.number === removed)!.labels.map((l) => l.name)).toEqual(['loop/plan']);

    clock += 61_000;
    expect((await search('repo:acme/widget is:issue is:open label:loop/plan')).numbers).toEqual([kept, added, fresh.number]);
  });

  it('pages with a Link header and serves only the first 1000 results', async () => {
    const numbers = [old(['x']), old(['x']), old(['x'])];
    const first = await search('repo:acme/widget is:issue label:x', '&per_page=2');
    expect(first.body.total_count).toBe(3);
    expect(first.numbers).toEqual(numbers.slice(0, 2));
    expect(first.link).toContain('rel="next"');
    expect((await search('repo:acme/widget is:issue label:x', '&per_page=2&page=2')).numbers).toEqual(numbers.slice(2));
    expect((await search('repo:acme/widget is:issue label:x', '&per_page=100&page=11')).status).toBe(422);
  });

  it('refuses a repository the token cannot see', async () => {
    const res = await search('repo:acme/nothing-here is:issue label:x');
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('cannot be searched');
  });
});
