// The read path's request budget (docs/performance.md): a code-lane run chooses from list pages and reads
// items only where the choice needs them, so its requests do not grow with the issues waiting; the sweep
// reads an item further only where its decision needs more than the item's labels.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide/index.js';
import type { CheckData } from '../../src/core/model.js';
import { decideConfig } from '../../src/run/tick.js';
import { loadCodeSnapshot } from '../../src/services/code-snapshot.js';
import { loadSweepSnapshot } from '../../src/services/sweep-snapshot.js';
import { type MemoryForge, memoryForge } from '../support/memory-forge.js';
import { unitContext } from '../support/unit-context.js';

const HEAD = 'a'.repeat(40);
const AT = '2026-11-30T10:00:00Z';
const maria = { login: 'maria', type: 'User' as const };

/** Issue #1 with an open agentloop PR #2 whose CI is `ci`, and `waiting` more issues labeled loop/code by maria. */
function world(waiting: number, ci: CheckData['conclusion'] | 'none'): MemoryForge {
  const forge = memoryForge();
  forge.permissions.set('maria', 'write');
  const base = { body: 'b', state: 'open' as const, htmlUrl: '', createdAt: AT };
  forge.issues.set(1, { ...base, number: 1, title: 'One', isPull: false, labels: ['loop/code-ci-pending'], author: maria });
  forge.issues.set(2, {
    ...base,
    number: 2,
    title: 'One',
    isPull: true,
    labels: [],
    author: { login: 'github-actions[bot]', type: 'Bot' },
  });
  forge.pulls.set(2, {
    number: 2,
    title: 'One',
    body: 'Closes #1',
    state: 'open',
    merged: false,
    draft: false,
    labels: [],
    author: { login: 'github-actions[bot]', type: 'Bot' },
    headRef: 'agentloop/issue-1',
    headSha: HEAD,
    headRepoFullName: 'acme/widget',
    baseRef: 'main',
    mergeable: true,
    mergeableState: 'clean',
    createdAt: AT,
    updatedAt: AT,
    htmlUrl: '',
  });
  if (ci !== 'none') forge.checks.set(HEAD, [{ name: 'CI / test', conclusion: ci, source: 'check-run', url: '' }]);
  for (let n = 3; n < 3 + waiting; n++) {
    forge.issues.set(n, { ...base, number: n, title: `Waiting ${n}`, isPull: false, labels: ['loop/code'], author: maria });
    forge.events.set(n, [{ action: 'labeled', label: 'loop/code', actor: maria, createdAt: AT }]);
  }
  return forge;
}

/** The forge's methods as the run called them, with their first argument ("listComments 1"). */
function recorded(forge: MemoryForge): { forge: MemoryForge; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(forge, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'stats' || prop === 'limits') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)}${typeof args[0] === 'number' ? ` ${args[0]}` : ''}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { forge: proxy, calls };
}

async function codeRun(world: MemoryForge, inputs: Record<string, string> = {}) {
  const { forge, calls } = recorded(world);
  const rc = unitContext({ forge, inputs });
  const cs = await loadCodeSnapshot(rc, { kind: 'dispatch', chain: 0 });
  const decision = decide(cs.snapshot, { kind: 'dispatch', chain: 0 }, { ...decideConfig(rc), lane: 'code' });
  return { calls, requests: calls.length, cs, decision };
}

describe('a code-lane run chooses from list pages', () => {
  it('while every PR slot is taken, the waiting issues are not even listed: 0 or 300 waiting cost the same', async () => {
    const none = await codeRun(world(0, 'pending'));
    const many = await codeRun(world(300, 'pending'));
    expect(many.requests).toBe(none.requests);
    expect(many.cs.snapshot.queueUnread).toBe(true);
    expect(many.cs.snapshot.issues.map((i) => i.number)).toEqual([1]);
    expect(many.decision.transition.kind).toBe('none');
    expect(many.decision.notes.join('\n')).toMatch(/max-open-prs: 1/);
  });

  it('while CI runs on a quiet agentloop PR, only its list entry, its CI and its issue are read', async () => {
    expect((await codeRun(world(0, 'pending'))).calls).toEqual(['listOpenPulls', 'listChecks', 'getIssue 1']);
  });

  it('a red head reads the issue’s status comment, not the PR’s comments or mergeability', async () => {
    expect((await codeRun(world(0, 'failure'))).calls).toEqual(['listOpenPulls', 'listChecks', 'getIssue 1', 'listComments 1']);
  });

  it('a merge asked for on the issue reads who applied the label, the PR’s mergeability and its reviews (its state lives on the issue)', async () => {
    const asked = world(0, 'success');
    asked.issues.get(1)!.labels.push('loop/merge');
    asked.events.set(1, [{ action: 'labeled', label: 'loop/merge', actor: maria, createdAt: AT }]);
    expect((await codeRun(asked)).calls).toEqual([
      'listOpenPulls',
      'listChecks',
      'getIssue 1',
      'listComments 1',
      'listLabelEvents 1',
      'getPermission',
      'getPull 2',
      // A writer's request for changes holds the merge, even when its event was missed.
      'listReviews 2',
    ]);
  });

  it('with a free slot, only the oldest waiting issue is read, however many wait', async () => {
    const few = await codeRun(world(2, 'pending'), { 'max-open-prs': '2' });
    const many = await codeRun(world(300, 'pending'), { 'max-open-prs': '2' });
    expect(many.decision.transition).toMatchObject({ kind: 'code', issue: 3 });
    expect(few.decision.transition).toMatchObject({ kind: 'code', issue: 3 });
    expect(many.requests).toBe(few.requests);
    expect(many.cs.snapshot.issues.map((i) => i.number)).toEqual([1, 3]);
  });
});

describe('the sweep reads items only where its decision needs them', () => {
  function sweepWorld(planDone: number): MemoryForge {
    const forge = world(3, 'pending');
    const base = { body: 'b', state: 'open' as const, htmlUrl: '', createdAt: AT, isPull: false, author: maria };
    for (let n = 100; n < 100 + planDone; n++) forge.issues.set(n, { ...base, number: n, title: `Plan ${n}`, labels: ['loop/plan-done'] });
    return forge;
  }
  async function sweepRun(forge: MemoryForge) {
    const rc = unitContext({ forge, env: { eventName: 'schedule', runId: '999' } });
    const ss = await loadSweepSnapshot(rc, { kind: 'schedule' });
    return { ss, reads: forge.stats().requests };
  }

  it('posted plans and the code queue cost their list entries; one code-lane item is read to dispatch a run', async () => {
    const few = await sweepRun(sweepWorld(1));
    const many = await sweepRun(sweepWorld(200));
    expect(many.reads).toBe(few.reads);
    // Every item is on the dashboard, read or not.
    expect(many.ss.items.size).toBe(few.ss.items.size + 199);
    const decision = decide(
      many.ss.snapshot,
      { kind: 'schedule' },
      { ...decideConfig(unitContext({ forge: memoryForge() })), lane: 'sweep' },
    );
    expect(decision.transition).toMatchObject({ kind: 'sweep' });
    const repairs = decision.transition.kind === 'sweep' ? decision.transition.repairs.map((r) => r.kind) : [];
    expect(repairs).toContain('dispatch');
  });
});
