// The sweep's polling of workflow runs (forges without workflow_run, and dropped events): which runs
// count as the default branch's CI. A fake forge answers; the loader and its filters are the real ones.

import { describe, expect, it } from 'vitest';
import { CI_FAILURE_MARKER } from '../../src/core/ci-failure-marker.js';
import { lostCodeClaim } from '../../src/core/decide/sweep.js';
import { labelNames } from '../../src/core/labels.js';
import type { IssueData, WorkflowRunData } from '../../src/core/model.js';
import type { Forge } from '../../src/forge/forge.js';
import { loadSweepSnapshot } from '../../src/services/sweep-snapshot.js';
import { closedInFlight } from '../../src/services/wrap-up-reads.js';
import { unitContext } from '../support/unit-context.js';

const SHA = 'a'.repeat(40);

const run = (over: Partial<WorkflowRunData>): WorkflowRunData => ({
  id: 1,
  name: 'CI',
  workflowId: 1,
  headBranch: 'main',
  headSha: SHA,
  event: 'push',
  headRepoFullName: 'acme/widget',
  status: 'completed',
  conclusion: 'success',
  htmlUrl: 'https://github.com/acme/widget/actions/runs/1',
  createdAt: '2026-11-21T10:00:00Z',
  path: '.github/workflows/ci.yml',
  ...over,
});

const tracking = (workflow: string): IssueData => ({
  number: 33,
  title: `CI failing on main: ${workflow}`,
  body: `${CI_FAILURE_MARKER(workflow)}\nred`,
  state: 'open',
  isPull: false,
  labels: ['ci-failure'],
  author: { login: 'github-actions[bot]', type: 'Bot' },
  createdAt: '2026-11-21T09:00:00Z',
  htmlUrl: 'https://github.com/acme/widget/issues/33',
});

async function healthOf(completed: WorkflowRunData[], open: IssueData[] = []) {
  const forge = {
    kind: 'github',
    stats: () => ({ requests: 0 }),
    listOpenItemsWithAnyLabel: async (labels: string[]) => (labels.includes('ci-failure') ? open : []),
    listWorkflowRuns: async (filter: { status?: string }) => (filter.status === 'completed' ? completed : []),
  } as unknown as Forge;
  const rc = unitContext({ forge: forge, env: { eventName: 'schedule', runId: '999' } });
  return (await loadSweepSnapshot(rc, { kind: 'schedule' })).snapshot.defaultBranchHealth;
}

describe("sweep: only this repository's push, schedule and dispatch runs on the default branch are its CI", () => {
  it("a fork's newer red pull-request run on a branch it named main does not hide the real green run", async () => {
    const health = await healthOf([
      run({ id: 1, conclusion: 'success', createdAt: '2026-11-21T10:00:00Z' }),
      run({ id: 2, conclusion: 'failure', event: 'pull_request', headRepoFullName: 'evil/widget', createdAt: '2026-11-21T11:00:00Z' }),
    ]);
    expect(health).toEqual([expect.objectContaining({ workflow: 'CI', runId: 1, conclusion: 'success' })]);
  });

  it("a fork's red run alone opens nothing, and a fork's green run closes nothing", async () => {
    expect(await healthOf([run({ conclusion: 'failure', event: 'pull_request', headRepoFullName: 'evil/widget' })])).toEqual([]);
    expect(await healthOf([run({ conclusion: 'success', headRepoFullName: 'evil/widget' })], [tracking('CI')])).toEqual([]);
  });

  it('scheduled and dispatched runs count; a same-repository pull request from main does not', async () => {
    const health = await healthOf([
      run({ id: 1, name: 'Nightly', event: 'schedule', conclusion: 'failure' }),
      run({ id: 2, name: 'Release', event: 'workflow_dispatch', conclusion: 'failure' }),
      run({ id: 3, name: 'Lint', event: 'pull_request', conclusion: 'failure' }),
      run({ id: 4, name: 'Docs', headRepoFullName: 'ACME/Widget', conclusion: 'failure' }),
    ]);
    expect(health.map((h) => h.workflow).sort()).toEqual(['Docs', 'Nightly', 'Release']);
  });

  it("only agentloop's own workflows are left out: a red workflow merely named agentloop… is CI", async () => {
    const health = await healthOf([
      run({ id: 1, name: 'agentloop-lint', path: '.github/workflows/agentloop-lint.yml', conclusion: 'failure' }),
      run({ id: 2, name: 'agentloop code', path: '.github/workflows/agentloop-code.yml', conclusion: 'failure' }),
      run({ id: 3, name: 'agentloop plan', path: '.github/workflows/agentloop-plan.yml', conclusion: 'failure' }),
      run({ id: 4, name: 'agentloop sweep', path: '.github/workflows/agentloop-sweep.yml', conclusion: 'failure' }),
    ]);
    expect(health.map((h) => h.workflow)).toEqual(['agentloop-lint']);
  });
});

