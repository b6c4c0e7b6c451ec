// Tokens and permissions as GitHub enforces them (docs/embedded-forge.md, "Tokens and permissions"): the
// workflow token's `permissions:`, GitHub App installation tokens, fine-grained and classic PATs, the
// "Allow GitHub Actions to create and approve pull requests" setting, and labels on new issues.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as git from '../src/git-ops.js';
import { ROUTE_PERMISSIONS, scopesFor, workflowTokenPermissions } from '../src/route-permissions.js';
import { api } from './support/client.js';
import { type Harness, openIssue, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expect(h.forge.violations).toEqual([]);
  await h.stop();
});

const call = (method: string, path: string, token: string, body?: unknown) => api(h.forge, method, path, token, body);
const jobToken = (declared: Parameters<typeof workflowTokenPermissions>[0]) =>
  h.forge.workflowToken(h.repo, workflowTokenPermissions(declared, h.repo.actions.defaultWorkflowPermissions));

describe('the workflow token carries its job’s permissions', () => {
  it('answers 403 "Resource not accessible by integration" with X-Accepted-GitHub-Permissions for what it lacks', async () => {
    const issue = openIssue(h, 'x', 'y');
    const reader = jobToken({ issues: 'read' });
    expect((await call('GET', `/repos/acme/widget/issues/${issue.number}`, reader)).status).toBe(200);
    const refused = await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, reader, { labels: ['bug'] });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue',
    });
    expect(refused.headers.get('x-accepted-github-permissions')).toBe('issues=write');
    expect(issue.labels).toEqual([]);
    // Naming one scope sets every other to none: this token cannot read pull requests or CI.
    expect((await call('GET', '/repos/acme/widget/pulls', reader)).status).toBe(403);
    expect((await call('GET', '/repos/acme/widget/actions/runs', reader)).headers.get('x-accepted-github-permissions')).toBe(
      'actions=read',
    );
  });

  it('without `permissions:` gets the repository default: restricted (contents and metadata read) unless set to write', async () => {
    const issue = openIssue(h, 'x', 'y');
    const restricted = jobToken(undefined);
    expect((await call('GET', '/repos/acme/widget', restricted)).status).toBe(200);
    expect((await call('GET', '/repos/acme/widget/contents/README.md', restricted)).status).toBe(200);
    expect((await call('GET', `/repos/acme/widget/issues/${issue.number}`, restricted)).status).toBe(403);
    h.forge.setWorkflowPermissions(h.repo, { default_workflow_permissions: 'write' });
    const permissive = jobToken(undefined);
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, permissive, { labels: ['bug'] })).status).toBe(200);
    // `permissions: {}` is nothing at all (metadata aside); read-all reads everything and writes nothing.
    expect((await call('GET', '/repos/acme/widget/contents/README.md', jobToken({}))).status).toBe(403);
    expect((await call('GET', '/repos/acme/widget', jobToken({}))).status).toBe(200);
    expect((await call('GET', `/repos/acme/widget/issues/${issue.number}`, jobToken('read-all'))).status).toBe(200);
    expect((await call('PATCH', `/repos/acme/widget/issues/${issue.number}`, jobToken('read-all'), { title: 't' })).status).toBe(403);
  });

  it('a label on a pull request takes issues or pull_requests write; on an issue only issues', async () => {
    await git.commitFiles(h.repo.gitDir, 'feature', { 'f.txt': 'x\n' }, 'feature', { from: 'main' });
    const pr = await call('POST', '/repos/acme/widget/pulls', h.tokenFor('maria'), { title: 't', head: 'feature', base: 'main' });
    const issue = openIssue(h, 'x', 'y');
    const prWriter = jobToken({ 'pull-requests': 'write' });
    const onPull = await call('POST', `/repos/acme/widget/issues/${pr.body.number}/labels`, prWriter, { labels: ['bug'] });
    expect(onPull.status).toBe(200);
    expect(onPull.headers.get('x-accepted-github-permissions')).toBe('issues=write; pull_requests=write');
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, prWriter, { labels: ['bug'] })).status).toBe(403);
  });

  it('reaches only its own repository, may not ask who it is, and expires when revoked (its job ended)', async () => {
    const other = await h.forge.createRepo('acme', 'other', { 'README.md': 'x\n' });
    const token = jobToken('write-all');
    expect((await call('GET', '/repos/acme/other', token)).status).toBe(404);
    expect(other.private).toBe(true);
    const me = await call('GET', '/user', token);
    expect(me.status).toBe(403);
    expect(me.body.message).toBe('Resource not accessible by integration');
    h.forge.revokeToken(token);
    const gone = await call('GET', '/repos/acme/widget', token);
    expect(gone.status).toBe(401);
    expect(gone.body.message).toBe('Bad credentials');
  });

  it('a fork’s pull request gets at most read, whatever the file says', () => {
    expect(workflowTokenPermissions({ issues: 'write', contents: 'read' }, 'read', true)).toEqual({
      issues: 'read',
      contents: 'read',
      metadata: 'read',
    });
    expect(workflowTokenPermissions(undefined, 'write', true).pull_requests).toBe('read');
  });
});

