// Plan lane (DESIGN §3 "plan", §4): one issue per run, concurrent across issues.
import { checkApproval } from '../approval.js';
import type { LoopEvent } from '../event.js';
import { keyOfLabel } from '../labels.js';
import type { Decision } from '../transition.js';
import { type BreakdownKey, decideBreakdown } from './breakdown.js';
import { type Ctx, inProcess, leftAlone } from './context.js';

/** The labels the plan lane starts from: a plan, a breakdown, its approval. */
const PLAN_LANE_KEYS = ['plan', 'breakdown', 'breakdownApprove'] as const;

export function decidePlan(ctx: Ctx, event: LoopEvent): Decision {
  const none = (reason: string, item?: number): Decision => ({
    lane: 'plan',
    transition: { kind: 'none', reason, ...(item !== undefined ? { item } : {}) },
    queued: [],
    notes: [],
  });
  let wanted: (typeof PLAN_LANE_KEYS)[number] | undefined;
  if (event.kind === 'labeled') {
    const key = keyOfLabel(ctx.names, event.label);
    if (!key) return none(`label "${event.label}" is not an agentloop label`, event.number);
    wanted = PLAN_LANE_KEYS.find((k) => k === key);
    if (!wanted) return none(`label "${event.label}" belongs to another lane, not the plan lane`, event.number);
  }
  const number = 'number' in event ? event.number : undefined;
  if (number === undefined) return none(`a ${event.kind} event names no issue for the plan lane`);
  const issue = ctx.snap.issues.find((i) => i.number === number);
  if (!issue) return none(`#${number} was not found`, number);
  if (issue.isPull) return none(`#${number} is a pull request; plans and breakdowns are for issues`, number);
  if (issue.state !== 'open') return none(`#${number} is closed`, number);
  if (ctx.has(issue, 'needSupervisor')) {
    return none(`#${number} has ${ctx.names.needSupervisor}; a human must remove it before agentloop continues`, number);
  }
  const alone = leftAlone(issue);
  if (alone) return none(`#${number}: ${alone}`, number);
  if (ctx.cfg.paused) return none('agentloop is paused (paused: true)', number);
  // A dispatch names the issue only: a plan first, then a breakdown, then its approval.
  wanted ??= PLAN_LANE_KEYS.find((k) => ctx.has(issue, k)) ?? 'plan';
  if (wanted !== 'plan') return decideBreakdown(ctx, issue, wanted satisfies BreakdownKey);
  if (ctx.has(issue, 'planInProcess')) return none(`a plan run already owns #${number}`, number);
  if (!ctx.has(issue, 'plan')) {
    return none(
      ctx.has(issue, 'planDone') ? `the plan for #${number} is already posted` : `#${number} has no ${ctx.names.plan} label`,
      number,
    );
  }
  if (inProcess(ctx, issue)) return none(`another run owns #${number}; the plan waits`, number);
  const verdict = ctx.auth(issue, 'plan');
  const trigger = issue.triggers.plan;
  if (!verdict.ok) {
    if (verdict.unknown) return none(`not starting: ${verdict.reason}; a later run will check again`, number);
    // Refused again even when the comment was said (the transition says it once): the label comes off.
    return {
      lane: 'plan',
      transition: { kind: 'refuse', item: number, label: ctx.names.plan, actor: trigger!.actor.login, reason: verdict.reason },
      queued: [],
      notes: [],
    };
  }
  const approval = checkApproval(issue, trigger, ctx.cfg.selfLogins);
  if (!approval.ok) {
    const reason = `#${number}: ${approval.reason}`;
    return { lane: 'plan', transition: { kind: 'edited', item: number, label: ctx.names.plan, reason }, queued: [], notes: [] };
  }
  return {
    lane: 'plan',
    transition: {
      kind: 'plan',
      issue: number,
      requester: trigger!.actor.login,
      ...(approval.record ? { approve: approval.record } : {}),
      reason: `${ctx.names.plan} applied by @${trigger!.actor.login}`,
    },
    queued: [],
    notes: [],
  };
}
