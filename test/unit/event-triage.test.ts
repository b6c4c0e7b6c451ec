import { describe, expect, it } from 'vitest';
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
  it('forgejo label_updated names no label', () => {
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
    expect(triage(normalizeEvent('workflow_run', examplePayload('workflow_run', 'completed')), names).work).toBe(true);
  });
  it('honours a custom prefix, and lets every label through when labels are renamed', () => {
    const p = { ...examplePayload('issues', 'labeled'), label: { name: 'bot:plan' } };
    expect(triage(normalizeEvent('issues', p), labelNames('bot:')).work).toBe(true);
    expect(triage(normalizeEvent('issues', p), names).work).toBe(false);
    expect(triage(normalizeEvent('issues', examplePayload('issues', 'labeled')), names, { anyLabel: true }).work).toBe(true);
  });
});
