// The request budget (operations-per-run): checked before each item's reads and each claim; a run that
// reaches it stops there, marks its picture partial, and says so in the job summary.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import type { IssueData } from '../../src/core/model.js';
import { renderSummary } from '../../src/core/summary.js';
import type { Forge } from '../../src/forge/forge.js';
import { Budget, TRANSITION_RESERVE } from '../../src/services/budget.js';
import { loadCodeSnapshot } from '../../src/services/code-snapshot.js';
import { unitContext } from '../support/unit-context.js';

const counter = (start = 0) => {
  let requests = start;
  return {
    stats: () => ({ requests }),
    add: (n = 1) => {
      requests += n;
    },
  };
};

describe('Budget', () => {
  it('allows while requests (plus what must be kept back) stay under the limit, then remembers where it stopped', () => {
    const c = counter(48);
    const b = new Budget(c, 50);
    expect(b.allows('reading #1')).toBe(true);
    expect(b.allows('reading #1', 2)).toBe(false);
    expect(b.stopped).toBe('stopped before reading #1: 48 of 50 API requests used (operations-per-run)');
    c.add(2);
    expect(b.allows('claiming #2')).toBe(false);
    // The first stop is the one reported.
    expect(b.stopped).toMatch(/reading #1/);
  });
  it('is read from operations-per-run (default 300, at least 50)', () => {
    expect(parseConfig({ inputs: { token: 't', 'agent-command': 'x' } }).operationsPerRun).toBe(300);
    expect(parseConfig({ inputs: { token: 't', 'agent-command': 'x', 'operations-per-run': '80' } }).operationsPerRun).toBe(80);
    expect(() => parseConfig({ inputs: { token: 't', 'agent-command': 'x', 'operations-per-run': '10' } })).toThrow(/operations-per-run/);
  });
});

describe('the code lane reads waiting issues oldest first, within its budget', () => {
  const issue = (number: number): IssueData => ({
    number,
    title: `Issue ${number}`,
    body: 'b',
    state: 'open',
    isPull: false,
    labels: ['loop/code'],
    author: { login: 'maria', type: 'User' },
    createdAt: '2026-11-21T10:00:00Z',
    htmlUrl: '',
  });

  /** 40 issues wait with loop/code; `permission` answers (or fails) every lookup. */
  function fakeForge(c: ReturnType<typeof counter>, permission: () => Promise<string>) {
    const counted =
      <T>(value: T) =>
      async () => {
        c.add();
        return value;
      };
    return {
      kind: 'github',
      stats: c.stats,
      limits: () => [],
      listOpenIssuesWithLabel: async (label: string, opts: { oldest?: number } = {}) => {
        c.add();
        return label === 'loop/code' ? Array.from({ length: 40 }, (_, i) => issue(i + 1)).slice(0, opts.oldest) : [];
      },
      listOpenPulls: counted([]),
      listComments: counted([]),
      listLabelEvents: counted([
        { action: 'labeled', label: 'loop/code', actor: { login: 'maria', type: 'User' }, createdAt: '2026-11-21T10:00:00Z' },
      ]),
      getPermission: async () => {
        c.add();
        return permission();
      },
    } as unknown as Forge;
  }

  it('reads only the oldest ready issue, however many wait', async () => {
    const c = counter();
    const rc = unitContext({ forge: fakeForge(c, async () => 'write') });
    const cs = await loadCodeSnapshot(rc, { kind: 'dispatch', chain: 0 });
    expect(cs.snapshot.issues.map((i) => i.number)).toEqual([1]);
    // PRs, one page of waiting issues, then #1's comments, timeline and its labeler's permission.
    expect(c.stats().requests).toBe(5);
    expect(cs.snapshot.partial).toBeUndefined();
  });

  it('keeps room for one transition, marks the picture partial and names where it stopped', async () => {
    const c = counter();
    // Nobody's permission can be read: no issue is ready, so the run reads on, oldest first.
    const rc = unitContext({
      forge: fakeForge(c, async () => {
        throw new Error('boom');
      }),
      inputs: { 'operations-per-run': '60' },
    });
    const cs = await loadCodeSnapshot(rc, { kind: 'dispatch', chain: 0 });
    expect(cs.snapshot.partial).toBe('issues');
    expect(c.stats().requests).toBeLessThanOrEqual(60 - TRANSITION_RESERVE + 2);
    expect(cs.snapshot.issues.length).toBeGreaterThan(0);
    expect(cs.snapshot.issues.length).toBeLessThan(40);
    // Oldest first: what was read is a prefix of the queue.
    expect(cs.snapshot.issues.map((i) => i.number)).toEqual(cs.snapshot.issues.map((_, i) => i + 1));
    expect(rc.budget.stopped).toMatch(new RegExp(`^stopped before reading #${cs.snapshot.issues.length + 1}: `));
  });
});

describe('the job summary says where a run stopped', () => {
  it('shows requests against the budget, and the stop', () => {
    const md = renderSummary({
      event: { kind: 'dispatch', chain: 0 },
      eventName: 'workflow_dispatch',
      decision: { lane: 'code', transition: { kind: 'none', reason: 'no code-lane work' }, queued: [], notes: [] },
      requests: 301,
      budget: { limit: 300, stopped: 'stopped before reading #41: 272 of 300 API requests used (operations-per-run)' },
      dryRun: false,
      durationMs: 1200,
    });
    expect(md).toContain('| API requests | 301 of 300 (operations-per-run) |');
    expect(md).toContain(
      '| stopped | stopped before reading #41: 272 of 300 API requests used (operations-per-run); the next run continues from there |',
    );
  });
});
