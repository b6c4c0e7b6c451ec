// Contract test of the Forgejo adapter: every Forge method runs against a fake fetch that answers with
// shapes built from the swagger's definitions, and every request it sends must be an operation of
// Forgejo's v15.0.3 API description with declared parameters (limit ≤ 50) and a body matching its schema.
import { describe, expect, it } from 'vitest';
import { createForgejoForge, versionProblem } from '../../src/forge/forgejo.js';
import { forgejoMajor } from '../../src/forge/forgejo-json.js';
import { readForgejoInstallation } from '../../src/services/doctor-reads-forgejo.js';
import { forgeCalls } from '../support/forge-calls.js';
import { findOperation, type RecordedRequest, sample, sampleResponse, validateRequest } from '../support/swagger.js';

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface FakeRequest {
  method: string;
  url: URL;
  body: unknown;
}
type Handler = Answer | ((req: FakeRequest, call: number) => Answer | undefined);

const API = 'https://forgejo.example/api/v1';
const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const b64 = (text: string) => Buffer.from(text).toString('base64');

function fakeForgejo(handlers: Record<string, Handler> = {}) {
  const requests: RecordedRequest[] = [];
  const calls = new Map<string, number>();
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' && init.body !== '' ? JSON.parse(init.body) : undefined;
    requests.push({ method, url: url.href, body });
    const found = findOperation(method, url.pathname);
    const route = found ? `${found.method} ${found.template}` : '';
    const call = calls.get(route) ?? 0;
    calls.set(route, call + 1);
    const handler = handlers[route];
    const answer: Answer = (typeof handler === 'function' ? handler({ method, url, body }, call) : handler) ??
      (found && sampleResponse(found)) ?? { status: 404, body: { message: 'Not Found' } };
    const headers = new Headers(answer.headers);
    if (answer.body === undefined || answer.status === 204) return new Response(null, { status: answer.status, headers });
    headers.set('content-type', 'application/json;charset=utf-8');
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
  };
  const forge = createForgejoForge({
    token: 'forgejo-token',
    owner: 'octo',
    repo: 'demo',
    baseUrl: API,
    fetch: fetch as typeof globalThis.fetch,
    retryAfterBaseMs: 1,
    conflictRecheckMs: 0,
  });
  return { forge, requests };
}

const problemsOf = (requests: RecordedRequest[]) => requests.flatMap((r) => validateRequest(r));
const routesOf = (requests: RecordedRequest[]) =>
  requests.map((r) => {
    const found = findOperation(r.method, new URL(r.url).pathname);
    return found ? `${found.method} ${found.template}` : `${r.method} ${r.url} (unknown)`;
  });

const user = (login: string) => sample('User', { login });
const label = (id: number, name: string) => sample('Label', { id, name, color: '#ededed', description: '' });
const pull = (over: Record<string, unknown> = {}) =>
  sample('PullRequest', {
    number: 7,
    title: 'Fix #1',
    state: 'open',
    merged: false,
    draft: false,
    mergeable: true,
    merged_at: null,
    user: user('agentloop-bot'),
    labels: [],
    head: sample('PRBranchInfo', { ref: 'agentloop/issue-1', sha: SHA, repo: sample('Repository', { full_name: 'octo/demo' }) }),
    base: sample('PRBranchInfo', { ref: 'main' }),
    ...over,
  });

/** A repository's labels that POST /labels adds to, and issues created with label ids. */
function labelStore(initial: { id: number; name: string }[]) {
  const labels = initial.map((l) => label(l.id, l.name));
  return {
    'GET /repos/{owner}/{repo}/labels': { status: 200, body: labels },
    'POST /repos/{owner}/{repo}/labels': (req: FakeRequest) => {
      const created = label(100 + labels.length, (req.body as { name: string }).name);
      labels.push(created);
      return { status: 201, body: created };
    },
    'POST /repos/{owner}/{repo}/issues': (req: FakeRequest) => {
      const ids = (req.body as { labels?: number[] }).labels ?? [];
      return {
        status: 201,
        body: sample('Issue', { number: 9, pull_request: null, labels: labels.filter((l) => ids.includes(l.id as number)) }),
      };
    },
  } satisfies Record<string, Handler>;
}