describe('closed issues for the code lane to wrap up', () => {
  it('leaves out the ones it would hold (NeedSupervisor, a claim): named first, they starved every other wrap-up', async () => {
    const closed = (number: number, labels: string[]): IssueData => ({ ...tracking('CI'), number, state: 'closed', labels });
    const issues = [
      closed(3, ['loop/code-done', 'loop/merge', 'NeedSupervisor']),
      closed(6, ['loop/code-done', 'loop/merge-in-process']),
      closed(16, ['loop/code-done', 'loop/merge']),
      closed(17, ['loop/code-ci-pending']),
    ];
    const rc = {
      config: { labelNames: labelNames('loop/') },
      forge: { listClosedIssuesWithLabel: async (label: string) => issues.filter((i) => i.labels.includes(label)) },
    } as unknown as Parameters<typeof closedInFlight>[0];
    expect([...(await closedInFlight(rc)).wrapUp.keys()].sort((a, b) => a - b)).toEqual([16, 17]);
    // A claim on a closed issue (a merge run stopped after it closed the issue): for the sweep to repair.
    expect((await closedInFlight(rc)).claimed.map((i) => i.number)).toEqual([6]);
  });
});

describe('a lost code-lane claim goes back to the code lane', () => {
  const names = labelNames('loop/');
  it('before its PR: loop/code; after it (recorded, or a PR stage label on the issue): waiting for CI, never loop/code', () => {
    expect(lostCodeClaim(['loop/code-in-process'], undefined, names).putBack).toEqual(['loop/code']);
    expect(lostCodeClaim(['loop/code-in-process'], 12, names).putBack).toEqual(['loop/code-ci-pending']);
    // The PR was opened but the status never recorded it: the stage label says so (a second PR would follow).
    expect(lostCodeClaim(['loop/code-in-process', 'loop/code-ci-pending'], undefined, names).putBack).toEqual([]);
    expect(lostCodeClaim(['loop/code-in-process', 'loop/code-done', 'loop/merge'], undefined, names).putBack).toEqual([]);
    expect(lostCodeClaim(['loop/merge-in-process', 'loop/code-done'], 12, names).putBack).toEqual([]);
  });
});

describe('an item only the search index found', () => {
  // GitHub's search index trails the data: #7's claim ended (it reached code-done) after the index saw it.
  const indexed: IssueData = { ...tracking('CI'), number: 7, labels: ['loop/code-in-process'], body: '' };
  const now: IssueData = { ...indexed, labels: ['loop/code-done'] };

  async function sweepSees(listed: IssueData) {
    const reads: number[] = [];
    const forge = {
      kind: 'github',
      stats: () => ({ requests: 0 }),
      listOpenItemsWithAnyLabel: async () => [listed],
      getIssue: async (n: number) => {
        reads.push(n);
        return now;
      },
      listComments: async () => [],
      listClosedIssuesWithLabel: async () => [],
      listWorkflowRuns: async () => [],
    } as unknown as Forge;
    const rc = unitContext({ forge, env: { eventName: 'schedule', runId: '999' } });
    const { snapshot } = await loadSweepSnapshot(rc, { kind: 'schedule' });
    return { labels: snapshot.issues.find((i) => i.number === 7)?.labels, reads };
  }

  it('is read afresh before the sweep decides on it: a claim that ended is not taken for a lost one', async () => {
    expect(await sweepSees({ ...indexed, fromIndex: true })).toEqual({ labels: ['loop/code-done'], reads: [7] });
  });

  it('an item the issue list found is not read again', async () => {
    const listedNow = { ...indexed };
    const seen = await sweepSees(listedNow);
    expect(seen.reads).toEqual([]);
    expect(seen.labels).toEqual(['loop/code-in-process']);
  });
});
