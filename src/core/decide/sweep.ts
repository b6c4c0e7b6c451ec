// Sweep lane (DESIGN §3 "sweep", "ci-failure"): repair lost runs, re-dispatch dropped work,
// track red workflows on the default branch, refresh the dashboard. Cheap: no agent.
import { isDefaultBranchCi } from '../ci.js';
import type { LoopEvent } from '../event.js';
import { hasLabel, type LabelNames } from '../labels.js';
import type { ItemSnapshot, Lane } from '../snapshot.js';
import type { Decision, Repair } from '../transition.js';
import { type Ctx, IN_PROCESS_KEYS, inProcess, leftAlone } from './context.js';
import { decidePlan } from './plan.js';

/** Labels of items waiting for a code-lane run (the sweep dispatches one when any is not held). */
export const CODE_LANE_WAITING = ['code', 'codeCiPending', 'merge', 'automerge'] as const;

/** Requeues after a lost run before a human is asked to look. */
export const MAX_REQUEUES = 2;

const LANE_OF: Record<(typeof IN_PROCESS_KEYS)[number], Lane> = {
  planInProcess: 'plan',
  codeInProcess: 'code',
  mergeInProcess: 'code',
  breakdownInProcess: 'plan',
};

/** Plan-lane decisions that need a run: the sweep dispatches one when the event that should have started it was dropped. */
const PLAN_LANE_WORK = ['plan', 'refuse', 'edited', 'breakdown', 'breakdown-approve', 'breakdown-decline'];