/** A PR's reviews (submitted, pending, requested, dismissed) with their code comments, and a created review. */
function reviewStore() {
  const review = (id: number, state: string, over: Record<string, unknown> = {}) =>
    sample('PullReview', { id, state, user: user('alice'), commit_id: SHA, dismissed: false, comments_count: 0, ...over });
  const comment = (id: number, reviewId: number, over: Record<string, unknown> = {}) =>
    sample('PullReviewComment', { id, pull_request_review_id: reviewId, path: 'src/add.js', position: 1, resolver: null, ...over });
  const comments: Record<string, unknown[]> = {
    '80': [comment(100, 80, { resolver: user('alice') })],
    '84': [comment(101, 84), comment(102, 84, { position: 0, original_position: 3 })],
  };
  return {
    'GET /repos/{owner}/{repo}/pulls/{index}/reviews': {
      status: 200,
      body: [
        review(80, 'REQUEST_CHANGES', { comments_count: 1 }),
        review(81, 'PENDING', { comments_count: 2 }),
        review(82, 'REQUEST_REVIEW'),
        review(83, 'APPROVED', { dismissed: true }),
        review(84, 'COMMENT', { comments_count: 2 }),
      ],
    },
    'GET /repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments': (req: FakeRequest) => ({
      status: 200,
      body: comments[req.url.pathname.split('/').at(-2)!] ?? [],
    }),
    'POST /repos/{owner}/{repo}/pulls/{index}/reviews': { status: 200, body: review(85, 'REQUEST_CHANGES', { comments_count: 1 }) },
  } satisfies Record<string, Handler>;
}

