// The embedded forge answers like GitHub: invalid requests are rejected the way GitHub would, and the
// rejection is recorded so the test that caused it fails.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as git from '../src/git-ops.js';
import { type Harness, openIssue, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const call = (method: string, path: string, body?: unknown, token = h.tokenFor('maria')) =>
  fetch(`${h.forge.urls.api}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('embedded forge REST API', () => {
  it('rejects a body field GitHub does not accept with 422 and records the violation', async () => {
    const issue = openIssue(h, 'x', 'y');
    const res = await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['bug'], colour: 'red' });
    expect(res.status).toBe(422);
    expect(h.forge.violations).toHaveLength(1);
    expect(h.forge.violations[0]!.problems.join()).toMatch(/colour/);
    expect(issue.labels).toEqual([]); // nothing changed
  });

  it('answers 404 for a route GitHub does not have, and records it', async () => {
    const res = await call('GET', '/repos/acme/widget/issues/1/labelz');
    expect(res.status).toBe(404);
    expect(h.forge.violations).toHaveLength(1);
  });

  it('accepts valid requests: no violations', async () => {
    const issue = openIssue(h, 'x', 'y');
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['bug'] })).status).toBe(200);
    expect(issue.labels).toEqual(['bug']);
    expect(h.forge.violations).toEqual([]);
  });

  it('lists the workflow files of the default branch (GET actions/workflows)', async () => {
    await git.commitFiles(
      h.repo.gitDir,
      'main',
      { '.github/workflows/ci.yml': 'name: CI\non: push\njobs: {}\n', '.github/workflows/README.md': 'not a workflow' },
      'add CI',
    );
    const res = await call('GET', '/repos/acme/widget/actions/workflows');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total_count: number; workflows: { id: number; name: string; path: string; state: string }[] };
    expect(body.workflows.map((w) => [w.name, w.path, w.state])).toEqual([['CI', '.github/workflows/ci.yml', 'active']]);
    expect(body.total_count).toBe(1);
    expect(h.forge.violations).toEqual([]);
  });

  it('needs a token, and the role GitHub asks for each write', async () => {
    const issue = openIssue(h, 'x', 'y');
    const stranger = h.tokenFor('stranger');
    const bad = await call('GET', `/repos/acme/widget/issues/${issue.number}`, undefined, 'nope');
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { message: string }).message).toBe('Bad credentials');
    // A private repository (the default) does not exist for a stranger.
    expect((await call('GET', `/repos/acme/widget/issues/${issue.number}`, undefined, stranger)).status).toBe(404);
    // In a public one anyone who can read may comment; labels need triage; merging and refs need write.
    h.repo.private = false;
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/comments`, { body: 'hi' }, stranger)).status).toBe(201);
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['x'] }, stranger)).status).toBe(403);
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['x'] }, h.tokenFor('tom'))).status).toBe(200);
    expect((await call('DELETE', '/repos/acme/widget/git/refs/heads/main', undefined, h.tokenFor('tom'))).status).toBe(403);
  });

  it('paginates with a Link header', async () => {
    for (let i = 0; i < 5; i++) openIssue(h, `i${i}`, '');
    const res = await call('GET', '/repos/acme/widget/issues?per_page=2');
    expect(((await res.json()) as unknown[]).length).toBe(2);
    expect(res.headers.get('link')).toMatch(/rel="next"/);
  });

  it('reports mergeable: null for a configured number of reads after a push', async () => {
    const git = await import('../src/git-ops.js');
    await git.commitFiles(h.repo.gitDir, 'feature', { 'f.txt': 'x\n' }, 'feature', { from: 'main' });
    const pr = (await (await call('POST', '/repos/acme/widget/pulls', { title: 't', head: 'feature', base: 'main' })).json()) as {
      number: number;
    };
    h.forge.mergeableUnknownFor(h.repo, pr.number, 2);
    const reads = [];
    for (let i = 0; i < 3; i++)
      reads.push(((await (await call('GET', `/repos/acme/widget/pulls/${pr.number}`)).json()) as { mergeable: boolean | null }).mergeable);
    expect(reads).toEqual([null, null, true]);
  });

  it('reports blocked under a review rule (and refuses the merge) and unstable with a failing check', async () => {
    const git = await import('../src/git-ops.js');
    await git.commitFiles(h.repo.gitDir, 'feature', { 'f.txt': 'x\n' }, 'feature', { from: 'main' });
    const pr = (await (await call('POST', '/repos/acme/widget/pulls', { title: 't', head: 'feature', base: 'main' })).json()) as {
      number: number;
      head: { sha: string };
    };
    const state = async () =>
      ((await (await call('GET', `/repos/acme/widget/pulls/${pr.number}`)).json()) as { mergeable_state: string }).mergeable_state;
    expect(await state()).toBe('clean');
    h.repo.checkRuns.push({
      id: 1,
      sha: pr.head.sha,
      name: 'lint',
      status: 'completed',
      conclusion: 'failure',
      runId: 1,
      jobId: 1,
      startedAt: '',
      completedAt: '',
    });
    expect(await state()).toBe('unstable');
    h.forge.reviewRequired.add('acme/widget');
    expect(await state()).toBe('blocked');
    const merge = await call('PUT', `/repos/acme/widget/pulls/${pr.number}/merge`, { sha: pr.head.sha });
    expect(merge.status).toBe(405);
    expect(((await merge.json()) as { message: string }).message).toMatch(/approving review/);
  });
});
