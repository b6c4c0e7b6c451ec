// The invariant checker (test/support/invariants.ts) must be able to fail: each invariant, fed a small
// hand-built state that breaks it, reports it; the healthy states next to them report nothing.
import { describe, expect, it } from 'vitest';
import { labelNames } from '../../src/core/labels.js';
import { checkInvariants, type InvariantId, type World, type WorldEvent } from '../support/invariants.js';

const names = labelNames('loop/');
const SHA = 'a'.repeat(40);
const BOT = 'agentloop-bot';

/** A healthy world: issue #1 merged through PR #2 (green CI, auto-merge), issue #3 with its PR #4 open and pending. */
function world(over: Partial<World> = {}): World {
  return {
    names,
    prefix: 'loop/',
    self: [BOT, 'github-actions[bot]'],
    writers: ['maria', BOT],
    autoMerge: true,
    ciFailureAutofix: false,
    items: [
      { number: 1, isPull: false, state: 'closed', labels: ['loop/merge-done', 'loop/plan-done'] },
      { number: 2, isPull: true, state: 'closed', labels: [] },
      { number: 3, isPull: false, state: 'open', labels: ['loop/code-ci-pending'] },
      { number: 4, isPull: true, state: 'open', labels: [] },
    ],
    pulls: [
      { number: 2, head: 'agentloop/issue-1', headSha: SHA, sameRepo: true, merged: true },
      { number: 4, head: 'agentloop/issue-3', headSha: 'b'.repeat(40), sameRepo: true, merged: false },
    ],
    comments: [
      { issue: 1, user: 'github-actions[bot]', body: '<!-- agentloop:plan -->\nthe plan', createdAt: '2025-01-01T00:00:01Z' },
      { issue: 1, user: BOT, body: '<!-- agentloop:status -->\nmerged', createdAt: '2025-01-01T00:00:02Z' },
    ],
    events: [
      ev(1, 'labeled', 'loop/plan', 'maria'),
      ev(1, 'labeled', 'loop/code', 'maria'),
      ev(1, 'labeled', 'loop/merge', BOT),
      ev(2, 'merged', undefined, BOT),
      ev(1, 'unlabeled', 'loop/merge', BOT),
    ],
    ci: [{ sha: SHA, workflow: 'CI', status: 'completed', conclusion: 'success' }],
    repoLabels: ['loop/plan', 'loop/code', 'loop/merge', 'NeedSupervisor', 'bug'],
    branches: ['main', 'agentloop/issue-3'],
    ...over,
  };
}

function ev(issue: number, event: string, label: string | undefined, actor: string, createdAt = '2025-01-01T00:00:00Z'): WorldEvent {
  return { issue, event, ...(label ? { label } : {}), actor, createdAt };
}

const ids = (w: World, scope: 'run' | 'rest' = 'rest') => checkInvariants(w, scope).map((v) => v.invariant);
const only = (w: World, id: InvariantId) => {
  const found = checkInvariants(w, 'rest');
  expect(found.map((v) => v.invariant)).toEqual([id]);
  return found[0]!;
};

const base = world();
const item = (n: number) => base.items.find((i) => i.number === n)!;
const withLabels = (n: number, labels: string[]) => base.items.map((i) => (i.number === n ? { ...i, labels } : i));

