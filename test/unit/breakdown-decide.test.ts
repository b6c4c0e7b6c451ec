// decide() for breakdown (DESIGN §3 "breakdown"): every transition and refusal of loop/breakdown and
// loop/breakdown-approve in the plan lane, what the sweep repairs, and how an event is routed to the lane.
import { describe, expect, it } from 'vitest';
import type { ProposalSummary } from '../../src/core/breakdown.js';
import { type DecideConfig, decide, laneOf } from '../../src/core/decide/index.js';
import { lostPlanClaim } from '../../src/core/decide/sweep.js';
import type { LoopEvent } from '../../src/core/event.js';
import { outcomeOf } from '../../src/core/outcomes.js';
import type { Snapshot } from '../../src/core/snapshot.js';
import type { Transition } from '../../src/core/transition.js';
import { triage } from '../../src/core/triage.js';
import { cfg, EARLIER, issue, loopState, N, NOW, snap, triager, trigger } from '../support/snapshot-builders.js';

const labeled = (number: number, label: string): LoopEvent => ({
  kind: 'labeled',
  number,
  isPull: false,
  label,
  sender: { login: 'maria', type: 'User' },
});
const dispatch = (number: number): LoopEvent => ({ kind: 'dispatch', lane: 'plan', number, chain: 0 });
const BOT = { login: 'github-actions[bot]', type: 'Bot' as const };

/** A proposal posted an hour before the approval (trigger() applies labels at EARLIER, 10:00). */
const proposal = (over: Partial<ProposalSummary> = {}): ProposalSummary => ({
  postedAt: '2026-11-21T09:00:00Z',
  total: 3,
  created: 0,
  ...over,
});
const approving = (over: Parameters<typeof issue>[2] = {}) =>
  issue(7, [N.breakdownDone, N.breakdownApprove], { breakdown: proposal(), ...over });

interface Row {
  name: string;
  snapshot: Snapshot;
  event: LoopEvent;
  config?: Partial<DecideConfig>;
  expect: Partial<Transition> & { kind: Transition['kind'] };
  reason?: RegExp;
}

