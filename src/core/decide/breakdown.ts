// Breakdown in the plan lane (DESIGN §3 "breakdown"): loop/breakdown → propose child issues (read-only
// agent); loop/breakdown-approve → create them, each once. The checks every plan-lane item passes first
// (found, an open issue, no NeedSupervisor, not paused) are decidePlan's (plan.ts).
import { checkApproval } from '../approval.js';
import type { ItemSnapshot } from '../snapshot.js';
import type { Decision, Transition } from '../transition.js';
import { type Ctx, inProcess } from './context.js';

export type BreakdownKey = 'breakdown' | 'breakdownApprove';

/**
 * Labels of an issue the code lane works on. A breakdown waits while any is on: each lane checks only the
 * other's claims when it decides, so a breakdown and a code run deciding at the same moment could both
 * claim the issue (two in-process labels). Breaking down an issue that is being implemented is rare.
 */
const CODE_LANE_KEYS = ['code', 'codeCiPending', 'merge', 'automerge'] as const;

export function decideBreakdown(ctx: Ctx, issue: ItemSnapshot, key: BreakdownKey): Decision {
  const number = issue.number;
  const decision = (transition: Transition): Decision => ({ lane: 'plan', transition, queued: [], notes: [] });
  const none = (reason: string) => decision({ kind: 'none', reason, item: number });
  const label = ctx.names[key];
  if (ctx.has(issue, 'breakdownInProcess')) return none(`a breakdown run already owns #${number}`);
  if (!ctx.has(issue, key)) {
    if (key === 'breakdownApprove') return none(`#${number} has no ${label} label`);
    return none(ctx.has(issue, 'breakdownDone') ? `the breakdown of #${number} is already proposed` : `#${number} has no ${label} label`);
  }
  if (inProcess(ctx, issue)) return none(`another run owns #${number}; the breakdown waits`);
  const coding = CODE_LANE_KEYS.find((k) => ctx.has(issue, k));
  if (coding) return none(`#${number} is in the code lane (${ctx.names[coding]}); the breakdown waits until that work is done`);
  const verdict = ctx.auth(issue, key);
  const trigger = issue.triggers[key];
  if (!verdict.ok) {
    if (verdict.unknown) return none(`not starting: ${verdict.reason}; a later run will check again`);
    return decision({ kind: 'refuse', item: number, label, actor: trigger!.actor.login, reason: verdict.reason });
  }
  const requester = trigger!.actor.login;
  if (key === 'breakdown') {
    const approval = checkApproval(issue, trigger, ctx.cfg.selfLogins);
    if (!approval.ok) return decision({ kind: 'edited', item: number, label, reason: `#${number}: ${approval.reason}` });
    return decision({
      kind: 'breakdown',
      issue: number,
      requester,
      ...(approval.record ? { approve: approval.record } : {}),
      reason: `${label} applied by @${requester}`,
    });
  }
  // A new proposal is on its way: the approval can only be for the one people have not seen yet.
  if (ctx.has(issue, 'breakdown')) return none(`a new breakdown of #${number} is requested (${ctx.names.breakdown}); ${label} waits`);
  const p = issue.breakdown;
  const decline = (cause: 'no-proposal' | 'stale' | 'done', reason: string) =>
    decision({ kind: 'breakdown-decline', issue: number, label, actor: requester, cause, reason: `#${number}: ${reason}` });
  if (!p) return decline('no-proposal', `there is no breakdown proposal to approve (apply ${ctx.names.breakdown} first)`);
  // Same second counts as after: forges stamp whole seconds.
  if (Date.parse(trigger!.at) < Date.parse(p.postedAt)) {
    return decline('stale', `${label} was applied before the current proposal was posted (${p.postedAt})`);
  }
  if (p.created >= p.total) return decline('done', `all ${p.total} issue(s) of the breakdown are already created`);
  return decision({
    kind: 'breakdown-approve',
    issue: number,
    requester,
    reason: `${label} applied by @${requester}: create ${p.total - p.created} of ${p.total} issue(s)`,
  });
}