describe('the invariant checker', () => {
  it('a healthy loop breaks nothing', () => {
    expect(ids(base)).toEqual([]);
  });

  it('two open PRs for one issue, or two merged', () => {
    const extra = { number: 5, head: 'agentloop/issue-3', headSha: 'c'.repeat(40), sameRepo: true, merged: false };
    const open = world({ pulls: [...base.pulls, extra], items: [...base.items, { number: 5, isPull: true, state: 'open', labels: [] }] });
    expect(only(open, 'one-pr-per-issue').detail).toBe('2 open PRs: #4, #5');
    const merged = world({
      pulls: [...base.pulls, { ...extra, head: 'agentloop/issue-1', merged: true, headSha: SHA }],
      items: [...base.items, { number: 5, isPull: true, state: 'closed', labels: [] }],
      events: [...base.events.slice(0, 4), ev(5, 'merged', undefined, BOT), ...base.events.slice(4)],
    });
    expect(only(merged, 'one-pr-per-issue').detail).toBe('2 merged PRs: #2, #5');
    // Another PR after the merged one: only when a person asked for the code again (agentloop's own requeue is not asking).
    const again = (events: WorldEvent[]) =>
      world({
        pulls: [...base.pulls, { ...extra, head: 'agentloop/issue-1' }],
        items: [...base.items, { number: 5, isPull: true, state: 'open', labels: [] }],
        events,
      });
    expect(only(again([...base.events, ev(1, 'labeled', 'loop/code', BOT)]), 'one-pr-per-issue').detail).toBe(
      'PR #5 opened after PR #2 was merged, with no one applying loop/code again',
    );
    expect(ids(again([...base.events, ev(1, 'labeled', 'loop/code', 'maria')]))).toEqual([]);
  });
  it('the head a merge named counts, not where the forge moved a merged PR later', () => {
    const moved = base.pulls.map((p) => (p.number === 2 ? { ...p, headSha: 'e'.repeat(40), mergedSha: SHA } : p));
    expect(ids(world({ pulls: moved }))).toEqual([]);
    expect(only(world({ pulls: moved.map((p) => ({ ...p, mergedSha: 'e'.repeat(40) })) }), 'merge-guard').item).toBe(2);
  });

  it('a second plan comment for one request; a requeue by agentloop is no new request', () => {
    const second = { issue: 1, user: 'github-actions[bot]', body: '<!-- agentloop:plan -->\nagain', createdAt: '2025-01-01T00:00:03Z' };
    expect(only(world({ comments: [...base.comments, second] }), 'one-plan-per-request').detail).toBe(
      '2 plan comments for 1 plan request(s)',
    );
    const requeued = world({ comments: [...base.comments, second], events: [...base.events, ev(1, 'labeled', 'loop/plan', BOT)] });
    expect(only(requeued, 'one-plan-per-request').item).toBe(1);
    const asked = world({ comments: [...base.comments, second], events: [...base.events, ev(1, 'labeled', 'loop/plan', 'maria')] });
    expect(ids(asked)).toEqual([]);
    // A person's comment quoting the marker is not agentloop's plan.
    expect(ids(world({ comments: [...base.comments, { ...second, user: 'maria' }] }))).toEqual([]);
  });

  it("a breakdown's part created twice; a person's issue quoting the marker does not count", () => {
    const child = (number: number, k: number, user = 'github-actions[bot]') => ({
      number,
      isPull: false,
      state: 'open' as const,
      labels: [],
      user,
      body: `Do it.\n\nPart of #3.\n\n<!-- agentloop:breakdown-of #3 ${k} -->`,
    });
    expect(ids(world({ items: [...base.items, child(5, 1), child(6, 2)] }))).toEqual([]);
    const twice = only(world({ items: [...base.items, child(5, 1), child(6, 1)] }), 'one-child-per-part');
    expect(twice).toMatchObject({ item: 6, detail: 'a second issue for #3 part 1 (the first: #5)' });
    expect(ids(world({ items: [...base.items, child(5, 1), child(6, 1, 'maria')] }))).toEqual([]);
  });

  it('the breakdown labels are in the catalog, and a breakdown claim is a claim', () => {
    expect(ids(world({ items: withLabels(3, ['loop/code-ci-pending', 'loop/breakdown-done', 'loop/breakdown-approve']) }))).toEqual([]);
    const two = world({ items: withLabels(3, ['loop/code-ci-pending', 'loop/breakdown-in-process', 'loop/code-in-process']) });
    expect(ids(two, 'run')).toEqual(['one-in-process']);
  });

  it('a merge without green CI on the merged head', () => {
    expect(only(world({ ci: [] }), 'merge-guard').detail).toMatch(/with no completed CI run on it/);
    const red = world({ ci: [...base.ci, { sha: SHA, workflow: 'CI', status: 'completed', conclusion: 'failure' }] });
    expect(only(red, 'merge-guard').detail).toMatch(/although CI CI: failure/);
    // Green on another head does not count.
    expect(only(world({ ci: [{ ...base.ci[0]!, sha: 'f'.repeat(40) }] }), 'merge-guard').item).toBe(2);
  });

  it('a merge without a merge label from a writer, or from agentloop without auto-merge', () => {
    expect(only(world({ autoMerge: false }), 'merge-guard').detail).toMatch(/without loop\/merge or automerge applied by a writer/);
    const byTom = base.events.map((e) => (e.label === 'loop/merge' && e.event === 'labeled' ? { ...e, actor: 'tom' } : e));
    expect(only(world({ events: byTom }), 'merge-guard').item).toBe(2);
    // Taken off again before the merge: not asked any more.
    const removed = [...base.events.slice(0, 3), ev(1, 'unlabeled', 'loop/merge', 'maria'), ...base.events.slice(3)];
    expect(only(world({ events: removed }), 'merge-guard').item).toBe(2);
    // A writer's automerge on the PR itself is enough, whatever auto-merge says.
    const human = [ev(2, 'labeled', 'automerge', 'maria'), ...base.events.filter((e) => e.label !== 'loop/merge')];
    expect(ids(world({ autoMerge: false, events: human }))).toEqual([]);
  });

  it('a merge while do-not-merge was on the issue or the PR', () => {
    const dnm = [ev(2, 'labeled', 'do-not-merge', 'maria'), ...base.events];
    expect(only(world({ events: dnm }), 'merge-guard').detail).toBe('merged while do-not-merge was on it');
    // Removed before the merge: fine.
    expect(
      ids(world({ events: [ev(1, 'labeled', 'do-not-merge', 'maria'), ev(1, 'unlabeled', 'do-not-merge', 'maria'), ...base.events] })),
    ).toEqual([]);
    // A person's own merge is not agentloop's to judge.
    expect(ids(world({ ci: [], events: base.events.map((e) => (e.event === 'merged' ? { ...e, actor: 'maria' } : e)) }))).toEqual([]);
  });

  it('two in-process labels on one item, in either scope', () => {
    const w = world({ items: withLabels(3, ['loop/code-ci-pending', 'loop/merge-in-process', 'loop/plan-in-process', 'loop/merge']) });
    expect(ids(w, 'run')).toEqual(['one-in-process']);
    expect(checkInvariants(w, 'rest')[0]!.detail).toBe('two runs own it: loop/plan-in-process, loop/merge-in-process');
  });

  it('a label with the prefix that is not in the catalog, on an item or in the repository', () => {
    expect(only(world({ items: withLabels(3, ['loop/code-ci-pending', 'loop/coding']) }), 'known-labels').detail).toBe(
      'label "loop/coding" is not in agentloop\'s catalog',
    );
    expect(only(world({ repoLabels: [...base.repoLabels, 'LOOP/wip'] }), 'known-labels').item).toBeUndefined();
  });

  it('a branch agentloop/issue-N with no open issue N and no PR from it (at rest only)', () => {
    const w = world({ branches: ['main', 'agentloop/issue-3', 'agentloop/issue-7'] });
    expect(only(w, 'branch-has-item').detail).toBe('branch agentloop/issue-7 is left with no open issue #7 and no PR from it');
    expect(ids(w, 'run')).toEqual([]);
    // A PR from it is enough: open (its issue closed by hand), or merged (the branch outlived the merge).
    const closed = base.items.map((i) => (i.number === 3 ? { ...i, state: 'closed' as const } : i));
    expect(ids(world({ items: closed, branches: ['agentloop/issue-3', 'agentloop/issue-1'] }))).toEqual([]);
    // A PR from another repository's branch of that name is not.
    const fork = base.pulls.map((p) => (p.number === 2 ? { ...p, sameRepo: false } : p));
    expect(ids(world({ pulls: fork, branches: ['agentloop/issue-1'] }))).toContain('branch-has-item');
  });

  it('states the design does not name (at rest only)', () => {
    const unnamed: [string[], RegExp][] = [
      [['loop/merge-done'], /loop\/merge-done, but the issue is still open and nothing closes it/],
      [['loop/merge-done', 'loop/code'], /loop\/merge-done together with loop\/code/],
      [['loop/merge'], /loop\/merge on an issue with no code work/],
      [['loop/merge-in-process'], /loop\/merge-in-process on an issue whose PR is not green or pending/],
      [['loop/dashboard', 'loop/code'], /the dashboard issue carries loop state/],
    ];
    for (const [labels, detail] of unnamed) {
      const w = world({ items: withLabels(3, labels) });
      expect(only(w, 'named-state').detail, labels.join()).toMatch(detail);
      expect(ids(w, 'run')).toEqual([]);
    }
    // CI pending or green, with no PR at all.
    const noPr = world({ items: [...base.items, { number: 9, isPull: false, state: 'open', labels: ['loop/code-done', 'loop/merge'] }] });
    expect(only(noPr, 'named-state').detail).toMatch(/^loop\/code-done without any PR for it/);
    // Its PR merged, the issue still open: the code lane wraps it up (named); merged and only merge-done: nothing will.
    const reopened = (labels: string[]) =>
      world({ items: base.items.map((i) => (i.number === 1 ? { ...i, state: 'open' as const, labels } : i)) });
    expect(ids(reopened(['loop/code-done', 'loop/merge']))).toEqual([]);
    expect(ids(reopened(['loop/merge-done', 'loop/code-ci-pending', 'loop/code-done']))).toEqual([]);
    expect(ids(reopened(['loop/code-done', 'loop/merge', 'loop/merge-in-process']))).toEqual([]);
    expect(only(reopened(['loop/merge-done']), 'named-state').item).toBe(1);
    // Loop state on a pull request.
    expect(only(world({ items: withLabels(4, ['loop/code']) }), 'named-state').detail).toMatch(/a pull request with loop\/code/);
  });

  it('the named states, and a label change cut short (added before removed), are fine', () => {
    const named = [
      ['loop/code'],
      ['loop/code-in-process', 'loop/plan-done'],
      ['loop/code', 'loop/code-in-process'],
      ['loop/code-in-process', 'loop/code-ci-pending'],
      ['loop/code-ci-pending', 'loop/code-done', 'loop/merge'],
      ['loop/code-done', 'loop/merge', 'loop/merge-in-process', 'do-not-merge'],
      ['loop/code-ci-pending', 'loop/code'],
      ['loop/plan', 'loop/plan-in-process'],
      ['loop/plan-done', 'loop/plan'],
      ['ci-failure', 'loop/code'],
    ];
    for (const labels of named) expect(ids(world({ items: withLabels(3, labels) })), labels.join()).toEqual([]);
    expect(item(1).labels).toContain('loop/merge-done'); // closed and merged: the end
  });

  it('NeedSupervisor set by agentloop needs a notice or a status comment that says so', () => {
    const held = withLabels(3, ['loop/code-ci-pending', 'NeedSupervisor']);
    const events = [...base.events, ev(3, 'labeled', 'NeedSupervisor', BOT, '2025-01-01T00:01:00Z')];
    expect(only(world({ items: held, events }), 'named-state').detail).toMatch(/has NeedSupervisor with no status comment or notice/);
    const notice = {
      issue: 3,
      user: BOT,
      body: '<!-- agentloop:notice --><!-- agentloop:escalation 1 -->\n@maria agentloop stopped',
      createdAt: '2025-01-01T00:01:00Z',
    };
    expect(ids(world({ items: held, events, comments: [...base.comments, notice] }))).toEqual([]);
    // A notice from before this escalation does not explain it.
    const old = { ...notice, createdAt: '2025-01-01T00:00:30Z' };
    expect(ids(world({ items: held, events, comments: [...base.comments, old] }))).toEqual(['named-state']);
    // The status comment saying so (on the issue or its PR) does.
    const status = {
      issue: 4,
      user: BOT,
      body: '<!-- agentloop:status -->\nIt stopped and added `NeedSupervisor`.',
      createdAt: '2025-01-01T00:00:30Z',
    };
    expect(ids(world({ items: held, events, comments: [...base.comments, status] }))).toEqual([]);
    // …but not its hidden state alone.
    const hidden = { ...status, body: '<!-- agentloop:status -->\nwaiting\n<!-- agentloop:state {"note":"NeedSupervisor"} -->' };
    expect(ids(world({ items: held, events, comments: [...base.comments, hidden] }))).toEqual(['named-state']);
    // A person who applies it explains it themselves.
    expect(ids(world({ items: held, events: [...base.events, ev(3, 'labeled', 'NeedSupervisor', 'maria')] }))).toEqual([]);
  });
});
