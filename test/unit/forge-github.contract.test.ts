// Contract test of the GitHub adapter: every Forge method runs against a fake fetch that answers with
// the OpenAPI spec's own examples, and every request it sends must conform to GitHub's OpenAPI description.
import { describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../src/forge/github.js';
import type { ForgeLogger } from '../../src/forge/octokit.js';
import { forgeCalls, reviewComment } from '../support/forge-calls.js';
import { exampleResponse, findOperation, type RecordedRequest, validateRequest } from '../support/openapi.js';

// ---- a fake GitHub behind `fetch` ----

interface Answer {
  status: number;
  /** JSON value, or a string sent as text/plain. */
  body?: unknown;
  headers?: Record<string, string>;
}
interface FakeRequest {
  method: string;
  url: URL;
  body: unknown;
  /** `METHOD /template` from the spec, '' for an unknown route. */
  route: string;
}
type Handler = Answer | ((req: FakeRequest, call: number) => Answer | undefined);

type Fields = Record<string, unknown>;

/** The spec's example 2xx body for an operation, typed as far as the test reads it. */
function example<T>(method: string, path: string): T {
  const op = findOperation(method, path);
  if (!op) throw new Error(`no operation for ${method} ${path}`);
  return exampleResponse(op)?.body as T;
}

function fakeGitHub(handlers: Record<string, Handler> = {}, logger?: ForgeLogger) {
  const requests: RecordedRequest[] = [];
  const calls = new Map<string, number>();
  let remaining = 5000;

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' && init.body !== '' ? JSON.parse(init.body) : undefined;
    requests.push({ method, url: url.href, body });

    const op = findOperation(method, url.pathname);
    const route = op ? `${op.method} ${op.template}` : '';
    const call = calls.get(route) ?? 0;
    calls.set(route, call + 1);
    const handler = handlers[route];
    const answer: Answer = (typeof handler === 'function' ? handler({ method, url, body, route }, call) : handler) ??
      (op && exampleResponse(op)) ?? { status: 404, body: { message: 'Not Found' } };

    remaining -= 1;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining),
      'x-github-request-id': `REQ-${requests.length}`,
      ...answer.headers,
    };
    let response: Response;
    if (answer.body === undefined || [204, 205, 304].includes(answer.status))
      response = new Response(null, { status: answer.status, headers });
    else {
      const text = typeof answer.body === 'string';
      headers['content-type'] = text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      response = new Response(text ? (answer.body as string) : JSON.stringify(answer.body), { status: answer.status, headers });
    }
    // A constructed Response has url ''; real fetch reports the URL (the paginator parses it).
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };

  const forge = createGitHubForge({
    token: 'ghs_test',
    owner: 'octocat',
    repo: 'Hello-World',
    fetch: fetch as typeof globalThis.fetch,
    retryAfterBaseMs: 1,
    spaceWrites: false,
    ...(logger ? { logger } : {}),
  });
  return { forge, requests };
}

function problemsOf(requests: RecordedRequest[]): string[] {
  return requests.flatMap((r) => validateRequest(r));
}

function routesOf(requests: RecordedRequest[]): string[] {
  return requests.map((r) => {
    const op = findOperation(r.method, new URL(r.url).pathname);
    return op ? `${op.method} ${op.template}` : `${r.method} ${r.url} (unknown)`;
  });
}

const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const b64 = (text: string) => Buffer.from(text).toString('base64').replace(/.{60}/g, '$&\n'); // GitHub wraps at 60

// ---- the contract: every method, every request valid ----

