// Each workflow template grants its job exactly what its lane's requests need when agentloop runs with
// the workflow token: the Forge methods each lane calls → the REST routes the GitHub adapter sends for
// them (recorded by calling each method against a fake GitHub that answers with the OpenAPI examples) →
// the permissions GitHub asks for each route (the embedded forge's one table, route-permissions.ts,
// which it enforces), plus git: a checkout fetches, the code lane pushes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GIT_FETCH, GIT_PUSH, type PermissionSet, ruleFor, scopesFor } from '@agentloop/embedded-forge/permissions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createGitHubForge } from '../../src/forge/github.js';
import { type ForgeMethod, forgeCalls } from '../support/forge-calls.js';
import { exampleResponse, findOperation } from '../support/openapi.js';

/** The methods that send requests (stats and limits only report on the client). */
type Method = ForgeMethod;

/** Every run: the default branch (setup), the configuration file and prompt overrides, trust lookups. */
const EVERY_RUN: Method[] = ['getRepo', 'getSelf', 'getFileText', 'getPermission'];
/** Lanes that read and write loop items: the item loader, the label writer, the status comment. */
const ITEMS: Method[] = [
  'getIssue',
  'listOpenIssuesWithLabel',
  'listOpenItemsWithAnyLabel',
  'listComments',
  'listLabelEvents',
  'listRepoLabels',
  'createLabel',
  'addLabels',
  'removeLabel',
  'createComment',
  'updateComment',
];

/** What each lane calls (src/run/tick.ts and the transitions each lane performs). */
const LANES: Record<string, { methods: Method[]; pushes: boolean }> = {
  // plan.ts, refuse.ts, edited.ts; breakdown.ts and breakdown-approve.ts create the child issues
  plan: { methods: [...EVERY_RUN, ...ITEMS, 'createIssue', 'listIssuesUpdatedSince'], pushes: false },
  // code.ts, fix-ci.ts (ci-logs.ts), rebase.ts, merge.ts, ci-bookkeeping.ts, refuse.ts, run/chain.ts
  code: {
    methods: [
      ...EVERY_RUN,
      ...ITEMS,
      'listClosedIssuesWithLabel',
      'closeIssue',
      'listOpenPulls',
      'getPull',
      'createPull',
      'mergePull',
      'updatePullBranch',
      'deleteBranch',
      'listChecks',
      'listRunJobs',
      'getJobLogTail',
      'dispatchWorkflow',
      // address-review.ts, review.ts, services/review-reads.ts
      'listReviews',
      'listReviewComments',
      'createReview',
      'replyToReviewComment',
    ],
    pushes: true,
  },
  // sweep.ts, ci-failure.ts, dashboard.ts
  sweep: {
    methods: [
      ...EVERY_RUN,
      ...ITEMS,
      'listClosedIssuesWithLabel',
      'createIssue',
      'closeIssue',
      'updateIssueBody',
      'listWorkflowRuns',
      'listRunJobs',
      'getJobLogTail',
      'dispatchWorkflow',
    ],
    pushes: false,
  },
};
/** Methods no lane calls (the CLI's, or none yet). */
const NO_LANE: string[] = ['getWorkflowRun'];

const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
/** One call of each Forge method (arguments do not matter: the routes do). */
const CALLS = forgeCalls({ issue: 1, pull: 1, comment: 1, run: 1, job: 1, sha: SHA, user: 'octocat', issueLabel: 'x', logLines: 10 });

/** The routes (`METHOD /template`) one Forge method sends, against a GitHub that answers with the spec's examples. */
async function routesOf(method: Method): Promise<string[]> {
  const seen: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const op = findOperation((init?.method ?? 'GET').toUpperCase(), url.pathname);
    seen.push(op ? `${op.method} ${op.template}` : `unknown ${url.pathname}`);
    const answer = op ? exampleResponse(op) : undefined;
    const status = answer?.status ?? 404;
    const body = answer?.body === undefined || status === 204 ? null : JSON.stringify(answer.body);
    const response = new Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
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
  });
  await CALLS[method](forge).catch(() => undefined);
  return [...new Set(seen)];
}

/** A template job's `permissions:` as GitHub names the scopes (pull-requests → pull_requests). */
function templatePermissions(file: string): PermissionSet {
  const wf = parse(readFileSync(join('workflows-templates/github', file), 'utf8')) as {
    jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string }[] }>;
  };
  const jobs = Object.values(wf.jobs);
  expect(jobs).toHaveLength(1);
  const out: PermissionSet = {};
  for (const [k, v] of Object.entries(jobs[0]!.permissions ?? {})) {
    if (v !== 'none') out[k.replace(/-/g, '_') as keyof PermissionSet] = v as 'read' | 'write';
  }
  return out;
}

const checksOut = (file: string) => readFileSync(join('workflows-templates/github', file), 'utf8').includes('uses: actions/checkout@');

describe('template permissions = what each lane requests', () => {
  const routes = new Map<string, string[]>();
  beforeAll(async () => {
    for (const method of Object.keys(CALLS) as Method[]) routes.set(method, await routesOf(method));
  });

  it('records a route for every Forge method, and every route has a rule', () => {
    for (const [method, list] of routes) {
      expect(list.length, `${method} sends a request`).toBeGreaterThan(0);
      for (const route of list) expect(ruleFor(route), route).toBeDefined();
    }
  });

  it('lists every Forge method under a lane or as used by none', () => {
    const listed = new Set([...Object.values(LANES).flatMap((l) => l.methods), ...NO_LANE]);
    expect([...routes.keys()].filter((m) => !listed.has(m))).toEqual([]);
  });

  const files = readdirSync('workflows-templates/github').filter((f) => f.endsWith('.yml'));
  it.each(files)('%s', (file) => {
    const lane = /agentloop-(\w+)\.yml$/.exec(file)?.[1] ?? '';
    const spec = LANES[lane];
    expect(spec, `a lane for ${file}`).toBeDefined();
    const needed = scopesFor([
      ...spec!.methods.flatMap((m) => routes.get(m) ?? []),
      ...(checksOut(file) ? [GIT_FETCH] : []),
      ...(spec!.pushes ? [GIT_PUSH] : []),
    ]);
    // metadata: read comes with every token; a workflow never names it.
    const { metadata: _implicit, ...wanted } = needed;
    expect(templatePermissions(file)).toEqual(wanted);
  });
});