describe('ForgejoForge contract', () => {
  it('calls every Forge method with requests that conform to the Forgejo v15.0.3 swagger', async () => {
    const { forge, requests } = fakeForgejo({
      ...labelStore([
        { id: 2, name: 'loop/plan-done' },
        { id: 5, name: 'loop/plan-done' },
      ]),
      'GET /repos/{owner}/{repo}': { status: 200, body: sample('Repository', { default_branch: 'main', full_name: 'octo/demo' }) },
      'GET /user': { status: 200, body: user('agentloop-bot') },
      'GET /repos/{owner}/{repo}/contents/{filepath}': {
        status: 200,
        body: sample('ContentsResponse', { type: 'file', content: b64('agent: claude\n') }),
      },
      'GET /repos/{owner}/{repo}/issues/{index}/timeline': {
        status: 200,
        body: [
          sample('TimelineComment', { type: 'label', body: '1', label: label(3, 'loop/plan'), user: user('alice') }),
          sample('TimelineComment', { type: 'comment', body: 'hi', label: null }),
          sample('TimelineComment', { type: 'label', body: '', label: label(3, 'loop/plan'), user: user('bob') }),
        ],
      },
      'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission': {
        status: 200,
        body: { permission: 'owner', role_name: 'owner' },
      },
      'GET /repos/{owner}/{repo}/pulls/{index}': { status: 200, body: pull({ merge_commit_sha: 'abc123' }) },
      'GET /repos/{owner}/{repo}/commits/{ref}/status': {
        status: 200,
        body: sample('CombinedStatus', {
          total_count: 2,
          statuses: [
            sample('CommitStatus', {
              id: 1,
              context: 'ci / build',
              status: 'success',
              target_url: `${API}/octo/demo/actions/runs/4/jobs/0`,
            }),
            sample('CommitStatus', { id: 2, context: 'lint', status: 'warning', target_url: '' }),
          ],
        }),
      },
      'GET /repos/{owner}/{repo}/actions/runs': {
        status: 200,
        body: {
          total_count: 1,
          workflow_runs: [sample('ActionRun', { id: 4, status: 'failure', workflow_id: 'ci.yml', commit_sha: SHA })],
        },
      },
      'POST /repos/{owner}/{repo}/actions/workflows/{workflowfilename}/dispatches': { status: 204 },
      ...reviewStore(),
    });

    const calls = forgeCalls({
      issue: 1,
      pull: 7,
      comment: 11,
      run: 4,
      job: 4,
      sha: SHA,
      user: 'alice',
      issueLabel: 'ci-failure',
      logLines: 10,
    });

    const results: Record<string, unknown> = {};
    for (const [name, call] of Object.entries(calls)) results[name] = await call(forge);
    expect(await forge.serverVersion()).toMatchObject({ major: undefined }); // the sample answers "string"

    expect(problemsOf(requests)).toEqual([]);
    expect(new Set(routesOf(requests))).toEqual(
      new Set([
        'GET /version',
        'GET /repos/{owner}/{repo}',
        'GET /user',
        'GET /repos/{owner}/{repo}/contents/{filepath}',
        'GET /repos/{owner}/{repo}/issues/{index}',
        'GET /repos/{owner}/{repo}/issues',
        'GET /repos/{owner}/{repo}/labels',
        'POST /repos/{owner}/{repo}/labels',
        'POST /repos/{owner}/{repo}/issues',
        'PATCH /repos/{owner}/{repo}/issues/{index}',
        'GET /repos/{owner}/{repo}/issues/{index}/comments',
        'POST /repos/{owner}/{repo}/issues/{index}/comments',
        'PATCH /repos/{owner}/{repo}/issues/comments/{id}',
        'GET /repos/{owner}/{repo}/issues/{index}/timeline',
        'POST /repos/{owner}/{repo}/issues/{index}/labels',
        'DELETE /repos/{owner}/{repo}/issues/{index}/labels/{identifier}',
        'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission',
        'GET /repos/{owner}/{repo}/pulls',
        'GET /repos/{owner}/{repo}/pulls/{index}',
        'POST /repos/{owner}/{repo}/pulls',
        'POST /repos/{owner}/{repo}/pulls/{index}/merge',
        'POST /repos/{owner}/{repo}/pulls/{index}/update',
        'DELETE /repos/{owner}/{repo}/branches/{branch}',
        'GET /repos/{owner}/{repo}/commits/{ref}/status',
        'GET /repos/{owner}/{repo}/actions/runs',
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
        'POST /repos/{owner}/{repo}/actions/workflows/{workflowfilename}/dispatches',
        'GET /repos/{owner}/{repo}/pulls/{index}/reviews',
        'GET /repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments',
        'POST /repos/{owner}/{repo}/pulls/{index}/reviews',
      ]),
    );
    expect(forge.stats()).toEqual({ requests: requests.length });
    // Lists ask for Forgejo's page cap.
    const issuesList = requests.map((r) => new URL(r.url)).find((u) => u.pathname.endsWith('/repos/octo/demo/issues'))!;
    expect(issuesList.searchParams.get('limit')).toBe('50');
    // Labels by id: the lowest id of a duplicated name; a missing one created with a color first.
    expect(requests.find((r) => r.url.endsWith('/issues/1/labels') && r.method === 'POST')!.body).toEqual({ labels: [2] });
    expect(
      requests.filter((r) => r.method === 'POST' && r.url.endsWith('/labels') && !r.url.includes('/issues/')).map((r) => r.body),
    ).toEqual([
      { name: 'ci-failure', color: '#ededed', description: '' },
      { name: 'loop/plan', color: '#ededed', description: 'agentloop: plan this issue' },
    ]);
    expect(requests.find((r) => r.url.endsWith('/pulls/7/merge'))!.body).toEqual({ Do: 'squash', head_commit_id: SHA });
    expect(requests.find((r) => r.url.includes('/pulls/7/update'))!.url).toMatch(/\?style=merge$/);
    expect(requests.find((r) => r.method === 'DELETE' && r.url.includes('/branches/'))!.url).toBe(
      `${API}/repos/octo/demo/branches/agentloop/issue-1`,
    );
    const runsQuery = new URL(requests.find((r) => r.url.includes('/actions/runs?'))!.url).searchParams;
    expect(runsQuery.get('ref')).toBe('refs/heads/main');
    expect(runsQuery.getAll('status')).toEqual(['success', 'failure', 'cancelled', 'skipped']);

    expect(results.getRepo).toMatchObject({ owner: 'octo', repo: 'demo', defaultBranch: 'main', fullName: 'octo/demo' });
    expect(results.getSelf).toEqual({ login: 'agentloop-bot', type: 'User' });
    expect(results.getFileText).toBe('agent: claude\n');
    expect(results.createIssue).toMatchObject({ number: 9, labels: ['ci-failure'] });
    expect(results.listLabelEvents).toEqual([
      { action: 'labeled', label: 'loop/plan', actor: { login: 'alice', type: 'User' }, createdAt: '2026-01-01T00:00:00Z' },
      { action: 'unlabeled', label: 'loop/plan', actor: { login: 'bob', type: 'User' }, createdAt: '2026-01-01T00:00:00Z' },
    ]);
    expect(results.getPermission).toBe('admin');
    expect(results.getPull).toMatchObject({ number: 7, headSha: SHA, mergeable: true, mergeableState: 'clean', draft: false });
    expect(results.mergePull).toEqual({ merged: true, sha: 'abc123' });
    expect(results.updatePullBranch).toEqual({ requested: true });
    expect(results.listChecks).toEqual([
      { name: 'ci / build', conclusion: 'success', source: 'status', url: `${API}/octo/demo/actions/runs/4/jobs/0`, runId: 4 },
      { name: 'lint', conclusion: 'neutral', source: 'status', url: '' },
    ]);
    expect(results.listWorkflowRuns).toMatchObject([{ id: 4, status: 'completed', conclusion: 'failure', headSha: SHA, path: 'ci.yml' }]);
    expect(results.listRunJobs).toEqual([]);
    expect(results.getJobLogTail).toBe('');

    // Reviews: PENDING and REQUEST_REVIEW are no submitted reviews; `dismissed` wins over the state.
    expect((results.listReviews as { id: number; state: string }[]).map((r) => [r.id, r.state])).toEqual([
      [80, 'changes_requested'],
      [83, 'dismissed'],
      [84, 'commented'],
    ]);
    // Comments read per review, only of submitted reviews that have some; threads by path and line.
    const commentReads = requests.filter((r) => /\/reviews\/\d+\/comments$/.test(new URL(r.url).pathname));
    expect(commentReads.map((r) => new URL(r.url).pathname.split('/').at(-2))).toEqual(['80', '84']);
    expect(results.listReviewComments).toEqual([
      expect.objectContaining({ id: 100, reviewId: 80, path: 'src/add.js', line: 1, resolved: true }),
      expect.objectContaining({ id: 101, reviewId: 84, path: 'src/add.js', line: 1, resolved: false, inReplyTo: 100 }),
      expect.objectContaining({ id: 102, reviewId: 84, path: 'src/add.js', line: null, resolved: false }),
    ]);
    expect((results.listReviewComments as object[])[0]).not.toHaveProperty('inReplyTo');
    expect(results.createReview).toMatchObject({ id: 85, state: 'changes_requested', commitSha: SHA });
    expect(requests.find((r) => r.method === 'POST' && r.url.endsWith('/pulls/7/reviews'))!.body).toEqual({
      event: 'REQUEST_CHANGES',
      body: 'Please make add add.',
      commit_id: SHA,
      comments: [{ path: 'src/add.js', body: 'This subtracts.', new_position: 1 }],
    });
    // No reply endpoint: a PR comment quoting the thread's place and the first line answered.
    expect(requests.filter((r) => r.method === 'POST' && r.url.endsWith('/issues/7/comments')).map((r) => r.body)).toEqual([
      { body: '> [`src/add.js:1`](https://forge.example/o/r/pull/1#discussion_r1): This subtracts.\n\nFixed: it adds now.' },
    ]);
  });

  it('validator rejects what Forgejo would not accept (so this contract can fail)', () => {
    expect(validateRequest({ method: 'PUT', url: `${API}/repos/o/r/pulls/1/merge`, body: { sha: SHA } })).toEqual([
      'PUT /repos/o/r/pulls/1/merge: method not allowed by the spec',
    ]);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/pulls/1/merge`, body: { head_commit_id: SHA } })).toEqual([
      'POST /repos/{owner}/{repo}/pulls/{index}/merge: body: missing required "Do"',
    ]);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/pulls/1/merge`, body: { Do: 'fast-forward' } })).toHaveLength(1);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/labels`, body: { name: 'x' } })).toEqual([
      'POST /repos/{owner}/{repo}/labels: body: missing required "color"',
    ]);
    expect(validateRequest({ method: 'GET', url: `${API}/repos/o/r/issues/1/events` })).toEqual([
      'GET /repos/o/r/issues/1/events: unknown route',
    ]);
    expect(validateRequest({ method: 'GET', url: `${API}/repos/o/r/issues?limit=100&per_page=100` })).toEqual([
      'GET /repos/{owner}/{repo}/issues: query parameter "per_page" is not declared by the operation',
      `GET ${API}/repos/o/r/issues?limit=100&per_page=100: limit 100 exceeds Forgejo's page cap of 50`,
    ]);
    expect(validateRequest({ method: 'GET', url: `${API}/repos/o/r/issues/abc` })).toHaveLength(1);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/pulls/1/update?style=squash` })).toHaveLength(1);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/pulls`, body: { title: 't', draft: true } })).toEqual([
      'POST /repos/{owner}/{repo}/pulls: body.draft: not declared by the operation',
    ]);
    expect(validateRequest({ method: 'POST', url: `${API}/repos/o/r/issues`, body: { title: 't', labels: ['bug'] } })).toEqual([
      'POST /repos/{owner}/{repo}/issues: body.labels[0]: expected integer, got string',
    ]);
    expect(findOperation('GET', '/api/v1/repos/o/r/contents/docs/a.md')?.pathParams.filepath).toBe('docs/a.md');
    expect(findOperation('DELETE', '/api/v1/repos/o/r/issues/comments/5')?.template).toBe('/repos/{owner}/{repo}/issues/comments/{id}');
  });
});