describe('GitHubForge contract', () => {
  it('calls every Forge method with requests that conform to the GitHub OpenAPI description', async () => {
    const eventExample = example<Fields[]>('GET', '/repos/o/r/issues/1/events')[0];
    const { forge, requests } = fakeGitHub({
      'GET /repos/{owner}/{repo}/contents/{path}': {
        status: 200,
        body: { ...example<Fields>('GET', '/repos/o/r/contents/README.md'), content: b64('agent: claude\nmerge-method: squash\n') },
      },
      'GET /repos/{owner}/{repo}/issues/{issue_number}/events': {
        status: 200,
        body: [
          { ...eventExample, event: 'labeled', label: { name: 'loop/plan', color: 'ededed' } },
          { ...eventExample, event: 'closed', label: undefined },
          { ...eventExample, event: 'unlabeled', label: { name: 'loop/plan', color: 'ededed' }, actor: null },
        ],
      },
      // The API answers 302 to a download URL and fetch follows it; the fake answers what that yields.
      'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs': { status: 200, body: 'line 1\nline 2\nline 3\n' },
    });

    // The ids are those of the OpenAPI description's example answers the fake GitHub sends; the spec's
    // example answer to adding labels lists `bug`: the labels the adapter then verifies.
    const calls = forgeCalls({
      issue: 1347,
      pull: 1347,
      comment: 1,
      run: 30433642,
      job: 399444496,
      sha: SHA,
      user: 'octocat',
      issueLabel: 'bug',
      logLines: 2,
    });

    const results: Record<string, unknown> = {};
    for (const [name, call] of Object.entries(calls)) results[name] = await call(forge);

    expect(problemsOf(requests)).toEqual([]);
    expect(new Set(routesOf(requests))).toEqual(
      new Set([
        'GET /repos/{owner}/{repo}',
        'GET /user',
        'GET /repos/{owner}/{repo}/contents/{path}',
        'GET /repos/{owner}/{repo}/issues/{issue_number}',
        'GET /repos/{owner}/{repo}/issues',
        'GET /search/issues',
        'POST /repos/{owner}/{repo}/issues',
        'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
        'GET /repos/{owner}/{repo}/issues/{issue_number}/events',
        'GET /repos/{owner}/{repo}/labels',
        'POST /repos/{owner}/{repo}/labels',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
        'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
        'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
        'GET /repos/{owner}/{repo}/pulls',
        'GET /repos/{owner}/{repo}/pulls/{pull_number}',
        'POST /repos/{owner}/{repo}/pulls',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
        'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
        'DELETE /repos/{owner}/{repo}/git/refs/{ref}',
        'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
        'GET /repos/{owner}/{repo}/commits/{ref}/status',
        'GET /repos/{owner}/{repo}/actions/runs',
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
        'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs',
        'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
        'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies',
      ]),
    );
    // One request per call, except listChecks (check runs + combined status), createIssue (the issue, then
    // its labels) and listOpenItemsWithAnyLabel (issues and PRs searched apart, then what changed lately).
    expect(requests).toHaveLength(Object.keys(calls).length + 4);
    expect(forge.stats()).toEqual({ requests: requests.length, rateLimitRemaining: 5000 - requests.length, rateLimitLimit: 5000 });

    // The mapping reads the spec's example payloads sensibly.
    expect(results.getRepo).toEqual({
      owner: 'octocat',
      repo: 'Hello-World',
      defaultBranch: 'master',
      fullName: 'octocat/Hello-World',
      htmlUrl: 'https://github.com/octocat/Hello-World',
    });
    expect(results.getSelf).toEqual({ login: 'octocat', type: 'User' });
    expect(results.getFileText).toBe('agent: claude\nmerge-method: squash\n');
    // The spec's example issue carries a `pull_request` link, i.e. it is a PR seen through the issues API.
    expect(results.getIssue).toMatchObject({ number: 1347, title: 'Found a bug', state: 'open', isPull: true, labels: ['bug'] });
    expect(results.listLabelEvents).toEqual([
      { action: 'labeled', label: 'loop/plan', actor: { login: 'octocat', type: 'User' }, createdAt: '2011-04-14T16:00:49Z' },
      { action: 'unlabeled', label: 'loop/plan', actor: { login: 'ghost', type: 'User' }, createdAt: '2011-04-14T16:00:49Z' },
    ]);
    expect(results.getPermission).toBe('admin');
    expect(results.getPull).toMatchObject({
      number: 1347,
      headRef: 'new-topic',
      baseRef: 'master',
      headRepoFullName: 'octocat/Hello-World',
    });
    expect(results.mergePull).toEqual({ merged: true, sha: SHA });
    expect(results.listChecks).toEqual([
      { name: 'mighty_readme', conclusion: 'neutral', source: 'check-run', url: 'https://github.com/github/hello-world/runs/4' },
      { name: 'continuous-integration/jenkins', conclusion: 'success', source: 'status', url: 'https://ci.example.com/1000/output' },
      { name: 'security/brakeman', conclusion: 'success', source: 'status', url: 'https://ci.example.com/2000/output' },
    ]);
    expect(results.listRunJobs).toMatchObject([{ id: 399444496, name: 'build', conclusion: 'success', failedSteps: [] }]);
    expect(results.getJobLogTail).toBe('line 2\nline 3');

    // Reviews: lower-case states; line comments by the line of the new file (side RIGHT); a reply goes to the thread's first comment.
    expect(results.listReviews).toEqual([
      {
        id: 80,
        author: { login: 'octocat', type: 'User' },
        state: 'approved',
        body: 'Here is the body for the review.',
        commitSha: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091',
        submittedAt: '2019-11-17T17:43:43Z',
        htmlUrl: 'https://github.com/octocat/Hello-World/pull/12#pullrequestreview-80',
      },
    ]);
    expect(results.listReviewComments).toMatchObject([{ id: 10, reviewId: 42, path: 'file1.txt', line: 2, inReplyTo: 8 }]);
    expect((results.listReviewComments as { resolved?: boolean }[])[0]).not.toHaveProperty('resolved');
    expect(results.createReview).toMatchObject({ id: 80, state: 'changes_requested' });
    expect(requests.find((r) => r.method === 'POST' && r.url.endsWith('/pulls/1347/reviews'))!.body).toEqual({
      event: 'REQUEST_CHANGES',
      commit_id: SHA,
      body: 'Please make add add.',
      comments: [{ path: 'src/add.js', line: 1, side: 'RIGHT', body: 'This subtracts.' }],
    });
    expect(requests.find((r) => r.url.endsWith('/replies'))).toMatchObject({
      url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347/comments/1/replies',
      body: { body: 'Fixed: it adds now.' },
    });
  });

  it('validator rejects what GitHub would not accept (so this contract can fail)', () => {
    expect(
      validateRequest({
        method: 'POST',
        url: 'https://api.github.com/repos/o/r/issues/1/labels',
        body: { labels: ['bug'], colour: 'red' },
      }),
    ).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/labels: body.colour: not declared by the operation']);
    expect(validateRequest({ method: 'GET', url: 'https://api.github.com/repos/o/r/issues/1/labelz' })).toEqual([
      'GET /repos/o/r/issues/1/labelz: unknown route',
    ]);
    expect(validateRequest({ method: 'PATCH', url: '/repos/o/r/labels' })).toEqual([
      'PATCH /repos/o/r/labels: method not allowed by the spec',
    ]);
    expect(validateRequest({ method: 'GET', url: '/repos/o/r/issues?state=opened&colour=red' })).toHaveLength(2);
    expect(
      validateRequest({ method: 'PUT', url: '/repos/o/r/pulls/1/merge', body: { sha: SHA, merge_method: 'fast-forward' } }),
    ).toHaveLength(1);
    expect(validateRequest({ method: 'POST', url: '/repos/o/r/labels', body: { color: 'ededed' } })).toEqual([
      'POST /repos/{owner}/{repo}/labels: body: missing required "name"',
    ]);
    expect(validateRequest({ method: 'POST', url: '/repos/o/r/pulls', body: { title: 't', head: 'h', base: 'b', draft: 'no' } })).toEqual([
      'POST /repos/{owner}/{repo}/pulls: body.draft: expected boolean, got string',
    ]);
  });

  it('findOperation prefers literal segments over templates', () => {
    expect(findOperation('GET', '/repos/o/r/issues/comments/5')?.template).toBe('/repos/{owner}/{repo}/issues/comments/{comment_id}');
    expect(findOperation('GET', '/repos/o/r/issues/5/comments')?.template).toBe('/repos/{owner}/{repo}/issues/{issue_number}/comments');
    expect(findOperation('GET', '/repos/o/r/pulls/comments')?.template).toBe('/repos/{owner}/{repo}/pulls/comments');
    // Raw slashes in a trailing parameter, as non-Octokit clients send them.
    expect(findOperation('GET', '/repos/o/r/contents/docs/a.md')?.pathParams.path).toBe('docs/a.md');
    expect(findOperation('GET', '/repos/o/r/contents/docs%2Fa.md')?.pathParams.path).toBe('docs/a.md');
  });
});

