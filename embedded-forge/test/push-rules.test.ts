// Pushes as GitHub takes them (docs/embedded-forge.md): git push needs contents: write, and a push, merge
// or update-branch that creates or changes a file under .github/workflows/ needs the `workflows`
// permission (the workflow token never has it) or, for a classic PAT, the `workflow` scope.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as git from '../src/git-ops.js';
import { workflowTokenPermissions } from '../src/route-permissions.js';
import { api, cloneWith } from './support/client.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ 'README.md': '# widget\n', '.github/workflows/ci.yml': 'name: CI\non: push\n' });
});
afterEach(async () => {
  expect(h.forge.violations).toEqual([]);
  await h.stop();
});

const jobToken = (declared: Record<string, string> | 'write-all') =>
  h.forge.workflowToken(h.repo, workflowTokenPermissions(declared, 'read'));
const head = (branch: string) => git.revParse(h.repo.gitDir, `refs/heads/${branch}`);
const WORKFLOW_APP_REFUSAL =
  'refusing to allow a GitHub App to create or update workflow `.github/workflows/new.yml` without `workflows` permission';

describe('git push', () => {
  it('needs contents: write: a read-only workflow token clones, its push gets 403', async () => {
    const reader = await cloneWith(h.forge, 'acme/widget', jobToken({ contents: 'read' }));
    await reader.commit({ 'a.txt': 'a\n' });
    const r = await reader.run(['push', 'origin', 'HEAD:refs/heads/ro']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Permission to acme/widget.git denied to github-actions[bot].');
    expect(r.stderr).toContain('403');
    expect(await head('ro')).toBeNull();
    const writer = await cloneWith(h.forge, 'acme/widget', jobToken({ contents: 'write' }));
    await writer.commit({ 'a.txt': 'a\n' });
    expect((await writer.run(['push', 'origin', 'HEAD:refs/heads/rw'])).code).toBe(0);
  });

  it('a token without contents: read cannot even clone a private repository', async () => {
    await expect(cloneWith(h.forge, 'acme/widget', jobToken({ issues: 'write' }))).rejects.toThrow(/403/);
  });
});

describe('the workflows rule on pushes', () => {
  it('refuses the workflow token a commit that adds a workflow file: GitHub’s reason, nothing changes', async () => {
    const c = await cloneWith(h.forge, 'acme/widget', jobToken({ contents: 'write' }));
    await c.commit({ 'src/x.js': 'x\n' }, 'unrelated');
    await c.commit({ '.github/workflows/new.yml': 'name: New\non: push\n' }, 'add a workflow');
    const before = await head('main');
    const r = await c.run(['push', 'origin', 'HEAD:refs/heads/main', 'HEAD:refs/heads/copy']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`! [remote rejected] HEAD -> main (${WORKFLOW_APP_REFUSAL})`);
    expect(r.stderr).toContain(`! [remote rejected] HEAD -> copy (${WORKFLOW_APP_REFUSAL})`);
    expect(await head('main')).toBe(before);
    expect(await head('copy')).toBeNull();
    // Changing an existing workflow file counts too; a push that touches none goes through.
    await c.ok(['reset', '--quiet', '--hard', 'origin/main']);
    await c.commit({ '.github/workflows/ci.yml': 'name: CI\non: [push, pull_request]\n' });
    expect((await c.run(['push', 'origin', 'HEAD:refs/heads/edit'])).stderr).toContain(
      'create or update workflow `.github/workflows/ci.yml`',
    );
    await c.ok(['reset', '--quiet', '--hard', 'origin/main']);
    await c.commit({ 'src/y.js': 'y\n' });
    expect((await c.run(['push', 'origin', 'HEAD:refs/heads/fine'])).code).toBe(0);
  });

  it('lets an App token with workflows: write through, and refuses one without it', async () => {
    const without = await cloneWith(h.forge, 'acme/widget', h.forge.appToken('bot', { contents: 'write' }));
    await without.commit({ '.github/workflows/new.yml': 'name: New\non: push\n' });
    expect((await without.run(['push', 'origin', 'HEAD:refs/heads/w'])).stderr).toContain(WORKFLOW_APP_REFUSAL);
    const withIt = await cloneWith(h.forge, 'acme/widget', h.forge.appToken('bot', { contents: 'write', workflows: 'write' }));
    await withIt.commit({ '.github/workflows/new.yml': 'name: New\non: push\n' });
    expect((await withIt.run(['push', 'origin', 'HEAD:refs/heads/w'])).code).toBe(0);
  });

  it('refuses a classic PAT without the `workflow` scope, unless the same file is already on another branch', async () => {
    const pat = await cloneWith(h.forge, 'acme/widget', h.forge.classicToken('maria', ['repo']));
    await pat.commit({ '.github/workflows/new.yml': 'name: New\non: push\n' });
    const r = await pat.run(['push', 'origin', 'HEAD:refs/heads/feature']);
    expect(r.stderr).toContain(
      'refusing to allow a Personal Access Token to create or update workflow `.github/workflows/new.yml` without `workflow` scope',
    );
    expect(await head('feature')).toBeNull();
    // Someone with the scope pushes it first; now the same path and contents exist on another branch.
    await git.commitFiles(h.repo.gitDir, 'elsewhere', { '.github/workflows/new.yml': 'name: New\non: push\n' }, 'x', { from: 'main' });
    expect((await pat.run(['push', 'origin', 'HEAD:refs/heads/feature'])).code).toBe(0);
    const fine = await cloneWith(h.forge, 'acme/widget', h.forge.classicToken('maria', ['repo', 'workflow']));
    await fine.commit({ '.github/workflows/other.yml': 'name: Other\non: push\n' });
    expect((await fine.run(['push', 'origin', 'HEAD:refs/heads/other'])).code).toBe(0);
  });
});

describe('the workflows rule on the API', () => {
  it('merging a PR that changes a workflow file is refused for installation tokens without workflows', async () => {
    await git.commitFiles(h.repo.gitDir, 'wf', { '.github/workflows/new.yml': 'name: New\non: push\n' }, 'wf', { from: 'main' });
    const pr = await api(h.forge, 'POST', '/repos/acme/widget/pulls', h.tokenFor('maria'), { title: 't', head: 'wf', base: 'main' });
    const refused = await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${pr.body.number}/merge`, jobToken('write-all'), {});
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('Resource not accessible by integration');
    expect(refused.headers.get('x-accepted-github-permissions')).toBe('contents=write,workflows=write');
    expect(h.repo.pulls.get(pr.body.number)!.merged).toBe(false);
    const app = h.forge.appToken('bot', { contents: 'write', workflows: 'write' });
    expect((await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${pr.body.number}/merge`, app, {})).status).toBe(200);
  });

  it('update-branch that would bring the base’s workflow changes into the head is refused', async () => {
    await git.commitFiles(h.repo.gitDir, 'topic', { 'a.txt': 'a\n' }, 'topic', { from: 'main' });
    const pr = await api(h.forge, 'POST', '/repos/acme/widget/pulls', h.tokenFor('maria'), { title: 't', head: 'topic', base: 'main' });
    await git.commitFiles(h.repo.gitDir, 'main', { '.github/workflows/new.yml': 'name: New\non: push\n' }, 'wf on main');
    const before = await head('topic');
    const refused = await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${pr.body.number}/update-branch`, jobToken('write-all'), {});
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(WORKFLOW_APP_REFUSAL);
    await h.forge.settled();
    expect(await head('topic')).toBe(before);
    // A person's classic PAT updates it: the file is on main already.
    expect((await api(h.forge, 'PUT', `/repos/acme/widget/pulls/${pr.body.number}/update-branch`, h.tokenFor('maria'), {})).status).toBe(
      202,
    );
    await h.forge.settled();
    expect(await head('topic')).not.toBe(before);
  });
});