// ---- behaviour ----

describe('ForgejoForge behaviour', () => {
  it('getPull: mergeable false is "not known yet" until a re-read confirms it; a check that finishes is clean', async () => {
    const checking = fakeForgejo({
      'GET /repos/{owner}/{repo}/pulls/{index}': (_r, n) => ({ status: 200, body: pull({ mergeable: n >= 1 }) }),
    });
    expect(await checking.forge.getPull(7)).toMatchObject({ mergeable: true, mergeableState: 'clean' });
    expect(checking.requests).toHaveLength(2);

    const conflict = fakeForgejo({ 'GET /repos/{owner}/{repo}/pulls/{index}': { status: 200, body: pull({ mergeable: false }) } });
    expect(await conflict.forge.getPull(7)).toMatchObject({ mergeable: false, mergeableState: 'dirty' });
    expect(conflict.requests).toHaveLength(3);

    // The list never confirms: false there stays unknown, so no decision reads it as a conflict.
    const listed = fakeForgejo({ 'GET /repos/{owner}/{repo}/pulls': { status: 200, body: [pull({ mergeable: false })] } });
    expect(await listed.forge.listOpenPulls()).toMatchObject([{ mergeable: null, mergeableState: 'unknown' }]);

    // A draft ("WIP:") is not mergeable by Forgejo and is no conflict.
    const wip = fakeForgejo({
      'GET /repos/{owner}/{repo}/pulls/{index}': { status: 200, body: pull({ title: 'WIP: x', mergeable: false }) },
    });
    expect(await wip.forge.getPull(7)).toMatchObject({ draft: true, mergeable: null, mergeableState: 'draft' });
    expect(wip.requests).toHaveLength(1);
  });

  it('listChecks: no statuses field means nothing reported yet; more statuses than the page are read from the list', async () => {
    const none = fakeForgejo({
      'GET /repos/{owner}/{repo}/commits/{ref}/status': { status: 200, body: { state: '', sha: SHA, total_count: 0 } },
    });
    expect(await none.forge.listChecks(SHA)).toEqual([]);

    const statuses = Array.from({ length: 60 }, (_, i) =>
      sample('CommitStatus', { id: i + 1, context: `job ${i % 55}`, status: 'pending' }),
    );
    statuses.push(sample('CommitStatus', { id: 99, context: 'job 0', status: 'error' }));
    const many = fakeForgejo({
      'GET /repos/{owner}/{repo}/commits/{ref}/status': { status: 200, body: { total_count: 55, statuses: statuses.slice(0, 50) } },
      'GET /repos/{owner}/{repo}/commits/{ref}/statuses': (req) => {
        const page = Number(req.url.searchParams.get('page'));
        const next = new URL(req.url);
        next.searchParams.set('page', String(page + 1));
        return {
          status: 200,
          body: statuses.slice((page - 1) * 50, page * 50),
          headers: page === 1 ? { link: `<${next.href}>; rel="next"` } : ({} as Record<string, string>),
        };
      },
    });
    const checks = await many.forge.listChecks(SHA);
    expect(checks).toHaveLength(55);
    expect(checks.find((c) => c.name === 'job 0')?.conclusion).toBe('failure');
    expect(problemsOf(many.requests)).toEqual([]);
    expect(many.requests).toHaveLength(3);
  });

  it('pathExists (init): a directory or file → true, 404 → false, with a valid contents request', async () => {
    const { forge, requests } = fakeForgejo({
      'GET /repos/{owner}/{repo}/contents/{filepath}': (r) =>
        r.url.pathname.endsWith('/.github/workflows') ? { status: 200, body: [] } : { status: 404, body: { message: 'Not Found' } },
    });
    expect(await forge.pathExists('.github/workflows', 'main')).toBe(true);
    expect(await forge.pathExists('.forgejo/workflows', 'main')).toBe(false);
    expect(requests.map((r) => new URL(r.url).pathname + new URL(r.url).search)).toEqual([
      '/api/v1/repos/octo/demo/contents/.github/workflows?ref=main',
      '/api/v1/repos/octo/demo/contents/.forgejo/workflows?ref=main',
    ]);
    expect(problemsOf(requests)).toEqual([]);
  });

  it("doctor's reads: getRepoJson and listDir (a directory's names; a file or 404 is none), all 11 of a healthy check valid", async () => {
    const dir = (...names: string[]) => ({ status: 200, body: names.map((name) => sample('ContentsResponse', { name, type: 'file' })) });
    const { forge, requests } = fakeForgejo({
      'GET /version': { status: 200, body: { version: '15.0.3+gitea-1.22.0' } },
      'GET /user': { status: 200, body: user('agentloop-bot') },
      'GET /repos/{owner}/{repo}': { status: 200, body: sample('Repository', { default_branch: 'main', has_actions: false }) },
      'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission': { status: 200, body: { permission: 'admin' } },
      'GET /repos/{owner}/{repo}/contents/{filepath}': (r) => {
        const path = decodeURIComponent(r.url.pathname.replace('/api/v1/repos/octo/demo/contents/', ''));
        if (path === '.github/workflows') return dir('ci.yml', 'agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml');
        if (path.endsWith('.yml')) return { status: 200, body: sample('ContentsResponse', { type: 'file', content: b64('on: push\n') }) };
        return { status: 404, body: { message: 'Not Found' } };
      },
      'GET /repos/{owner}/{repo}/labels': { status: 200, body: [label(1, 'loop/plan'), label(2, 'loop/code')] },
    });
    expect(await forge.getRepoJson()).toMatchObject({ default_branch: 'main', has_actions: false });
    expect(await forge.listDir('.github/workflows', 'main')).toEqual([
      'ci.yml',
      'agentloop-code.yml',
      'agentloop-plan.yml',
      'agentloop-sweep.yml',
    ]);
    expect(await forge.listDir('.github/workflows/ci.yml', 'main')).toBeNull();
    expect(await forge.listDir('.forgejo/workflows', 'main')).toBeNull();
    expect(problemsOf(requests)).toEqual([]);

    requests.length = 0;
    const facts = await readForgejoInstallation(forge, 'octo/demo', API);
    expect(facts.files?.map((f) => f.path)).toEqual([
      '.github/workflows/agentloop-code.yml',
      '.github/workflows/agentloop-plan.yml',
      '.github/workflows/agentloop-sweep.yml',
    ]);
    expect(routesOf(requests)).toEqual([
      'GET /version',
      'GET /user',
      'GET /repos/{owner}/{repo}',
      'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission',
      ...Array(6).fill('GET /repos/{owner}/{repo}/contents/{filepath}'),
      'GET /repos/{owner}/{repo}/labels',
    ]);
    expect(problemsOf(requests)).toEqual([]);
  });

  it('getPermission: 404 → none; 403 (a token of no repository admin) fails closed, saying the bot must be an admin', async () => {
    const answers: Answer[] = [
      { status: 200, body: { permission: 'write' } },
      { status: 404, body: { message: 'Not Found' } },
      { status: 403, body: { message: 'forbidden' } },
    ];
    const { forge } = fakeForgejo({ 'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission': (_r, n) => answers[n] });
    expect(await forge.getPermission('alice')).toBe('write');
    expect(await forge.getPermission('mallory')).toBe('none');
    await expect(forge.getPermission('bob')).rejects.toThrow(/only a repository admin.*bot user's token.*Administrator/);
  });

  it("createPull: 409 means the PR exists and is that PR; mergePull: Forgejo's refusal is an outcome", async () => {
    const { forge } = fakeForgejo({
      'POST /repos/{owner}/{repo}/pulls': { status: 409, body: { message: 'pull request already exists' } },
      'GET /repos/{owner}/{repo}/pulls': { status: 200, body: [pull({ number: 12 })] },
      'POST /repos/{owner}/{repo}/pulls/{index}/merge': { status: 409, body: { message: 'head out of date' } },
    });
    expect(await forge.createPull({ title: 't', body: 'b', head: 'agentloop/issue-1', base: 'main' })).toMatchObject({ number: 12 });
    expect(await forge.mergePull(12, SHA, 'merge')).toEqual({ merged: false, status: 409, message: 'head out of date' });
  });

  it('updatePullBranch: no SHA guard on Forgejo, so a moved head is checked first and nothing is sent', async () => {
    const { forge, requests } = fakeForgejo({ 'GET /repos/{owner}/{repo}/pulls/{index}': { status: 200, body: pull() } });
    expect(await forge.updatePullBranch(7, 'f'.repeat(40))).toMatchObject({ requested: false, status: 409 });
    expect(routesOf(requests)).toEqual(['GET /repos/{owner}/{repo}/pulls/{index}']);
  });

  it('a gateway error is retried for reads and for writes that are safe to repeat, never for a create', async () => {
    const flaky = (call: number): Answer | undefined => (call === 0 ? { status: 502, body: { message: 'Bad Gateway' } } : undefined);
    const { forge, requests } = fakeForgejo({
      'PATCH /repos/{owner}/{repo}/issues/comments/{id}': (_req, call) => flaky(call),
      'DELETE /repos/{owner}/{repo}/issues/{index}/labels/{identifier}': (_req, call) => flaky(call),
      'POST /repos/{owner}/{repo}/issues/{index}/comments': (_req, call) => flaky(call),
      'POST /repos/{owner}/{repo}/issues/{index}/labels': (_req, call) => flaky(call),
      'GET /repos/{owner}/{repo}/labels': { status: 200, body: [label(1, 'loop/plan')] },
    });
    await forge.updateComment(5, 'status, edited');
    await forge.removeLabel(1, 'loop/plan');
    await forge.addLabels(1, ['loop/plan']);
    await expect(forge.createComment(1, 'a notice')).rejects.toThrow(/502/);
    expect(routesOf(requests)).toEqual([
      'PATCH /repos/{owner}/{repo}/issues/comments/{id}',
      'PATCH /repos/{owner}/{repo}/issues/comments/{id}',
      'DELETE /repos/{owner}/{repo}/issues/{index}/labels/{identifier}',
      'DELETE /repos/{owner}/{repo}/issues/{index}/labels/{identifier}',
      'GET /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/issues/{index}/labels',
      'POST /repos/{owner}/{repo}/issues/{index}/labels',
      'POST /repos/{owner}/{repo}/issues/{index}/comments',
    ]);
    expect(problemsOf(requests)).toEqual([]);
  });

  it('pagination follows Link headers with limit=50', async () => {
    const { forge, requests } = fakeForgejo({
      'GET /repos/{owner}/{repo}/issues': (req) => {
        const page = Number(req.url.searchParams.get('page'));
        const body = Array.from({ length: page === 1 ? 50 : 3 }, (_, i) =>
          sample('Issue', { number: page * 100 + i, pull_request: null, labels: [{ id: 1, name: 'x' }] }),
        );
        return {
          status: 200,
          body,
          headers:
            page === 1
              ? { link: `<${API}/repos/octo/demo/issues?labels=x&limit=50&page=2&state=open>; rel="next"` }
              : ({} as Record<string, string>),
        };
      },
    });
    expect(await forge.listOpenIssuesWithLabel('x')).toHaveLength(53);
    expect(requests).toHaveLength(2);
    expect(problemsOf(requests)).toEqual([]);
  });

  it('version: v14 and later run; older Forgejo and Gitea are refused with a clear message', async () => {
    expect(forgejoMajor('15.0.3+gitea-1.22.0')).toBe(15);
    expect(forgejoMajor('1.22.3')).toBeUndefined();
    expect(versionProblem({ version: '14.0.0', major: 14 })).toBeUndefined();
    expect(versionProblem({ version: '13.0.2', major: 13 })).toMatch(/needs Forgejo v14 or later.*"13\.0\.2"/);
    expect(versionProblem({ version: '1.22.3', major: undefined })).toMatch(/Gitea is not supported/);
    const { forge, requests } = fakeForgejo({ 'GET /version': { status: 200, body: { version: '15.0.3+gitea-1.22.0' } } });
    await forge.serverVersion();
    expect(await forge.serverVersion()).toEqual({ version: '15.0.3+gitea-1.22.0', major: 15 });
    expect(requests).toHaveLength(1); // once per run
  });
});