const rows: Row[] = [
  // ---- loop/breakdown: propose ----
  {
    name: 'a writer labels loop/breakdown → breakdown, recording the approval of the text',
    snapshot: snap({ issues: [issue(7, [N.breakdown], { loop: loopState({}) })] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'breakdown', issue: 7, requester: 'maria', approve: expect.objectContaining({ label: N.breakdown }) },
  },
  {
    name: 'dispatched (a dropped event repaired) → breakdown',
    snapshot: snap({ issues: [issue(7, [N.breakdown])] }),
    event: dispatch(7),
    expect: { kind: 'breakdown', issue: 7 },
  },
  {
    name: 'a triage-role labeler → a polite refusal, the label comes off',
    snapshot: snap({ issues: [issue(7, [N.breakdown], { by: triager, perm: 'triage' })] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'refuse', item: 7, label: N.breakdown, actor: 'tom' },
    reason: /triage access/,
  },
  {
    name: "the labeler's permission could not be read → nothing now, a later run checks again",
    snapshot: snap({ issues: [issue(7, [N.breakdown], { perm: 'unknown' })] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /later run will check again/,
  },
  {
    name: 'NeedSupervisor → nothing',
    snapshot: snap({ issues: [issue(7, [N.breakdown, N.needSupervisor])] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /NeedSupervisor/,
  },
  {
    name: 'paused → nothing',
    snapshot: snap({ issues: [issue(7, [N.breakdown])] }),
    event: labeled(7, N.breakdown),
    config: { paused: true },
    expect: { kind: 'none' },
    reason: /paused/,
  },
  {
    name: 'on a pull request → nothing',
    snapshot: snap({ issues: [{ ...issue(7, [N.breakdown]), isPull: true }] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /breakdowns are for issues/,
  },
  {
    name: 'a closed issue → nothing',
    snapshot: snap({ issues: [issue(7, [N.breakdown], { state: 'closed' })] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /closed/,
  },
  {
    name: 'a breakdown run owns it already (duplicate delivery) → nothing',
    snapshot: snap({ issues: [issue(7, [N.breakdown, N.breakdownInProcess])] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /breakdown run already owns/,
  },
  {
    name: 'a plan run owns it → the breakdown waits',
    snapshot: snap({ issues: [issue(7, [N.breakdown, N.planInProcess])] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /another run owns #7; the breakdown waits/,
  },
  {
    name: 'the code lane works on it → the breakdown waits (no two claims)',
    snapshot: snap({ issues: [issue(7, [N.breakdown, N.code])] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /in the code lane \(loop\/code\)/,
  },
  {
    name: 'already proposed (a late duplicate event) → nothing',
    snapshot: snap({ issues: [issue(7, [N.breakdownDone])] }),
    event: labeled(7, N.breakdown),
    expect: { kind: 'none' },
    reason: /already proposed/,
  },
  {
    name: 'requeued by agentloop after the text changed → edited (the agent never reads unapproved text)',
    snapshot: snap({
      issues: [
        issue(7, [N.breakdown], {
          triggers: { breakdown: trigger(N.breakdown, BOT, 'none', NOW) },
          loop: loopState({ approved: { label: N.breakdown, at: EARLIER, by: 'maria', text: 'an older digest' } }),
        }),
      ],
    }),
    event: dispatch(7),
    expect: { kind: 'edited', item: 7, label: N.breakdown },
    reason: /title or body changed/,
  },
  // ---- loop/breakdown-approve: create ----
  {
    name: 'a writer approves the posted proposal → breakdown-approve',
    snapshot: snap({ issues: [approving()] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'breakdown-approve', issue: 7, requester: 'maria' },
    reason: /create 3 of 3/,
  },
  {
    name: 'a lost approve run requeued (agentloop put the label back) → breakdown-approve, the rest only',
    snapshot: snap({
      issues: [
        approving({ breakdown: proposal({ created: 1 }), triggers: { breakdownApprove: trigger(N.breakdownApprove, BOT, 'none', NOW) } }),
      ],
    }),
    event: dispatch(7),
    expect: { kind: 'breakdown-approve', issue: 7, requester: 'github-actions[bot]' },
    reason: /create 2 of 3/,
  },
  {
    name: 'approved by a triage-role labeler → a polite refusal',
    snapshot: snap({ issues: [approving({ by: triager, perm: 'triage' })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'refuse', item: 7, label: N.breakdownApprove, actor: 'tom' },
  },
  {
    name: 'approved with no proposal → declined, saying so',
    snapshot: snap({ issues: [issue(7, [N.breakdownApprove])] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'breakdown-decline', issue: 7, cause: 'no-proposal', label: N.breakdownApprove, actor: 'maria' },
    reason: /no breakdown proposal to approve/,
  },
  {
    name: 'approved before the current proposal was posted → declined (the writer has not seen it)',
    snapshot: snap({ issues: [approving({ breakdown: proposal({ postedAt: '2026-11-21T11:00:00Z' }) })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'breakdown-decline', cause: 'stale' },
    reason: /applied before the current proposal/,
  },
  {
    name: 'approved twice (every child exists) → declined as done: nothing is created again',
    snapshot: snap({ issues: [approving({ breakdown: proposal({ created: 3 }) })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'breakdown-decline', cause: 'done' },
    reason: /already created/,
  },
  {
    name: 'approved while a new breakdown is requested → waits for the new proposal',
    snapshot: snap({ issues: [approving({ labels: [N.breakdown, N.breakdownDone, N.breakdownApprove] })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'none' },
    reason: /new breakdown of #7 is requested/,
  },
  {
    name: 'approved with NeedSupervisor on → nothing',
    snapshot: snap({ issues: [approving({ labels: [N.breakdownDone, N.breakdownApprove, N.needSupervisor] })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'none' },
    reason: /NeedSupervisor/,
  },
  {
    name: 'approved while a breakdown run owns it → nothing',
    snapshot: snap({ issues: [approving({ labels: [N.breakdownDone, N.breakdownApprove, N.breakdownInProcess] })] }),
    event: labeled(7, N.breakdownApprove),
    expect: { kind: 'none' },
    reason: /already owns/,
  },
  {
    name: 'dispatched with both plan and breakdown on → the plan first',
    snapshot: snap({ issues: [issue(7, [N.plan, N.breakdown])] }),
    event: dispatch(7),
    expect: { kind: 'plan', issue: 7 },
  },
];

describe('decide: breakdown, every transition and refusal', () => {
  for (const row of rows) {
    it(row.name, () => {
      const decision = decide(row.snapshot, row.event, cfg({ lane: 'plan', ...row.config }));
      expect(decision.lane).toBe('plan');
      expect(decision.transition).toMatchObject(row.expect);
      expect(decision.transition.reason).not.toMatch(/\n/);
      if (row.reason) expect(decision.transition.reason).toMatch(row.reason);
    });
  }
});

describe('breakdown: routing, labels, the sweep', () => {
  it('both labels go to the plan lane, and the entry lets them through', () => {
    for (const label of [N.breakdown, N.breakdownApprove]) {
      expect(laneOf(labeled(7, label), cfg())).toBe('plan');
      expect(triage(labeled(7, label), N).work).toBe(true);
    }
    expect(triage(labeled(7, N.breakdownDone), N).work).toBe(false);
  });

  it('claims: a proposal takes loop/breakdown (and an older breakdown-done) off; an approval keeps breakdown-done', () => {
    expect(outcomeOf('breakdown', N).claim).toEqual({ add: [N.breakdownInProcess], remove: [N.breakdownDone, N.breakdown] });
    expect(outcomeOf('breakdown-approve', N).claim).toEqual({ add: [N.breakdownInProcess, N.breakdownDone], remove: [N.breakdownApprove] });
    expect(outcomeOf('breakdown-approve', N).success).toEqual({ add: [N.breakdownDone], remove: [N.breakdownInProcess] });
    expect(outcomeOf('breakdown-decline', N).success).toEqual({ add: [], remove: [N.breakdownApprove] });
  });

  const owner = (runId: string, attempt = 0) => loopState({ owner: { runId, lane: 'plan', since: EARLIER }, attempt });
  const repairsOf = (s: Snapshot) => {
    const t = decide(s, { kind: 'schedule' }, cfg()).transition;
    if (t.kind !== 'sweep') throw new Error(`expected sweep, got ${t.kind}`);
    return t.repairs;
  };

  it('a lost breakdown claim is requeued in the plan lane, then escalated at the limit', () => {
    const lost = (attempt: number) =>
      snap({ liveRunIds: [], issues: [issue(5, [N.breakdownDone, N.breakdownInProcess], { loop: owner('41', attempt) })] });
    expect(repairsOf(lost(0))).toContainEqual(expect.objectContaining({ kind: 'requeue', item: 5, lane: 'plan', attempt: 1 }));
    expect(repairsOf(lost(2))).toContainEqual(expect.objectContaining({ kind: 'escalate', item: 5 }));
  });

  it('a breakdown or an approval whose event was dropped gets a plan-lane run; one waiting for a human does not', () => {
    const repairs = repairsOf(
      snap({
        liveRunIds: [],
        issues: [
          issue(5, [N.breakdown]),
          approving(),
          issue(8, [N.breakdownApprove, N.needSupervisor], { breakdown: proposal() }),
          issue(9, [N.breakdownDone], { breakdown: proposal() }),
        ],
      }),
    );
    const dispatched = repairs.filter((r) => r.kind === 'dispatch');
    expect(dispatched).toEqual([
      expect.objectContaining({ lane: 'plan', item: 5, reason: '#5 has loop/breakdown and no run' }),
      expect.objectContaining({ lane: 'plan', item: 7, reason: '#7 has loop/breakdown-approve and no run' }),
    ]);
  });

  it('a lost claim gets back the trigger it took, even when its label change was cut short', () => {
    const back = (labels: string[]) => lostPlanClaim(labels, N);
    expect(back([N.planInProcess])).toBe(N.plan);
    // A proposal's claim: breakdown-done (an older proposal's) comes off before the trigger.
    expect(back([N.breakdownInProcess, N.breakdownDone, N.breakdown])).toBe(N.breakdown);
    expect(back([N.breakdownInProcess, N.breakdown])).toBe(N.breakdown);
    expect(back([N.breakdownInProcess])).toBe(N.breakdown);
    // A writer's early approval next to a lost proposal is not what the lost run took.
    expect(back([N.breakdownInProcess, N.breakdownApprove])).toBe(N.breakdown);
    // An approval's claim holds breakdown-done.
    expect(back([N.breakdownInProcess, N.breakdownDone, N.breakdownApprove])).toBe(N.breakdownApprove);
    expect(back([N.breakdownInProcess, N.breakdownDone])).toBe(N.breakdownApprove);
    expect(back([N.codeInProcess])).toBeUndefined();
  });

  it('the code lane leaves an issue alone while a breakdown run owns it', () => {
    const t = decide(snap({ issues: [issue(5, [N.code, N.breakdownInProcess])] }), dispatch(5), cfg({ lane: 'code' })).transition;
    expect(t.kind).toBe('none');
  });
});