export function decideSweep(ctx: Ctx, event: LoopEvent): Decision {
  if (event.kind === 'ci') return decideCiEvent(ctx, event);
  if (event.kind !== 'schedule' && event.kind !== 'dispatch') {
    return {
      lane: 'sweep',
      transition: { kind: 'none', reason: `the sweep lane does not act on ${event.kind} events` },
      queued: [],
      notes: [],
    };
  }
  const repairs: Repair[] = [];
  const notes: string[] = [];
  const stuckItems = new Set<number>();
  for (const item of [...ctx.snap.issues, ...ctx.snap.pulls]) {
    const repair = stuckRepair(ctx, item, notes);
    if (repair) {
      repairs.push(repair);
      stuckItems.add(item.number);
    }
  }
  if (!ctx.cfg.paused) {
    for (const issue of ctx.snap.issues) {
      if (stuckItems.has(issue.number)) continue;
      const plan = decidePlan(ctx, { kind: 'dispatch', lane: 'plan', number: issue.number, chain: 0 });
      if (PLAN_LANE_WORK.includes(plan.transition.kind)) {
        const t = plan.transition;
        const label =
          'label' in t ? t.label : ctx.names[t.kind === 'breakdown' ? 'breakdown' : t.kind === 'plan' ? 'plan' : 'breakdownApprove'];
        repairs.push({ kind: 'dispatch', lane: 'plan', item: issue.number, reason: `#${issue.number} has ${label} and no run` });
      }
    }
    // The sweep does not read PRs and CI (the code lane does, cheaply when idle): any item waiting in
    // the code lane gets a code-lane run, which repairs a dropped label or CI-completion event.
    const waiting = [...ctx.snap.issues, ...ctx.snap.pulls].filter(
      (i) =>
        i.state === 'open' &&
        !stuckItems.has(i.number) &&
        !ctx.has(i, 'needSupervisor') &&
        !leftAlone(i) &&
        !inProcess(ctx, i) &&
        CODE_LANE_WAITING.some((k) => ctx.has(i, k)),
    );
    // People merged or closed around agentloop (decide/wrap-up.ts): a code-lane run named after the first
    // such issue reads it and wraps it up (it reads everything else too, so no other dispatch is needed).
    const wrap = wrapUpsToWake(ctx, stuckItems);
    if (wrap.length) {
      repairs.push({
        kind: 'dispatch',
        lane: 'code',
        item: wrap[0]!,
        reason: `to wrap up #${wrap.join(', #')}: a PR merged or closed, or an issue closed, by a person`,
      });
    } else if (waiting.length) {
      repairs.push({ kind: 'dispatch', lane: 'code', reason: `code-lane items waiting: ${waiting.map((i) => `#${i.number}`).join(', ')}` });
    }
  }
  for (const health of ctx.snap.defaultBranchHealth) {
    if (health.conclusion === 'failure' && health.trackingIssue === undefined) {
      repairs.push({
        kind: 'ci-failure',
        workflow: health.workflow,
        runId: health.runId,
        sha: health.sha,
        url: health.url,
        reason: `${health.workflow} is red on ${ctx.snap.defaultBranch}`,
      });
    } else if (health.conclusion === 'success' && health.trackingIssue !== undefined) {
      repairs.push({
        kind: 'ci-recovered',
        workflow: health.workflow,
        issue: health.trackingIssue,
        runId: health.runId,
        url: health.url,
        reason: `${health.workflow} is green again`,
      });
    }
  }
  // A partial picture (the request budget ran out while reading items) would drop items from the dashboard.
  if (ctx.snap.partial) notes.push('not every item was read (operations-per-run): the dashboard is left as it is');
  else repairs.push({ kind: 'dashboard', reason: 'refresh the dashboard' });
  const actions = repairs.filter((r) => r.kind !== 'dashboard').length;
  return {
    lane: 'sweep',
    transition: { kind: 'sweep', repairs, reason: actions ? `${actions} repair(s) to make` : 'nothing to repair' },
    queued: [],
    notes,
  };
}

/** Issues the sweep found to wrap up, less those a run owns or a human holds. */
function wrapUpsToWake(ctx: Ctx, stuck: Set<number>): number[] {
  const items = new Map(ctx.snap.issues.map((i) => [i.number, i]));
  return (ctx.snap.wrapUps ?? []).filter((n) => {
    const i = items.get(n); // closed issues are not among the sweep's items
    return !stuck.has(n) && !(i && (ctx.has(i, 'needSupervisor') || leftAlone(i) || inProcess(ctx, i)));
  });
}

function stuckRepair(ctx: Ctx, item: ItemSnapshot, notes: string[]): Repair | undefined {
  const key = IN_PROCESS_KEYS.find((k) => ctx.has(item, k));
  // Closed items too: a merge run stopped after it closed the issue leaves its claim there (the sweep
  // lists closed issues at a PR stage; services/wrap-up-reads.ts).
  if (!key || ctx.has(item, 'needSupervisor')) return undefined;
  const alone = leftAlone(item);
  if (alone) {
    notes.push(`#${item.number}: ${alone}`);
    return undefined;
  }
  const owner = item.loop.owner;
  const live = ctx.snap.liveRunIds;
  let lost: string | undefined;
  if (owner && owner.runId === ctx.snap.runId) return undefined;
  if (owner && live && !live.includes(owner.runId)) lost = `run ${owner.runId} that owned it is no longer running`;
  else if (owner && ctx.minutesSince(owner.since) >= ctx.cfg.stuckAfterMinutes)
    lost = `owned by run ${owner.runId} for over ${ctx.cfg.stuckAfterMinutes} minutes`;
  else if (!owner && live && live.every((id) => id === ctx.snap.runId)) lost = 'marked in process but no other run is running';
  if (!lost) {
    notes.push(`#${item.number}: in process${owner ? ` (run ${owner.runId})` : ''}`);
    return undefined;
  }
  if (item.loop.attempt >= MAX_REQUEUES) {
    return { kind: 'escalate', item: item.number, reason: `${lost}; already requeued ${item.loop.attempt} time(s)` };
  }
  return { kind: 'requeue', item: item.number, lane: LANE_OF[key], attempt: item.loop.attempt + 1, reason: lost };
}

function decideCiEvent(ctx: Ctx, event: Extract<LoopEvent, { kind: 'ci' }>): Decision {
  const done = (transition: Decision['transition']): Decision => ({ lane: 'sweep', transition, queued: [], notes: [] });
  if (event.headBranch !== ctx.snap.defaultBranch) {
    return done({ kind: 'none', reason: `${event.workflow} ran on ${event.headBranch}, not the default branch` });
  }
  if (!isDefaultBranchCi(event, ctx.snap.defaultBranch)) {
    const origin = `${event.runEvent || 'an unknown event'} run from ${event.headRepo || 'an unknown repository'}`;
    return done({
      kind: 'none',
      reason: `${event.workflow} on ${event.headBranch} was a ${origin}, not this repository's push, schedule or dispatch`,
    });
  }
  const tracking = ctx.snap.defaultBranchHealth.find((h) => h.workflow === event.workflow)?.trackingIssue;
  if (event.conclusion === 'failure' || event.conclusion === 'timed_out') {
    return done({
      kind: 'ci-failure',
      workflow: event.workflow,
      runId: event.runId,
      sha: event.headSha,
      url: event.url,
      ...(tracking !== undefined ? { existingIssue: tracking } : {}),
      autofix: ctx.cfg.ciFailureAutofix,
      reason: `${event.workflow} failed on ${ctx.snap.defaultBranch} at ${event.headSha.slice(0, 7)}`,
    });
  }
  if (event.conclusion === 'success' && tracking !== undefined) {
    return done({
      kind: 'ci-recovered',
      workflow: event.workflow,
      issue: tracking,
      runId: event.runId,
      url: event.url,
      reason: `${event.workflow} is green again`,
    });
  }
  return done({ kind: 'none', reason: `${event.workflow} concluded ${event.conclusion}; nothing to track` });
}

/**
 * A lost code-lane claim: which label takes the item back to the code lane. A code claim that had opened
 * its PR goes back to waiting for CI, one that had not back to `loop/code`. Whether the PR exists is
 * known from the status comment — or from a PR stage label, which only comes after the PR: a run that
 * opened the PR and then failed before the status recorded it (a 5xx on Forgejo, which retries no write)
 * got `loop/code` back, and the issue was implemented a second time after its PR merged (the soak found
 * two merged PRs for one issue: docs/invariants.md). A merge claim puts nothing back.
 */
export function lostCodeClaim(labels: readonly string[], pull: number | undefined, names: LabelNames): { putBack: string[] } {
  if (!hasLabel(labels, names.codeInProcess)) return { putBack: [] };
  const staged = hasLabel(labels, names.codeCiPending) || hasLabel(labels, names.codeDone);
  if (staged) return { putBack: [] };
  return { putBack: [pull !== undefined ? names.codeCiPending : names.code] };
}

/**
 * The trigger label a lost plan-lane claim took: plan, or breakdown — or its approval, the only breakdown
 * claim that holds breakdown-done (a proposal's claim takes it off before its trigger: core/outcomes.ts).
 */
export function lostPlanClaim(labels: readonly string[], names: LabelNames): string | undefined {
  if (hasLabel(labels, names.planInProcess)) return names.plan;
  if (!hasLabel(labels, names.breakdownInProcess)) return undefined;
  if (hasLabel(labels, names.breakdown)) return names.breakdown;
  return hasLabel(labels, names.breakdownDone) ? names.breakdownApprove : names.breakdown;
}