// ---- behaviour ----

describe('GitHubForge behaviour', () => {
  it('getFileText: 404 → null', async () => {
    const { forge, requests } = fakeGitHub({
      'GET /repos/{owner}/{repo}/contents/{path}': { status: 404, body: { message: 'Not Found' } },
    });
    expect(await forge.getFileText('.github/agentloop.yml', 'main')).toBeNull();
    expect(requests).toHaveLength(1); // 404 is not retried
  });

  it('getSelf: an installation token may not ask (403) → null', async () => {
    const { forge } = fakeGitHub({ 'GET /user': { status: 403, body: { message: 'Resource not accessible by integration' } } });
    expect(await forge.getSelf()).toBeNull();
  });

  it('getPermission: role_name wins over permission; custom roles fall back; 404 → none; other errors propagate', async () => {
    const answers: Answer[] = [
      { status: 200, body: { permission: 'write', role_name: 'maintain', user: null } },
      { status: 200, body: { permission: 'read', role_name: 'triage', user: null } },
      { status: 200, body: { permission: 'write', role_name: 'release-manager', user: null } },
      { status: 404, body: { message: 'Not Found' } },
      { status: 401, body: { message: 'Bad credentials' } },
    ];
    const { forge } = fakeGitHub({ 'GET /repos/{owner}/{repo}/collaborators/{username}/permission': (_r, n) => answers[n] });
    expect(await forge.getPermission('a')).toBe('maintain');
    expect(await forge.getPermission('b')).toBe('triage');
    expect(await forge.getPermission('c')).toBe('write');
    expect(await forge.getPermission('d')).toBe('none');
    await expect(forge.getPermission('e')).rejects.toMatchObject({ status: 401 });
  });

  it('getPull: mergeable null stays null, unknown mergeable_state → unknown, deleted fork → empty head repo', async () => {
    const pull = example<Fields & { head: Fields }>('GET', '/repos/o/r/pulls/1');
    const { forge } = fakeGitHub({
      'GET /repos/{owner}/{repo}/pulls/{pull_number}': {
        status: 200,
        body: { ...pull, mergeable: null, mergeable_state: 'something_new', head: { ...pull.head, repo: null } },
      },
    });
    const data = await forge.getPull(1347);
    expect(data.mergeable).toBeNull();
    expect(data.mergeableState).toBe('unknown');
    expect(data.headRepoFullName).toBe('');
  });

  it('reviews: pending drafts are left out, every page is read, a reply to a reply answers the thread', async () => {
    const review = example<Fields[]>('GET', '/repos/o/r/pulls/1/reviews')[0]!;
    const { forge, requests } = fakeGitHub({
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': (req) => {
        const page = Number(req.url.searchParams.get('page') ?? 1);
        const next = new URL(req.url);
        next.searchParams.set('page', '2');
        return page === 1
          ? {
              status: 200,
              body: [
                { ...review, id: 1, state: 'PENDING', submitted_at: undefined },
                { ...review, id: 2, state: 'DISMISSED' },
                { ...review, id: 3, state: 'COMMENTED', user: null },
              ],
              headers: { link: `<${next.href}>; rel="next"` },
            }
          : { status: 200, body: [{ ...review, id: 4, state: 'CHANGES_REQUESTED' }] };
      },
    });
    const reviews = await forge.listReviews(5);
    expect(reviews.map((r) => [r.id, r.state, r.author.login])).toEqual([
      [2, 'dismissed', 'octocat'],
      [3, 'commented', 'ghost'],
      [4, 'changes_requested', 'octocat'],
    ]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual(['?per_page=100', '?per_page=100&page=2']);

    await forge.replyToReviewComment(5, { ...reviewComment({ comment: 12 }), inReplyTo: 7 }, 'Done.');
    expect(requests.at(-1)!.url).toMatch(/\/pulls\/5\/comments\/7\/replies$/);
    expect(problemsOf(requests)).toEqual([]);
  });

  it('createReview: an approval without comments sends none; a refusal (own PR) is an error, never retried', async () => {
    const { forge, requests } = fakeGitHub({
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': (_r, n) =>
        n === 0
          ? undefined
          : {
              status: 422,
              body: { message: 'Unprocessable Entity', errors: ['Can not approve your own pull request'] },
            },
    });
    await forge.createReview(3, { event: 'approve', body: '', commitSha: SHA, comments: [] });
    expect(requests[0]!.body).toEqual({ event: 'APPROVE', commit_id: SHA, body: '' });
    await expect(forge.createReview(3, { event: 'approve', body: '', commitSha: SHA, comments: [] })).rejects.toMatchObject({
      status: 422,
    });
    expect(requests).toHaveLength(2);
    expect(problemsOf(requests)).toEqual([]);
  });

  it('mergePull: 405 is an outcome, not an exception', async () => {
    const { forge } = fakeGitHub({
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': {
        status: 405,
        body: { message: 'Base branch was modified. Review and try the merge again.', documentation_url: 'https://docs.github.com/rest' },
      },
    });
    expect(await forge.mergePull(1347, SHA, 'merge')).toEqual({
      merged: false,
      status: 405,
      message: 'Base branch was modified. Review and try the merge again.',
    });
  });

  it('mergePull: a 5xx is never retried (it may have merged; the caller re-reads)', async () => {
    const { forge, requests } = fakeGitHub({
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': { status: 502, body: { message: 'Server Error' } },
    });
    expect(await forge.mergePull(1347, SHA, 'squash')).toMatchObject({ merged: false, status: 502 });
    expect(requests).toHaveLength(1);
    expect(forge.stats().requests).toBe(1);
  });

  it('removeLabel: 404 means already gone', async () => {
    const { forge, requests } = fakeGitHub({
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}': { status: 404, body: { message: 'Label does not exist' } },
    });
    await expect(forge.removeLabel(1347, 'loop/plan')).resolves.toBeUndefined();
    expect(new URL(requests[0]!.url).pathname).toBe('/repos/octocat/Hello-World/issues/1347/labels/loop%2Fplan');
  });

  it('createLabel: 422 already_exists is success; other 422s propagate', async () => {
    const answers: Answer[] = [
      { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] } },
      { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'invalid', field: 'color' }] } },
    ];
    const { forge } = fakeGitHub({ 'POST /repos/{owner}/{repo}/labels': (_r, n) => answers[n] });
    await expect(forge.createLabel({ name: 'loop/plan', color: 'ededed', description: '' })).resolves.toBeUndefined();
    await expect(forge.createLabel({ name: 'loop/plan', color: 'nope', description: '' })).rejects.toMatchObject({ status: 422 });
  });

  it('deleteBranch: 422 "Reference does not exist" means already gone', async () => {
    const { forge, requests } = fakeGitHub({
      'DELETE /repos/{owner}/{repo}/git/refs/{ref}': { status: 422, body: { message: 'Reference does not exist' } },
    });
    await expect(forge.deleteBranch('agentloop/issue-7')).resolves.toBeUndefined();
    expect(findOperation('DELETE', new URL(requests[0]!.url).pathname)?.pathParams.ref).toBe('heads/agentloop/issue-7');
  });

  it('stats counts every request sent, including a retried 500 on a GET', async () => {
    const { forge, requests } = fakeGitHub({
      'GET /repos/{owner}/{repo}/issues/{issue_number}': (_r, n) =>
        n === 0 ? { status: 500, body: { message: 'Server Error' } } : undefined,
    });
    expect((await forge.getIssue(1347)).number).toBe(1347);
    expect(requests).toHaveLength(2);
    expect(forge.stats().requests).toBe(2);
    expect(forge.stats().rateLimitRemaining).toBe(4998);
  });

  describe('listOpenItemsWithAnyLabel', () => {
    const issueExample = example<Fields>('GET', '/repos/o/r/issues/1');
    const item = (number: number, labels: string[], pull = false): Fields => ({
      ...issueExample,
      number,
      labels: labels.map((name) => ({ name, color: 'ededed' })),
      pull_request: pull ? issueExample.pull_request : undefined,
    });
    const ANSWERED = 'Mon, 30 Nov 2026 12:00:00 GMT';
    const searchAnswer =
      (issues: Fields[], pulls: Fields[], total?: number): Handler =>
      (req) => {
        const q = req.url.searchParams.get('q') ?? '';
        const items = q.includes('is:pull-request') ? pulls : issues;
        return { status: 200, body: { total_count: total ?? items.length, incomplete_results: false, items }, headers: { date: ANSWERED } };
      };

    it('searches issues and PRs for any of the labels, then reads what changed in the last 10 minutes from the list', async () => {
      const { forge, requests } = fakeGitHub({
        'GET /search/issues': searchAnswer(
          [item(1, ['loop/plan']), item(2, ['loop/code']), item(3, ['loop/code'])],
          [item(4, ['loop/code'], true)],
        ),
        // #2 lost its label a moment ago (the index still has it); #5 got one (the index does not yet).
        'GET /repos/{owner}/{repo}/issues': { status: 200, body: [item(2, ['bug']), item(5, ['loop/plan'])] },
      });
      const found = await forge.listOpenItemsWithAnyLabel(['loop/plan', 'loop/code']);
      expect(found.map((i) => [i.number, i.labels, i.fromIndex ?? false]).sort()).toEqual([
        [1, ['loop/plan'], true],
        [3, ['loop/code'], true],
        [4, ['loop/code'], true],
        [5, ['loop/plan'], false],
      ]);
      expect(problemsOf(requests)).toEqual([]);
      const urls = requests.map((r) => new URL(r.url));
      expect(urls.map((u) => u.pathname)).toEqual(['/search/issues', '/search/issues', '/repos/octocat/Hello-World/issues']);
      expect(urls.slice(0, 2).map((u) => u.searchParams.get('q'))).toEqual([
        'repo:octocat/Hello-World is:issue is:open label:loop/plan,loop/code',
        'repo:octocat/Hello-World is:pull-request is:open label:loop/plan,loop/code',
      ]);
      // Ten minutes before GitHub's own clock answered, not the runner's.
      expect(urls[2]!.searchParams.get('since')).toBe('2026-11-30T11:50:00.000Z');
      expect(urls[2]!.searchParams.get('state')).toBe('all');
    });

    it('quotes a label name with a space; one with a quote mark is listed apart', async () => {
      const { forge, requests } = fakeGitHub({
        'GET /search/issues': searchAnswer([], []),
        'GET /repos/{owner}/{repo}/issues': { status: 200, body: [] },
      });
      await forge.listOpenItemsWithAnyLabel(['loop/plan', 'needs a plan']);
      expect(new URL(requests[0]!.url).searchParams.get('q')).toBe(
        'repo:octocat/Hello-World is:issue is:open label:loop/plan,"needs a plan"',
      );
      const quoted = fakeGitHub({ 'GET /repos/{owner}/{repo}/issues': { status: 200, body: [] } });
      await quoted.forge.listOpenItemsWithAnyLabel(['loop/plan', 'say "plan"']);
      expect(quoted.requests.map((r) => new URL(r.url).pathname)).toEqual([
        '/repos/octocat/Hello-World/issues',
        '/repos/octocat/Hello-World/issues',
      ]);
    });

    it('reads every page of the search, 100 at a time', async () => {
      const many = Array.from({ length: 150 }, (_, k) => item(k + 1, ['loop/code']));
      const { forge, requests } = fakeGitHub({
        'GET /search/issues': (req) => {
          const q = req.url.searchParams.get('q') ?? '';
          const page = Number(req.url.searchParams.get('page'));
          const items = q.includes('is:pull-request') ? [] : many.slice((page - 1) * 100, page * 100);
          return { status: 200, body: { total_count: q.includes('is:pull-request') ? 0 : 150, incomplete_results: false, items } };
        },
        'GET /repos/{owner}/{repo}/issues': { status: 200, body: [] },
      });
      expect(await forge.listOpenItemsWithAnyLabel(['loop/code'])).toHaveLength(150);
      expect(requests.filter((r) => r.url.includes('/search/issues'))).toHaveLength(3);
    });

    it('lists each label when search cannot answer: over 1000 results, or an error', async () => {
      const cases: [Handler, string][] = [
        [searchAnswer([item(1, ['loop/plan'])], [], 1001), 'search answered 1001 results'],
        [{ status: 503, body: { message: 'Service Unavailable' } }, 'HTTP 503'],
        [{ status: 502, body: { message: 'Bad Gateway' } }, 'HTTP 502'],
      ];
      for (const [search, why] of cases) {
        const said: string[] = [];
        const logger = { info: (m: string) => said.push(m), warning: (m: string) => said.push(m) };
        const { forge, requests } = fakeGitHub(
          {
            'GET /search/issues': search,
            'GET /repos/{owner}/{repo}/issues': (req) => ({
              status: 200,
              body: req.url.searchParams.get('labels') === 'loop/plan' ? [item(1, ['loop/plan'])] : [item(2, ['loop/code'])],
            }),
          },
          logger,
        );
        const found = await forge.listOpenItemsWithAnyLabel(['loop/plan', 'loop/code']);
        expect(found.map((i) => [i.number, i.fromIndex ?? false])).toEqual([
          [1, false],
          [2, false],
        ]);
        const lists = requests.filter((r) => new URL(r.url).pathname.startsWith('/repos/'));
        expect(lists.map((r) => new URL(r.url).searchParams.get('labels'))).toEqual(['loop/plan', 'loop/code']);
        expect(said).toContain(`Search could not list the loop items (${why}); listing each of the 2 labels instead.`);
        expect(problemsOf(requests)).toEqual([]);
      }
    });
  });

  it('paginates lists through the Link header', async () => {
    const comment = example<Fields>('GET', '/repos/o/r/issues/comments/1');
    const { forge, requests } = fakeGitHub({
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (req) =>
        req.url.searchParams.get('page') === '2'
          ? { status: 200, body: [{ ...comment, id: 2, body: 'second' }] }
          : {
              status: 200,
              body: [{ ...comment, id: 1, body: 'first' }],
              headers: {
                link: `<${req.url.origin}${req.url.pathname}?per_page=100&page=2>; rel="next", <${req.url.origin}${req.url.pathname}?per_page=100&page=2>; rel="last"`,
              },
            },
    });
    const comments = await forge.listComments(1347);
    expect(comments.map((c) => [c.id, c.body])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
    expect(requests).toHaveLength(2);
    expect(problemsOf(requests)).toEqual([]);
    expect(forge.stats().requests).toBe(2);
  });

  it('listChecks maps check runs and statuses, with Actions run/job ids', async () => {
    const run = example<{ check_runs: Fields[] }>('GET', '/repos/o/r/commits/x/check-runs').check_runs[0];
    const status = example<Fields & { statuses: Fields[] }>('GET', '/repos/o/r/commits/x/status');
    const actionsUrl = 'https://github.com/octocat/Hello-World/actions/runs/123/job/456';
    const { forge } = fakeGitHub({
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': {
        status: 200,
        body: {
          total_count: 4,
          check_runs: [
            { ...run, name: 'build', status: 'in_progress', conclusion: null, details_url: actionsUrl },
            { ...run, name: 'test', status: 'completed', conclusion: 'failure' },
            { ...run, name: 'lint', status: 'completed', conclusion: 'cancelled' },
            { ...run, name: 'docs', status: 'completed', conclusion: 'skipped' },
          ],
        },
      },
      'GET /repos/{owner}/{repo}/commits/{ref}/status': {
        status: 200,
        body: {
          ...status,
          statuses: [
            {
              ...status.statuses[0],
              context: 'agentloop',
              state: 'pending',
              target_url: 'https://github.com/octocat/Hello-World/actions/runs/789',
            },
            { ...status.statuses[1], context: 'deploy', state: 'error', target_url: null },
          ],
        },
      },
    });
    const checks = await forge.listChecks(SHA);
    expect(checks.map((c) => [c.name, c.conclusion, c.source])).toEqual([
      ['build', 'pending', 'check-run'],
      ['test', 'failure', 'check-run'],
      ['lint', 'failure', 'check-run'],
      ['docs', 'skipped', 'check-run'],
      ['agentloop', 'pending', 'status'],
      ['deploy', 'failure', 'status'],
    ]);
    expect(checks[0]).toMatchObject({ runId: 123, detailsId: 456 });
    expect(checks[4]).toMatchObject({ runId: 789, url: 'https://github.com/octocat/Hello-World/actions/runs/789' });
    expect(checks[5]!.url).toBe('');
  });

  it('listRunJobs names failed steps; getJobLogTail returns "" when logs are gone', async () => {
    const job = example<{ jobs: (Fields & { steps: Fields[] })[] }>('GET', '/repos/o/r/actions/runs/1/jobs').jobs[0]!;
    const { forge } = fakeGitHub({
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs': {
        status: 200,
        body: {
          total_count: 1,
          jobs: [
            {
              ...job,
              conclusion: 'failure',
              steps: [
                { ...job.steps[0], name: 'Install', conclusion: 'success' },
                { ...job.steps[0], name: 'Test', conclusion: 'failure' },
              ],
            },
          ],
        },
      },
      'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs': { status: 410, body: { message: 'Gone' } },
    });
    expect((await forge.listRunJobs(1))[0]).toMatchObject({ conclusion: 'failure', failedSteps: ['Test'] });
    expect(await forge.getJobLogTail(1, 50)).toBe('');
  });

  it('listWorkflowRuns sends only the filters that are set', async () => {
    const { forge, requests } = fakeGitHub();
    const runs = await forge.listWorkflowRuns({ branch: 'main' });
    expect(runs[0]).toMatchObject({ id: 30433642, status: 'queued', headBranch: 'master' });
    // What started the run and where its head came from decide whether it is the default branch's CI.
    expect(runs[0]).toMatchObject({ event: 'push', headRepoFullName: 'octo-org/octo-repo' });
    expect([...new URL(requests[0]!.url).searchParams.keys()].sort()).toEqual(['branch', 'per_page']);
  });

  it('secondary rate limit: retried at most twice, each logged', async () => {
    const warnings: string[] = [];
    const { forge, requests } = fakeGitHub(
      {
        'GET /repos/{owner}/{repo}/issues/{issue_number}': {
          status: 403,
          body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
          headers: { 'retry-after': '1' },
        },
      },
      { info() {}, warning: (m) => warnings.push(m) },
    );
    await expect(forge.getIssue(1347)).rejects.toMatchObject({ status: 403 });
    expect(requests).toHaveLength(3);
    expect(forge.stats().requests).toBe(3);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toMatch(/giving up/);
  });
});