describe('GitHub App installation tokens', () => {
  it('act as <slug>[bot] with their permissions, may not ask GET /user, and expire after one hour', async () => {
    const token = h.forge.appToken('agentloop-app', { issues: 'write', contents: 'write' });
    expect(token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    const created = await call('POST', '/repos/acme/widget/issues', token, { title: 'from the app', labels: ['bug'] });
    expect(created.status).toBe(201);
    expect(created.body.user.login).toBe('agentloop-app[bot]');
    expect(created.body.user.type).toBe('Bot');
    expect((await call('GET', '/repos/acme/widget/pulls', token)).status).toBe(403);
    expect((await call('GET', '/user', token)).status).toBe(403);
    const rec = h.forge.state.tokens.get(token)!;
    expect(rec.automatic).toBe(false); // its writes start workflow runs (runner-strict.test.ts)
    const start = Date.now();
    h.forge.state.clock = () => new Date(start + 60 * 60 * 1000 + 1);
    const expired = await call('GET', '/repos/acme/widget', token);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Bad credentials');
  });
});

describe('fine-grained PATs', () => {
  it('act as their user within their permissions, and can never read check runs of a private repository', async () => {
    const token = h.forge.fineGrainedToken('maria', { issues: 'write', actions: 'read', contents: 'read' }, { repos: [h.repo] });
    expect(token).toMatch(/^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/);
    expect((await call('GET', '/user', token)).body.login).toBe('maria');
    expect((await call('POST', '/repos/acme/widget/issues', token, { title: 't' })).status).toBe(201);
    const prs = await call('GET', '/repos/acme/widget/pulls', token);
    expect(prs.status).toBe(403);
    expect(prs.body.message).toBe('Resource not accessible by personal access token');
    const main = (await git.revParse(h.repo.gitDir, 'refs/heads/main'))!;
    const checks = await call('GET', `/repos/acme/widget/commits/${main}/check-runs`, token);
    expect(checks.status).toBe(403);
    expect(checks.body.message).toBe('Resource not accessible by personal access token');
    expect(checks.headers.get('x-accepted-github-permissions')).toBe('checks=read');
    // Even "all permissions" has no Checks to give; a public repository's check runs are public.
    const everything = h.forge.fineGrainedToken('maria', { ...workflowTokenPermissions('write-all', 'write'), checks: 'read' });
    expect((await call('GET', `/repos/acme/widget/commits/${main}/check-runs`, everything)).status).toBe(403);
    h.repo.private = false;
    expect((await call('GET', `/repos/acme/widget/commits/${main}/check-runs`, token)).status).toBe(200);
  });

  it('the user’s role still limits them', async () => {
    const issue = openIssue(h, 'x', 'y');
    const tom = h.forge.fineGrainedToken('tom', { issues: 'write', contents: 'write' });
    expect((await call('POST', `/repos/acme/widget/issues/${issue.number}/labels`, tom, { labels: ['bug'] })).status).toBe(200);
    expect((await call('DELETE', '/repos/acme/widget/git/refs/heads/main', tom)).status).toBe(403);
  });
});

describe('classic PATs', () => {
  it('answer with X-OAuth-Scopes; without `repo` a private repository does not exist for them', async () => {
    const full = await call('GET', '/repos/acme/widget', h.tokenFor('maria'));
    expect(full.status).toBe(200);
    expect(full.headers.get('x-oauth-scopes')).toBe('repo, workflow');
    expect(full.headers.get('x-accepted-oauth-scopes')).toBe('repo');
    expect((await call('GET', '/repos/acme/widget', h.forge.classicToken('maria', ['read:user']))).status).toBe(404);
  });
});

describe('"Allow GitHub Actions to create and approve pull requests"', () => {
  it('is off by default: the workflow token may not open PRs until an admin sets it (GET/PUT …/actions/permissions/workflow)', async () => {
    await git.commitFiles(h.repo.gitDir, 'feature', { 'f.txt': 'x\n' }, 'feature', { from: 'main' });
    const bot = jobToken({ 'pull-requests': 'write', contents: 'write' });
    const refused = await call('POST', '/repos/acme/widget/pulls', bot, { title: 't', head: 'feature', base: 'main' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      message: 'GitHub Actions is not permitted to create or approve pull requests.',
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    });
    expect(h.repo.pulls.size).toBe(0);

    const admin = h.tokenFor('acme');
    expect((await call('GET', '/repos/acme/widget/actions/permissions/workflow', admin)).body).toEqual({
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: false,
    });
    // Writers cannot change it, nor can a workflow token (it never has `administration`).
    expect((await call('PUT', '/repos/acme/widget/actions/permissions/workflow', h.tokenFor('maria'), {})).status).toBe(403);
    expect((await call('GET', '/repos/acme/widget/actions/permissions/workflow', jobToken('write-all'))).status).toBe(403);
    const set = await call('PUT', '/repos/acme/widget/actions/permissions/workflow', admin, { can_approve_pull_request_reviews: true });
    expect(set.status).toBe(204);
    expect((await call('POST', '/repos/acme/widget/pulls', bot, { title: 't', head: 'feature', base: 'main' })).status).toBe(201);
    // Other tokens never needed it.
    await git.commitFiles(h.repo.gitDir, 'other', { 'g.txt': 'x\n' }, 'other', { from: 'main' });
    h.forge.setWorkflowPermissions(h.repo, { can_approve_pull_request_reviews: false });
    const app = h.forge.appToken('app', { pull_requests: 'write' });
    expect((await call('POST', '/repos/acme/widget/pulls', app, { title: 'u', head: 'other', base: 'main' })).status).toBe(201);
  });
});

describe('labels on a new issue', () => {
  it('are set only with push access, and silently dropped otherwise', async () => {
    const byWriter = await call('POST', '/repos/acme/widget/issues', h.tokenFor('maria'), { title: 'a', labels: ['bug'] });
    expect(byWriter.body.labels.map((l: { name: string }) => l.name)).toEqual(['bug']);
    const byTriage = await call('POST', '/repos/acme/widget/issues', h.tokenFor('tom'), { title: 'b', labels: ['bug'] });
    expect(byTriage.status).toBe(201);
    expect(byTriage.body.labels).toEqual([]);
    h.repo.private = false;
    const byStranger = await call('POST', '/repos/acme/widget/issues', h.tokenFor('stranger'), { title: 'c', labels: ['bug'] });
    expect(byStranger.status).toBe(201);
    expect(byStranger.body.labels).toEqual([]);
    expect(h.repo.events.filter((e) => e.event === 'labeled').map((e) => e.actor)).toEqual(['maria']);
  });
});

describe('the route table', () => {
  it('covers every route with GitHub’s documentation page, and sums up what a list of routes needs', () => {
    for (const rule of ROUTE_PERMISSIONS) expect(rule.docs).toMatch(/^https:\/\/docs\.github\.com\/rest\//);
    expect(
      scopesFor([
        'GET /repos/{owner}/{repo}/issues',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
      ]),
    ).toEqual({ issues: 'write', pull_requests: 'write', contents: 'write' });
  });
});
