import { describe, expect, it } from 'vitest';
import {
  emptyState,
  findStatusComment,
  type LoopState,
  parseState,
  readState,
  renderStatusComment,
  replaceState,
  requestWorkSince,
  STATE_VERSION,
} from '../../src/core/status-comment.js';

const state: LoopState = {
  v: 1,
  owner: { runId: '123', runUrl: 'https://x/runs/123', lane: 'code', since: '2026-11-21T10:00:00Z' },
  attempt: 1,
  fixAttempts: 2,
  headSha: 'abc123',
  history: [{ transition: 'fix-ci', runId: '120', at: '2026-11-21T09:00:00Z', outcome: 'done' }],
};
const view = {
  title: 'fixing CI',
  steps: [
    { label: 'PR opened', state: 'done' as const },
    { label: 'CI green', state: 'current' as const },
  ],
  message: 'Fixing.',
};

describe('status comment', () => {
  it('round-trips the hidden state', () => {
    expect(parseState(renderStatusComment(view, state))).toEqual(state);
  });
  it('survives a human editing the visible text', () => {
    const body = renderStatusComment(view, state)
      .replace('Fixing.', 'Fixing. (edited by maria: please hurry)')
      .replace('- [ ] CI green', '- [x] CI green');
    expect(parseState(body)).toEqual(state);
  });
  it('a state string containing "-->" cannot end the hidden comment early', () => {
    const tricky = { ...state, refused: 'loop/plan@x-->y' };
    const body = renderStatusComment(view, tricky);
    expect(body.match(/-->/g)).toHaveLength(2); // the marker line and the state comment only
    expect(parseState(body).refused).toBe('loop/plan@x-->y');
  });
  it('a damaged or deleted state yields a fresh state, never a crash', () => {
    expect(parseState('<!-- agentloop:state {not json -->')).toEqual(emptyState());
    expect(parseState('just text')).toEqual(emptyState());
    expect(parseState(undefined)).toEqual(emptyState());
    expect(parseState('<!-- agentloop:state {"fixAttempts":"lots"} -->').fixAttempts).toBe(0);
  });
  it('renders the checklist and the current step', () => {
    const body = renderStatusComment(view, state);
    expect(body).toContain('- [x] PR opened');
    expect(body).toContain('- [ ] CI green ← now');
  });
  it('is found among comments, preferring agentloop’s own', () => {
    const ours = { body: renderStatusComment(view, state), author: { login: 'github-actions[bot]' } };
    const copy = { body: renderStatusComment(view, { ...state, fixAttempts: 0 }), author: { login: 'mallory' } };
    expect(findStatusComment([ours, copy, { body: 'hi', author: { login: 'a' } }], 'github-actions[bot]')).toBe(ours);
  });
});

