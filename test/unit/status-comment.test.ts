import { describe, expect, it } from 'vitest';
import { emptyState, findStatusComment, type LoopState, parseState, renderStatusComment } from '../../src/core/status-comment.js';

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
