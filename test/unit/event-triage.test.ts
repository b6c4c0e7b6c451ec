import { describe, expect, it } from 'vitest';
import { isDefaultBranchCi } from '../../src/core/ci.js';
import { normalizeEvent } from '../../src/core/event.js';
import { labelNames } from '../../src/core/labels.js';
import { triage } from '../../src/core/triage.js';
import { examplePayload } from '../support/webhooks.js';

const names = labelNames('loop/');

describe('normalizeEvent on real webhook payloads', () => {
  it('issues.labeled', () => {
    const p = examplePayload('issues', 'labeled');
    expect(normalizeEvent('issues', p)).toEqual({
      kind: 'labeled',
      number: 1,
      isPull: false,
      label: 'bug',
      sender: { login: 'Codertocat', type: 'User' },
    });
  });
  it('pull_request.labeled', () => {
    const e = normalizeEvent('pull_request', examplePayload('pull_request', 'labeled'));
    expect(e).toMatchObject({ kind: 'labeled', isPull: true });
  });
  it('workflow_run.completed', () => {
    const e = normalizeEvent('workflow_run', examplePayload('workflow_run', 'completed'));
    expect(e).toMatchObject({ kind: 'ci' });
    if (e.kind === 'ci') expect(e.runId).toBeGreaterThan(0);
  });
  it('workflow_dispatch inputs', () => {
    expect(normalizeEvent('workflow_dispatch', { inputs: { lane: 'plan', item: '12', chain: '3' } })).toEqual({
      kind: 'dispatch',
      lane: 'plan',
      number: 12,
      chain: 3,
    });
    expect(normalizeEvent('workflow_dispatch', { inputs: { lane: 'evil', item: '-1' } })).toEqual({ kind: 'dispatch', chain: 0 });
  });
  it.each([
    ['label_updated, the label now on the item → labeled', 'label_updated', [{ name: 'bug' }, { name: 'loop/plan' }], 'labeled'],
    ['label_updated, the label gone, others left → unlabeled', 'label_updated', [{ name: 'bug' }], 'unlabeled'],
    ['label_updated, names compared without case', 'label_updated', [{ name: 'Loop/Plan' }], 'labeled'],
    ['label_cleared, the last label removed → unlabeled', 'label_cleared', [], 'unlabeled'],
  ])('forgejo %s', (_name, action, labels, kind) => {
    const payload = { action, issue: { number: 4, labels }, label: { name: 'loop/plan' }, sender: { login: 'a' } };
    expect(normalizeEvent('issues', payload)).toEqual({
      kind,
      number: 4,
      isPull: false,
      label: 'loop/plan',
      sender: { login: 'a', type: 'User' },
    });
  });
  it('forgejo label_updated without a label object (before v9.0.2) names no label', () => {
    expect(normalizeEvent('issues', { action: 'label_updated', issue: { number: 4 }, sender: { login: 'a' } })).toMatchObject({
      kind: 'labeled',
      label: '',
    });
  });
});

describe('triage: can this event mean work, from the payload alone', () => {
  const cases: [string, unknown, boolean][] = [
    ['issues labeled loop/plan', { ...examplePayload('issues', 'labeled'), label: { name: 'loop/plan' } }, true],
    ['issues labeled loop/code', { ...examplePayload('issues', 'labeled'), label: { name: 'loop/code' } }, true],
    ['issues labeled automerge', { ...examplePayload('issues', 'labeled'), label: { name: 'automerge' } }, true],
    ['issues labeled bug', examplePayload('issues', 'labeled'), false],
    [
      'issues labeled loop/plan-done (agentloop bookkeeping)',
      { ...examplePayload('issues', 'labeled'), label: { name: 'loop/plan-done' } },
      false,
    ],
    ['issues opened', examplePayload('issues', 'opened'), false],
    ['issues unlabeled NeedSupervisor', { ...examplePayload('issues', 'unlabeled'), label: { name: 'NeedSupervisor' } }, true],
    ['issues unlabeled bug', examplePayload('issues', 'unlabeled'), false],
    ['pull_request synchronize', examplePayload('pull_request', 'synchronize'), false],
  ];
  for (const [name, payload, work] of cases) {
    it(`${name} → ${work ? 'work' : 'nothing'}`, () => {
      const event = name.startsWith('pull_request') ? 'pull_request' : 'issues';
      expect(triage(normalizeEvent(event, payload), names).work).toBe(work);
    });
  }
  it('schedule, dispatch and CI completion always may mean work', () => {
    expect(triage(normalizeEvent('schedule', {}), names).work).toBe(true);
    expect(triage(normalizeEvent('workflow_dispatch', {}), names).work).toBe(true);
    // (GitHub's first example names a head repository other than the repository; a run of this repository's own.)
    const run = examplePayload('workflow_run', 'completed') as Record<string, Record<string, unknown>>;
    run.workflow_run = { ...run.workflow_run, head_repository: { full_name: run.repository!.full_name } };
    expect(triage(normalizeEvent('workflow_run', run), names).work).toBe(true);
  });
  it('honours a custom prefix, and lets every label through when labels are renamed', () => {
    const p = { ...examplePayload('issues', 'labeled'), label: { name: 'bot:plan' } };
    expect(triage(normalizeEvent('issues', p), labelNames('bot:')).work).toBe(true);
    expect(triage(normalizeEvent('issues', p), names).work).toBe(false);
    expect(triage(normalizeEvent('issues', examplePayload('issues', 'labeled')), names, { anyLabel: true }).work).toBe(true);
  });
});

