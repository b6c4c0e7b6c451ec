// The embedded forge in Forgejo mode: the /api/v1 dialect of Forgejo v15 (validated against its swagger,
// requests and answers), with Forgejo's semantics where they differ from GitHub's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ForgeEvent } from '../src/events.js';
import * as git from '../src/git-ops.js';
import { EmbeddedForge } from '../src/server.js';
import type { RepoState } from '../src/state.js';
import { validateForgejoRequest, validateForgejoResponse } from '../src/swagger.js';

let forge: EmbeddedForge;
let repo: RepoState;
let dir: string;
let events: ForgeEvent[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'embedded-forgejo-test-'));
  forge = new EmbeddedForge({ root: dir, flavor: 'forgejo', validate: validateForgejoRequest, validateResponse: validateForgejoResponse });
  await forge.start();
  repo = await forge.createRepo('acme', 'widget', { 'README.md': '# widget\n' });
  forge.addCollaborator(repo, 'maria', 'write');
  forge.addCollaborator(repo, 'tom', 'read');
  events = [];
  forge.on((e) => events.push(e));
});
afterEach(async () => {
  await forge.stop();
  await rm(dir, { recursive: true, force: true });
});

const call = async (method: string, path: string, body?: unknown, token: string | null = forge.token('maria')) => {
  const res = await fetch(`${forge.urls.api}${path}`, {
    method,
    headers: { ...(token ? { authorization: `token ${token}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answers have many shapes; each test reads what it checks.
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
};

const label = async (name: string, color = '#ee0701') => (await call('POST', '/repos/acme/widget/labels', { name, color })).json;

async function branchWithChange(branch: string, file = 'a.txt'): Promise<string> {
  await git.updateRef(repo.gitDir, `refs/heads/${branch}`, (await git.revParse(repo.gitDir, 'refs/heads/main'))!);
  await git.commitFiles(repo.gitDir, branch, { [file]: `${branch}\n` }, `change on ${branch}`);
  return (await git.revParse(repo.gitDir, `refs/heads/${branch}`))!;
}

describe('embedded forge, Forgejo mode', () => {
  it('serves /api/v1 and answers the version without a token', async () => {
    expect(forge.urls.api).toMatch(/\/api\/v1$/);
    const res = await call('GET', '/version', undefined, null);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ version: '15.0.3+gitea-1.22.0' });
    expect((await call('GET', '/user')).json.login).toBe('maria');
    expect(forge.violations).toEqual([]);
  });

  it('creates issues with label ids; adding an unknown name does nothing; names are not unique', async () => {
    const bug = await label('bug');
    const again = await label('bug');
    expect(again.id).not.toBe(bug.id); // a second label of the same name
    expect((await call('POST', '/repos/acme/widget/labels', { name: 'nocolor' })).status).toBe(422); // color is required
    const issue = (await call('POST', '/repos/acme/widget/issues', { title: 't', labels: [bug.id, 999999] })).json;
    expect(issue.labels.map((l: { id: number }) => l.id)).toEqual([bug.id]);
    const added = await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['no-such-label'] });
    expect(added.status).toBe(200);
    expect(added.json.map((l: { id: number }) => l.id)).toEqual([bug.id]);
    // By name: every label of that name.
    const byName = await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: ['bug'] });
    expect(byName.json.map((l: { id: number }) => l.id).sort()).toEqual([bug.id, again.id].sort());
    // Remove by name; the timeline says who.
    expect((await call('DELETE', `/repos/acme/widget/issues/${issue.number}/labels/bug`)).status).toBe(204);
    const timeline = (await call('GET', `/repos/acme/widget/issues/${issue.number}/timeline`)).json;
    expect(timeline.map((t: { type: string; body: string; user: { login: string } }) => [t.type, t.body, t.user.login])).toEqual([
      ['label', '1', 'maria'],
      ['label', '', 'maria'],
      ['label', '', 'maria'],
    ]);
    const listed = (await call('GET', '/repos/acme/widget/issues?state=all&type=issues&labels=bug')).json;
    expect(listed).toEqual([]);
    expect(forge.violations.map((v) => v.problems.join())).toEqual([expect.stringMatching(/missing required "color"/)]);
  });

  it('emits issues events label_updated / label_cleared with a label object', async () => {
    const bug = await label('bug');
    const issue = (await call('POST', '/repos/acme/widget/issues', { title: 't' })).json;
    await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, { labels: [bug.id] });
    await call('DELETE', `/repos/acme/widget/issues/${issue.number}/labels/${bug.id}`);
    expect(events.map((e) => [e.name, e.action, (e.payload.label as { name: string } | undefined)?.name])).toEqual([
      ['issues', 'opened', undefined],
      ['issues', 'label_updated', 'bug'],
      ['issues', 'label_cleared', 'bug'],
    ]);
    expect(forge.violations).toEqual([]);
  });

  it('opens a PR, refuses a second one for the same head and base with 409, and has no draft', async () => {
    await branchWithChange('feature');
    const first = await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', title: 'Feature' });
    expect(first.status).toBe(201);
    expect(first.json.draft).toBe(false);
    expect(typeof first.json.mergeable).toBe('boolean');
    const second = await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', title: 'Again' });
    expect(second.status).toBe(409);
    expect(second.json.message).toMatch(/pull request already exists for these targets/);
    expect((await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', draft: true })).status).toBe(422);
    expect(forge.violations).toHaveLength(1); // `draft` is no field of CreatePullRequestOption
  });

  it('mergeable is false (not null) while the check runs', async () => {
    await branchWithChange('feature');
    const pr = (await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', title: 'F' })).json;
    forge.mergeableUnknownFor(repo, pr.number, 1);
    expect((await call('GET', `/repos/acme/widget/pulls/${pr.number}`)).json.mergeable).toBe(false);
    expect((await call('GET', `/repos/acme/widget/pulls/${pr.number}`)).json.mergeable).toBe(true);
    expect(forge.violations).toEqual([]);
  });

  it('merges with POST and Do (empty 200), guards head_commit_id, and answers PUT with 405', async () => {
    const head = await branchWithChange('feature');
    const pr = (await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', title: 'F' })).json;
    const put = await call('PUT', `/repos/acme/widget/pulls/${pr.number}/merge`, { Do: 'merge' });
    expect(put.status).toBe(405);
    expect(forge.violations.splice(0)).toHaveLength(1);
    expect(
      (await call('POST', `/repos/acme/widget/pulls/${pr.number}/merge`, { Do: 'merge', head_commit_id: '0'.repeat(40) })).status,
    ).toBe(409);
    const merged = await call('POST', `/repos/acme/widget/pulls/${pr.number}/merge`, {
      Do: 'squash',
      head_commit_id: head,
      delete_branch_after_merge: true,
    });
    expect([merged.status, merged.text]).toEqual([200, '']);
    expect(await git.readFile(repo.gitDir, 'main', 'a.txt')).toBe('feature\n');
    expect(await git.revParse(repo.gitDir, 'refs/heads/feature')).toBeNull();
    expect((await call('GET', `/repos/acme/widget/pulls/${pr.number}`)).json.merged).toBe(true);
    expect((await call('POST', `/repos/acme/widget/pulls/${pr.number}/merge`, {})).status).toBe(422); // Do is required
    expect(forge.violations).toHaveLength(1);
  });

  it('updates a PR branch with POST …/update?style=merge and deletes branches', async () => {
    await branchWithChange('feature');
    const pr = (await call('POST', '/repos/acme/widget/pulls', { head: 'feature', base: 'main', title: 'F' })).json;
    await git.commitFiles(repo.gitDir, 'main', { 'b.txt': 'main\n' }, 'main moves');
    expect((await call('POST', `/repos/acme/widget/pulls/${pr.number}/update?style=merge`)).status).toBe(200);
    expect(await git.readFile(repo.gitDir, 'feature', 'b.txt')).toBe('main\n');
    expect((await call('POST', `/repos/acme/widget/pulls/${pr.number}/update?style=squash`)).status).toBe(422);
    forge.violations.splice(0);
    expect((await call('DELETE', '/repos/acme/widget/branches/feature')).status).toBe(204);
    expect((await call('DELETE', '/repos/acme/widget/branches/feature')).status).toBe(404);
    expect(forge.violations).toEqual([]);
  });

  it('CI is commit statuses only: an empty combined status means nothing reported; warning exists', async () => {
    const sha = (await git.revParse(repo.gitDir, 'refs/heads/main'))!;
    const empty = (await call('GET', `/repos/acme/widget/commits/${sha}/status`)).json;
    expect([empty.state, empty.total_count, empty.statuses ?? null]).toEqual(['', 0, null]);
    await call('POST', `/repos/acme/widget/statuses/${sha}`, { state: 'success', context: 'ci / test' });
    await call('POST', `/repos/acme/widget/statuses/${sha}`, { state: 'warning', context: 'ci / lint' });
    const combined = (await call('GET', '/repos/acme/widget/commits/main/status')).json;
    expect([combined.state, combined.total_count, combined.statuses[0].status]).toEqual(['warning', 2, 'warning']);
    expect((await call('GET', `/repos/acme/widget/commits/${sha}/statuses`)).json).toHaveLength(2);
    expect((await call('GET', `/repos/acme/widget/commits/${sha}/check-runs`)).status).toBe(404); // no Checks API
    expect(forge.violations.map((v) => v.url)).toEqual([`/repos/acme/widget/commits/${sha}/check-runs`]);
  });

  it('caps limit at 50 and sends Link and X-Total-Count', async () => {
    for (let i = 0; i < 60; i++) repo.labels.push({ id: forge.state.id(), name: `l${i}`, color: 'ededed', description: '' });
    const res = await call('GET', '/repos/acme/widget/labels?limit=100');
    expect(res.status).toBe(200);
    expect(res.json).toHaveLength(50);
    expect(res.headers.get('x-total-count')).toBe('60');
    expect(res.headers.get('link')).toMatch(/limit=50&page=2>; rel="next"/);
    const second = await call('GET', '/repos/acme/widget/labels?limit=50&page=2');
    expect(second.json).toHaveLength(10);
    expect(second.headers.get('link')).toMatch(/rel="prev"/);
    expect(forge.violations).toEqual([]);
  });

  it('lists runs in the v15 shape filtered by ref, and dispatches a workflow by file name (204)', async () => {
    const at = forge.state.now();
    const run = {
      workflowPath: '.forgejo/workflows/ci.yml',
      name: 'CI',
      event: 'push',
      headSha: 'a'.repeat(40),
      createdAt: at,
      updatedAt: at,
      actor: 'maria',
      runAttempt: 1,
      jobs: [],
    };
    repo.runs.push({ ...run, id: 1, headBranch: 'main', status: 'completed', conclusion: 'success' });
    repo.runs.push({ ...run, id: 2, headBranch: 'other', status: 'in_progress', conclusion: null });
    const list = (await call('GET', '/repos/acme/widget/actions/runs?ref=refs/heads/main')).json;
    expect(list.total_count).toBe(1);
    expect([list.workflow_runs[0].status, list.workflow_runs[0].workflow_id]).toEqual(['success', 'ci.yml']);
    expect(list.workflow_runs[0]).not.toHaveProperty('conclusion');
    expect((await call('GET', '/repos/acme/widget/actions/runs?branch=main')).status).toBe(422); // no `branch` filter
    forge.violations.splice(0);
    await git.commitFiles(repo.gitDir, 'main', { '.forgejo/workflows/code.yml': 'on: workflow_dispatch\njobs: {}\n' }, 'wf');
    const dispatched: string[] = [];
    forge.onDispatch = (_r, path, ref) => {
      dispatched.push(`${path}@${ref}`);
      return true;
    };
    expect((await call('POST', '/repos/acme/widget/actions/workflows/code.yml/dispatches', { ref: 'main' })).status).toBe(204);
    expect((await call('POST', '/repos/acme/widget/actions/workflows/nope.yml/dispatches', { ref: 'main' })).status).toBe(404);
    expect(dispatched).toEqual(['.forgejo/workflows/code.yml@main']);
    expect(forge.violations).toEqual([]);
  });

  it('the automatic token writes to its repository but may not read another user’s permission', async () => {
    const auto = forge.workflowToken(repo, {});
    expect((await call('POST', '/repos/acme/widget/labels', { name: 'x', color: '00ff00' }, auto)).status).toBe(201);
    expect((await call('GET', '/repos/acme/widget/collaborators/maria/permission', undefined, auto)).status).toBe(403);
    expect((await call('POST', '/repos/acme/widget/labels', { name: 'y', color: '00ff00' }, forge.token('tom'))).status).toBe(403);
    expect(forge.violations).toEqual([]);
  });

  it('only a repository admin, or the user themself, may read a user’s permission (a writer gets 403)', async () => {
    forge.addCollaborator(repo, 'ada', 'admin');
    const ask = (about: string, as: string) =>
      call('GET', `/repos/acme/widget/collaborators/${about}/permission`, undefined, forge.token(as));
    expect((await ask('tom', 'maria')).status).toBe(403);
    expect((await ask('maria', 'maria')).json.permission).toBe('write');
    expect((await ask('tom', 'ada')).json.permission).toBe('read');
    expect((await ask('maria', 'ada')).json.permission).toBe('write');
    expect(forge.violations).toEqual([]);
  });
});