describe('reading the state by version', () => {
  const body = (json: string) => `<!-- agentloop:status -->\ntext\n\n<!-- agentloop:state ${json} -->`;

  it.each<[string, string, ReturnType<typeof readState>]>([
    [
      'the current version',
      '{"v":1,"attempt":1,"fixAttempts":2,"history":[]}',
      { kind: 'read', from: 1, state: { ...emptyState(), attempt: 1, fixAttempts: 2 } },
    ],
    [
      'no version: written before it was recorded, read as version 1',
      '{"fixAttempts":1,"pull":4,"history":[]}',
      { kind: 'read', from: 0, state: { ...emptyState(), fixAttempts: 1, pull: 4 } },
    ],
    ['no version and missing fields: defaults', '{}', { kind: 'read', from: 0, state: emptyState() }],
    ['a newer version: not read', '{"v":2,"attempt":1,"owner":{"run":"x"}}', { kind: 'newer', version: 2 }],
    ['a much newer version', '{"v":17}', { kind: 'newer', version: 17 }],
    ['a version that is no version: a fresh state', '{"v":"2","attempt":3}', { kind: 'read', from: 0, state: emptyState() }],
    ['not an object', '[1,2]', { kind: 'read', from: 0, state: emptyState() }],
    ['damaged JSON', '{"v":1,', { kind: 'read', from: 0, state: emptyState() }],
  ])('%s', (_name, json, expected) => {
    expect(readState(body(json))).toEqual(expected);
  });

  it('a field of the wrong shape falls back to its default; the others are kept', () => {
    const state = parseState(
      body(
        JSON.stringify({
          v: 1,
          attempt: -1,
          fixAttempts: 1.5,
          pull: '3',
          headSha: 'abc',
          owner: { runId: 7 },
          approved: { label: 'loop/code', at: 'x', by: 'maria' },
          escalation: { n: 0, at: 'x', told: [] },
          updateRequested: { sha: 'abc', at: '2026-12-01T00:00:00Z' },
          history: [{ transition: 'code', runId: '1', at: 'x', outcome: 'done' }, 'junk'],
        }),
      ),
    );
    expect(state).toEqual({
      v: 1,
      attempt: 0,
      fixAttempts: 0,
      headSha: 'abc',
      updateRequested: { sha: 'abc', at: '2026-12-01T00:00:00Z' },
      history: [{ transition: 'code', runId: '1', at: 'x', outcome: 'done' }],
    });
  });

  it('fields this version does not know are carried along (a compatible newer release added them)', () => {
    const state = parseState(body('{"v":1,"attempt":0,"fixAttempts":0,"history":[],"reviewRounds":2}'));
    expect(JSON.parse(/agentloop:state (.*) -->/.exec(renderStatusComment(view, state))![1]!)).toMatchObject({ reviewRounds: 2 });
  });

  it('the escalation record round-trips', () => {
    const escalated: LoopState = { ...state, escalation: { n: 2, at: '2026-12-01T00:00:00Z', told: ['maria'] } };
    expect(parseState(renderStatusComment(view, escalated))).toEqual(escalated);
  });

  it('writes the current version', () => {
    expect(STATE_VERSION).toBe(1);
    expect(renderStatusComment(view, emptyState())).toContain('<!-- agentloop:state {"v":1,');
  });

  it('replaceState changes the hidden state only, and adds one to a body without', () => {
    const original = renderStatusComment(view, state).replace('Fixing.', 'Fixing. (a human edited this)');
    const replaced = replaceState(original, { ...state, refused: 'loop/code@tom' });
    expect(replaced.replace(/<!-- agentloop:state .* -->/, '')).toBe(original.replace(/<!-- agentloop:state .* -->/, ''));
    expect(parseState(replaced).refused).toBe('loop/code@tom');
    expect(parseState(replaceState('plain text', emptyState()))).toEqual(emptyState());
    // A "$&" in the state is inserted literally (no replacement patterns).
    expect(parseState(replaceState(original, { ...state, refused: 'x$&y' })).refused).toBe('x$&y');
  });
});

describe('the work that answers the current request', () => {
  const base = { ...emptyState() };
  const T = '2026-11-30T10:00:05Z';
  const lostClaim = '2026-11-30T10:00:01Z';
  it('a person’s trigger: from the trigger', () => {
    expect(requestWorkSince(base, T)).toBe(T);
  });
  it('requeued by the sweep: from the lost run’s claim, so the plan it posted is not posted again', () => {
    const requeued = { ...base, history: [{ transition: 'sweep', runId: '7', at: T, outcome: 'requeued', claimedAt: lostClaim }] };
    expect(requestWorkSince(requeued, T)).toBe(lostClaim);
    // Something happened after the requeue (a later run finished): the requeue no longer speaks for the request.
    const later = { ...requeued, history: [...requeued.history, { transition: 'plan', runId: '8', at: T, outcome: 'done' }] };
    expect(requestWorkSince(later, T)).toBe(T);
  });
  it('a sweep stopped before it recorded the requeue: the lost owner is still in the state', () => {
    expect(requestWorkSince({ ...base, owner: { runId: '6', lane: 'plan', since: lostClaim } }, T)).toBe(lostClaim);
  });
  it('a claim stamped to the millisecond counts from its whole second, as forges stamp comments', () => {
    expect(requestWorkSince({ ...base, owner: { runId: '6', lane: 'plan', since: '2026-11-30T10:00:01.465Z' } }, T)).toBe(lostClaim);
  });
  it('never later than the trigger', () => {
    expect(requestWorkSince({ ...base, owner: { runId: '6', lane: 'plan', since: '2026-11-30T11:00:00Z' } }, T)).toBe(T);
  });
});
