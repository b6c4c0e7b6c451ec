// A fine-grained PAT cannot hold the Checks permission: GitHub answers 403 to every check-runs read. The
// code lane must read CI from commit statuses and the head's Actions jobs instead of crashing as soon as
// a PR exists, and say so once in the job summary and on the item (what to grant for full check runs).

import { describe, expect, it } from 'vitest';
import { checkRunsHiddenNotice } from '../../src/core/ci.js';
import { renderSummary } from '../../src/core/summary.js';
import { createGitHubForge } from '../../src/forge/github.js';
import { loadCodeSnapshot } from '../../src/services/code-snapshot.js';
import { validateRequest } from '../support/openapi.js';
import { unitContext } from '../support/unit-context.js';

const SHA = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const T = '2026-11-21T10:00:00Z';
const user = { login: 'maria', id: 1, type: 'User' };
const bot = { login: 'agentloop-bot', id: 2, type: 'User' };

const issue1 = {
  number: 1,
  title: 'Add a flag',
  body: 'b',
  state: 'open',
  labels: [{ name: 'loop/code-ci-pending' }],
  user,
  created_at: T,
  updated_at: T,
  html_url: 'https://github.com/acme/widget/issues/1',
};
const pull10 = {
  number: 10,
  title: 'Add a flag',
  body: 'Closes #1',
  state: 'open',
  merged: false,
  merged_at: null,
  draft: false,
  labels: [],
  user: bot,
  head: { ref: 'agentloop/issue-1', sha: SHA, repo: { full_name: 'acme/widget' } },
  base: { ref: 'main' },
  mergeable: true,
  mergeable_state: 'clean',
  created_at: T,
  updated_at: T,
  html_url: 'https://github.com/acme/widget/pull/10',
};

/** GitHub as a fine-grained PAT sees it: everything answers, except check runs (403). */
function patGitHub() {
  const seen: string[] = [];
  const routes: [RegExp, (u: URL) => [number, unknown]][] = [
    [/\/issues$/, (u) => [200, u.searchParams.get('labels') === 'loop/code-ci-pending' ? [issue1] : []]],
    [/\/pulls$/, () => [200, [pull10]]],
    [/\/pulls\/10$/, () => [200, pull10]],
    [/\/issues\/10$/, () => [200, { ...issue1, number: 10, labels: [], pull_request: { url: '' }, user: bot }]],
    [/\/issues\/\d+\/comments$/, () => [200, []]],
    [/\/issues\/\d+\/events$/, () => [200, []]],
    [/\/commits\/\w+\/check-runs$/, () => [403, { message: 'Resource not accessible by personal access token' }]],
    [/\/commits\/\w+\/status$/, () => [200, { state: 'pending', sha: SHA, total_count: 0, statuses: [] }]],
    [
      /\/actions\/runs$/,
      () => [
        200,
        {
          total_count: 1,
          workflow_runs: [
            {
              id: 77,
              name: 'CI',
              workflow_id: 3,
              head_branch: 'agentloop/issue-1',
              head_sha: SHA,
              event: 'pull_request',
              status: 'completed',
              conclusion: 'success',
              html_url: 'https://github.com/acme/widget/actions/runs/77',
              created_at: T,
            },
          ],
        },
      ],
    ],
    [
      /\/actions\/runs\/77\/jobs$/,
      () => [
        200,
        {
          total_count: 1,
          jobs: [
            {
              id: 770,
              run_id: 77,
              name: 'test',
              status: 'completed',
              conclusion: 'success',
              html_url: 'https://github.com/acme/widget/actions/runs/77/job/770',
              steps: [],
            },
          ],
        },
      ],
    ],
  ];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const problems = validateRequest({ method, url: url.href });
    if (problems.length) throw new Error(problems.join('; '));
    seen.push(`${method} ${url.pathname}`);
    const route = method === 'GET' ? routes.find(([re]) => re.test(url.pathname)) : undefined;
    const [status, body] = route ? route[1](url) : [404, { message: 'Not Found' }];
    const response = new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };
  const forge = createGitHubForge({
    token: 'github_pat_x',
    owner: 'acme',
    repo: 'widget',
    fetch: fetch as typeof globalThis.fetch,
    retryAfterBaseMs: 1,
    spaceWrites: false,
  });
  return { forge, seen };
}

describe('the code lane with a token that may not read check runs', () => {
  it('reads CI from the Actions jobs of the head instead of failing, and marks the picture', async () => {
    const { forge, seen } = patGitHub();
    const rc = unitContext({ forge: forge, selfLogin: 'agentloop-bot' });
    const cs = await loadCodeSnapshot(rc, { kind: 'dispatch', chain: 0 });
    expect(seen).toContain(`GET /repos/acme/widget/commits/${SHA}/check-runs`);
    expect(cs.snapshot.pulls[0]!.ci).toMatchObject({ sha: SHA, status: 'success', checkRunsHidden: true });
    expect(forge.limits()).toEqual(['check-runs']);
  });

  it('the job summary says what was read instead and what to grant', () => {
    const md = renderSummary({
      event: { kind: 'dispatch', chain: 0 },
      eventName: 'workflow_dispatch',
      decision: { lane: 'code', transition: { kind: 'none', reason: 'x' }, queued: [], notes: [] },
      requests: 12,
      limits: ['check-runs'],
      dryRun: false,
      durationMs: 10,
    });
    expect(md).toContain('| CI visibility |');
    expect(checkRunsHiddenNotice()).toMatch(/403/);
    expect(checkRunsHiddenNotice()).toMatch(/commit statuses/);
    expect(checkRunsHiddenNotice()).toMatch(/GitHub App.*Checks: read/);
  });
});