describe('GitHubForge primary rate limit', () => {
  it('retries after the reset when it is near, gives up when it is far', async () => {
    const warnings: string[] = [];
    const exhausted = (resetInSeconds: number): Answer => ({
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds) },
    });
    const { forge, requests } = fakeGitHub(
      {
        'GET /repos/{owner}/{repo}': (_r, n) => (n === 0 ? exhausted(0) : undefined),
        'GET /repos/{owner}/{repo}/pulls/{pull_number}': exhausted(3600),
      },
      { info() {}, warning: (m) => warnings.push(m) },
    );
    expect((await forge.getRepo()).defaultBranch).toBe('master');
    expect(requests).toHaveLength(2);
    await expect(forge.getPull(1)).rejects.toMatchObject({ status: 403 });
    expect(requests).toHaveLength(3);
    expect(warnings[1]).toMatch(/not waiting/);
    expect(forge.stats()).toMatchObject({ requests: 3, rateLimitRemaining: 0, rateLimitLimit: 5000 });
  });
});

// ---- what real GitHub answers on day one ----

describe('GitHubForge on tokens that may not do everything', () => {
  const checkRun = () => example<{ check_runs: Fields[] }>('GET', '/repos/o/r/commits/x/check-runs').check_runs[0];
  const combined = () => example<Fields & { statuses: Fields[] }>('GET', '/repos/o/r/commits/x/status');
  const workflowRun = () => example<{ workflow_runs: Fields[] }>('GET', '/repos/o/r/actions/runs').workflow_runs[0]!;
  const job = () => example<{ jobs: Fields[] }>('GET', '/repos/o/r/actions/runs/1/jobs').jobs[0]!;
  const jobsOf: Record<string, Fields[]> = {
    '11': [
      {
        ...job(),
        id: 111,
        run_id: 11,
        name: 'build',
        status: 'completed',
        conclusion: 'success',
        html_url: 'https://github.com/o/r/actions/runs/11/job/111',
      },
      {
        ...job(),
        id: 112,
        run_id: 11,
        name: 'test',
        status: 'completed',
        conclusion: 'failure',
        html_url: 'https://github.com/o/r/actions/runs/11/job/112',
      },
    ],
    '12': [],
    '13': [],
  };
  // A fine-grained PAT cannot hold the Checks permission: GitHub answers 403 to every check-runs read.
  const patLike = () =>
    fakeGitHub({
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': {
        status: 403,
        body: { message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest' },
      },
      'GET /repos/{owner}/{repo}/commits/{ref}/status': {
        status: 200,
        body: { ...combined(), statuses: [{ ...combined().statuses[0], context: 'ci/jenkins', state: 'success' }] },
      },
      'GET /repos/{owner}/{repo}/actions/runs': {
        status: 200,
        body: {
          total_count: 4,
          workflow_runs: [
            // agentloop's own runs on the head (pull_request label events) are not CI: not even asked for jobs.
            { ...workflowRun(), id: 10, name: 'agentloop code', head_sha: SHA, status: 'queued', conclusion: null },
            { ...workflowRun(), id: 11, name: 'CI', head_sha: SHA, status: 'completed', conclusion: 'failure' },
            { ...workflowRun(), id: 12, name: 'Docs', head_sha: SHA, status: 'queued', conclusion: null },
            { ...workflowRun(), id: 13, name: 'Deploy', head_sha: SHA, status: 'completed', conclusion: 'action_required' },
          ],
        },
      },
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs': (req) => {
        const id = /\/runs\/(\d+)\/jobs/.exec(req.url.pathname)![1]!;
        return { status: 200, body: { total_count: jobsOf[id]!.length, jobs: jobsOf[id] } };
      },
    });

  it('listChecks: check-runs answers 403 → commit statuses plus the Actions jobs of the head SHA, and says so', async () => {
    const { forge, requests } = patLike();
    expect(forge.limits()).toEqual([]);
    const checks = await forge.listChecks(SHA);
    expect(checks.map((c) => [c.name, c.conclusion, c.source])).toEqual([
      ['build', 'success', 'actions-job'],
      ['test', 'failure', 'actions-job'],
      // A run with no job yet is CI that has not reported, not CI that is absent.
      ['Docs', 'pending', 'actions-job'],
      // A run waiting for a maintainer's approval is waiting, not red.
      ['Deploy', 'action_required', 'actions-job'],
      ['ci/jenkins', 'success', 'status'],
    ]);
    expect(checks[1]).toMatchObject({ runId: 11, detailsId: 112, url: 'https://github.com/o/r/actions/runs/11/job/112' });
    expect(forge.limits()).toEqual(['check-runs']);
    expect(requests.map((r) => new URL(r.url).pathname)).not.toContain('/repos/octocat/Hello-World/actions/runs/10/jobs');
    const runsQuery = requests.map((r) => new URL(r.url)).find((u) => u.pathname.endsWith('/actions/runs'))!;
    expect(runsQuery.searchParams.get('head_sha')).toBe(SHA);
    expect(problemsOf(requests)).toEqual([]);

    // Said once: the next head is read without asking for check runs again.
    const before = requests.length;
    await forge.listChecks(SHA);
    expect(routesOf(requests.slice(before))).not.toContain('GET /repos/{owner}/{repo}/commits/{ref}/check-runs');
  });

  it('listChecks: a 403 that is a rate limit is not mistaken for a missing permission', async () => {
    const { forge } = fakeGitHub({
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': {
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 1.' },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      },
    });
    await expect(forge.listChecks(SHA)).rejects.toMatchObject({ status: 403 });
    expect(forge.limits()).toEqual([]);
  });

  it('listChecks: a check run waiting for a maintainer (action_required) is not a failure', async () => {
    const { forge } = fakeGitHub({
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': {
        status: 200,
        body: { total_count: 1, check_runs: [{ ...checkRun(), name: 'deploy', status: 'completed', conclusion: 'action_required' }] },
      },
      'GET /repos/{owner}/{repo}/commits/{ref}/status': { status: 200, body: { ...combined(), statuses: [] } },
    });
    expect((await forge.listChecks(SHA)).map((c) => [c.name, c.conclusion])).toEqual([['deploy', 'action_required']]);
  });

  // "Only users with push access can set labels for new issues. Labels are silently dropped otherwise."
  it('createIssue: creates the issue, then adds the labels with a separate call and checks they stuck', async () => {
    const issue = example<Fields>('POST', '/repos/o/r/issues');
    const label = example<Fields[]>('POST', '/repos/o/r/issues/1/labels')[0];
    const { forge, requests } = fakeGitHub({
      'POST /repos/{owner}/{repo}/issues': { status: 201, body: { ...issue, number: 7, labels: [] } },
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': (req) => ({
        status: 200,
        body: (req.body as { labels: string[] }).labels.map((name) => ({ ...label, name })),
      }),
    });
    const created = await forge.createIssue('CI failing on main: CI', 'details', ['ci-failure', 'loop/code']);
    expect(created).toMatchObject({ number: 7, labels: ['ci-failure', 'loop/code'] });
    expect(routesOf(requests)).toEqual(['POST /repos/{owner}/{repo}/issues', 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels']);
    expect(requests[0]!.body).not.toHaveProperty('labels');
    expect(requests[1]!.body).toEqual({ labels: ['ci-failure', 'loop/code'] });
    expect(problemsOf(requests)).toEqual([]);
  });

  it('createIssue: labels that still do not stick are an error naming them, never a silent success', async () => {
    const issue = example<Fields>('POST', '/repos/o/r/issues');
    const { forge } = fakeGitHub({
      'POST /repos/{owner}/{repo}/issues': { status: 201, body: { ...issue, number: 7, labels: [] } },
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': { status: 200, body: [] },
    });
    await expect(forge.createIssue('agentloop dashboard', 'body', ['loop/dashboard'])).rejects.toThrow(/#7.*loop\/dashboard/);
  });

  it('updatePullBranch: 202 Accepted means requested, not done', async () => {
    const { forge } = fakeGitHub({
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch': {
        status: 202,
        body: { message: 'Updating pull request branch.', url: 'https://github.com/repos/octocat/Hello-World/pulls/53' },
      },
    });
    expect(await forge.updatePullBranch(1347, SHA)).toEqual({ requested: true });
  });

  it("updatePullBranch: a refusal is an outcome carrying GitHub's words", async () => {
    const message = 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission';
    const answers: Answer[] = [
      { status: 422, body: { message, documentation_url: 'https://docs.github.com/rest' } },
      { status: 422, body: { message: 'expected head sha didn’t match current head ref.' } },
    ];
    const { forge } = fakeGitHub({ 'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch': (_r, n) => answers[n] });
    expect(await forge.updatePullBranch(1347, SHA)).toEqual({ requested: false, status: 422, message });
    expect(await forge.updatePullBranch(1347, SHA)).toMatchObject({ requested: false, status: 422 });
  });
});