// A workflow run counts for the default branch only when this repository's own push, schedule or
// dispatch ran it on that branch: a fork's pull request whose head branch is also named `main` does not.
describe('workflow_run: whose CI is the default branch', () => {
  type Over = { event?: string; headRepo?: string | null; headBranch?: string; conclusion?: string };
  const runPayload = (over: Over = {}) => {
    const p = examplePayload('workflow_run', 'completed') as Record<string, Record<string, unknown>>;
    const run = p.workflow_run!;
    p.repository = { ...p.repository, full_name: 'acme/widget', name: 'widget', default_branch: 'main' };
    p.workflow = { ...p.workflow, name: 'CI' };
    p.workflow_run = {
      ...run,
      name: 'CI',
      event: over.event ?? 'push',
      head_branch: over.headBranch ?? 'main',
      conclusion: over.conclusion ?? 'failure',
      head_repository:
        over.headRepo === null ? null : { ...(run.head_repository as Record<string, unknown>), full_name: over.headRepo ?? 'acme/widget' },
    };
    return p;
  };
  const ci = (over: Over = {}) => {
    const e = normalizeEvent('workflow_run', runPayload(over));
    if (e.kind !== 'ci') throw new Error(`expected a ci event, got ${e.kind}`);
    return e;
  };

  it('normalizes the run event and both repositories from the payload', () => {
    expect(ci({ event: 'pull_request', headRepo: 'Evil/Fork' })).toMatchObject({
      kind: 'ci',
      workflow: 'CI',
      runEvent: 'pull_request',
      headRepo: 'Evil/Fork',
      repo: 'acme/widget',
      headBranch: 'main',
    });
  });

  const rows: [string, Over, boolean][] = [
    ['a push to main of this repository', {}, true],
    ['a scheduled run on main', { event: 'schedule' }, true],
    ['a dispatched run on main', { event: 'workflow_dispatch' }, true],
    ['the head repository in another letter case', { headRepo: 'ACME/Widget' }, true],
    ["a fork's pull request whose head branch is named main", { event: 'pull_request', headRepo: 'evil/widget' }, false],
    ["a fork's push run on its own main (head repository differs)", { headRepo: 'evil/widget' }, false],
    ['a same-repository pull request from main', { event: 'pull_request' }, false],
    ['pull_request_target on main', { event: 'pull_request_target' }, false],
    ['a workflow_run-triggered run on main', { event: 'workflow_run' }, false],
    ['repository_dispatch on main', { event: 'repository_dispatch' }, false],
    ['a push to another branch', { headBranch: 'feature' }, false],
    ['no head repository in the payload (fail closed)', { headRepo: null }, false],
  ];
  for (const [name, over, counts] of rows) {
    it(`${name} → ${counts ? 'counts' : 'does not count'}`, () => {
      expect(isDefaultBranchCi(ci(over), 'main')).toBe(counts);
    });
  }

  it("triage: a fork's run can never mean work; this repository's runs may", () => {
    expect(triage(ci({ event: 'pull_request', headRepo: 'evil/widget' }), names)).toMatchObject({ work: false });
    expect(triage(ci({ headRepo: 'evil/widget' }), names).work).toBe(false);
    expect(triage(ci(), names).work).toBe(true);
    // A same-repository PR's CI finishing is how a loop PR turns green or red.
    expect(triage(ci({ event: 'pull_request', headBranch: 'agentloop/issue-3' }), names).work).toBe(true);
  });
});
