// Where GitHub answers before the work is done, the forge does too (docs/embedded-forge.md): update-branch
// answers 202 and moves the branch a little later; mergeability is computed in the background (null until
// then); job logs are a 302 to a download URL that expires after a minute.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as git from '../src/git-ops.js';
import { api, cloneWith } from './support/client.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expect(h.forge.violations).toEqual([]);
  await h.stop();
});

const maria = () => h.tokenFor('maria');
const head = (branch: string) => git.revParse(h.repo.gitDir, `refs/heads/${branch}`);

async function openPull(branch: string): Promise<number> {
  await git.commitFiles(h.repo.gitDir, branch, { [`${branch}.txt`]: 'x\n' }, branch, { from: 'main' });
  const pr = await api(h.forge, 'POST', '/repos/acme/widget/pulls', maria(), { title: branch, head: branch, base: 'main' });
  expect(pr.status).toBe(201);
  return pr.body.number;
}

describe('update-branch', () => {
  it('answers 202 Accepted and updates the branch a little later, not in the request', async () => {
    h.forge.options.updateBranchDelayMs = 150;
    const n = await openPull('topic');
    await git.commitFiles(h.repo.gitDir, 'main', { 'other.txt': 'main moved\n' }, 'main moves');
    const before = await head('topic');
    const res = await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${n}/update-branch`, maria(), { expected_head_sha: before });
    expect(res.status).toBe(202);
    expect(res.body.message).toBe('Updating pull request branch.');
    expect(await head('topic')).toBe(before);
    expect(h.repo.pulls.get(n)!.headSha).toBe(before);
    await h.forge.settled();
    const after = await head('topic');
    expect(after).not.toBe(before);
    expect(await git.readFile(h.repo.gitDir, 'topic', 'other.txt')).toBe('main moved\n');
    // The PR follows (a synchronize event went out with it).
    await h.forge.refreshPullHeads(h.repo);
    expect(h.repo.pulls.get(n)!.headSha).toBe(after);
    // Refusals are still immediate: nothing new on the base now.
    expect((await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${n}/update-branch`, maria(), {})).status).toBe(422);
  });
});

describe('mergeability', () => {
  it('is not in the create answer, and is unknown for the configured reads after the head or the base moved', async () => {
    h.forge.options.mergeableNullReads = 1;
    await git.commitFiles(h.repo.gitDir, 'topic', { 'topic.txt': 'x\n' }, 'topic', { from: 'main' });
    const created = await api(h.forge, 'POST', '/repos/acme/widget/pulls', maria(), { title: 't', head: 'topic', base: 'main' });
    expect([created.body.mergeable, created.body.mergeable_state]).toEqual([null, 'unknown']);
    const read = async () => (await api(h.forge, 'GET', `/repos/acme/widget/pulls/${created.body.number}`, maria())).body.mergeable;
    expect(await read()).toBe(true);
    // The base moves (a push to main): the background job starts again.
    const c = await cloneWith(h.forge, 'acme/widget', maria());
    await c.commit({ 'later.txt': 'later\n' });
    await c.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
    await h.forge.settled();
    expect([await read(), await read()]).toEqual([null, true]);
    // The lists never compute it.
    const list = await api(h.forge, 'GET', '/repos/acme/widget/pulls', maria());
    expect(list.body[0].mergeable).toBeNull();
  });
});

describe('job logs', () => {
  it('answer 302 with a Location that serves the text without credentials, for one minute', async () => {
    h.forge.logs.set(4242, '2024-01-01T00:00:00.0000000Z hello from the job\n');
    const res = await fetch(`${h.forge.urls.api}/repos/acme/widget/actions/jobs/4242/logs`, {
      headers: { authorization: `token ${maria()}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_blobs\/job-logs\/4242\?sig=[0-9a-f]+$/);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('hello from the job');
    // Octokit follows the redirect: the API call reads as the text.
    expect((await api(h.forge, 'GET', '/repos/acme/widget/actions/jobs/4242/logs', maria())).text).toContain('hello from the job');
    const start = Date.now();
    h.forge.state.clock = () => new Date(start + 61_000);
    expect((await fetch(location)).status).toBe(403);
    expect((await api(h.forge, 'GET', '/repos/acme/widget/actions/jobs/999/logs', maria())).status).toBe(404);
  });
});
