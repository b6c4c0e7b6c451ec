// sweep (DESIGN §3): repairs what events dropped. Requeue or escalate items whose run died, dispatch
// runs for work nobody woke up for, keep one ci-failure issue per red workflow, refresh the dashboard.
import { lostCodeClaim, lostPlanClaim, MAX_REQUEUES } from '../core/decide/sweep.js';
import { hasLabel } from '../core/labels.js';
import type { LoopState } from '../core/status-comment.js';
import type { Repair, Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { SweepSnapshot } from '../services/sweep-snapshot.js';
import { reportCiFailure, reportCiRecovered } from './ci-failure.js';
import { released } from './claim.js';
import { refreshDashboard } from './dashboard.js';
import { writeEscalation } from './escalation.js';
import type { TransitionResult } from './result.js';

export async function sweep(rc: RunContext, t: Extract<Transition, { kind: 'sweep' }>, ss: SweepSnapshot): Promise<TransitionResult> {
  const done: string[] = [];
  const failed: string[] = [];
  for (const repair of t.repairs) {
    // Each repair writes; the budget is checked before each (a requeue is never left half done).
    if (!rc.budget.allows(`the ${repair.kind} repair${'item' in repair && repair.item !== undefined ? ` of #${repair.item}` : ''}`)) break;
    try {
      done.push(await perform(rc, repair, ss));
      rc.steps.reached('repaired');
    } catch (err) {
      // One broken repair must not stop the others; the next sweep tries again.
      failed.push(`${repair.kind}: ${(err as Error).message}`);
      rc.log.warning(`sweep: ${repair.kind} failed: ${(err as Error).message}`);
    }
  }
  for (const line of done) rc.log.info(`sweep: ${line}`);
  return {
    outcome: failed.length ? 'failed' : 'done',
    message:
      `${done.length} repair(s) made${failed.length ? `, ${failed.length} failed (${failed.join('; ')})` : ''}` +
      (rc.budget.stopped ? `; ${rc.budget.stopped}, the next sweep continues` : ''),
  };
}

async function perform(rc: RunContext, repair: Repair, ss: SweepSnapshot): Promise<string> {
  const names = rc.config.labelNames;
  switch (repair.kind) {
    case 'requeue': {
      const item = ss.items.get(repair.item)!;
      const claims = [names.planInProcess, names.codeInProcess, names.mergeInProcess, names.breakdownInProcess].filter((l) =>
        hasLabel(item.data.labels, l),
      );
      // Put back the label the lost run had taken, so the item is picked up again.
      // A closed issue gets nothing back: the code lane wraps it up (the dispatch below names it).
      const lostPlan = lostPlanClaim(item.data.labels, names);
      const trigger =
        item.data.state !== 'open'
          ? []
          : repair.lane === 'plan'
            ? lostPlan
              ? [lostPlan]
              : []
            : lostCodeClaim(item.data.labels, item.status.state.pull, names).putBack;
      await rc.labels.apply(repair.item, item.data.labels, { add: trigger, remove: claims });
      await item.status.write(
        {
          title: 'requeued',
          steps: [],
          message: `The run that was working on this stopped without finishing (${repair.reason}). agentloop put it back in the queue (requeue ${repair.attempt} of ${MAX_REQUEUES}).`,
        },
        { ...requeued(rc, item.status.state), attempt: repair.attempt },
      );
      await dispatch(rc, repair.lane, repair.item);
      return `requeued #${repair.item} in the ${repair.lane} lane`;
    }
    case 'escalate': {
      const item = ss.items.get(repair.item)!;
      const claims = [names.planInProcess, names.codeInProcess, names.mergeInProcess, names.breakdownInProcess];
      // The lost run had taken its trigger label (plan, breakdown, its approval; code before a PR existed): a retry needs it again.
      const retry =
        lostPlanClaim(item.data.labels, names) ??
        (lostCodeClaim(item.data.labels, item.status.state.pull, names).putBack.includes(names.code) ? names.code : undefined);
      await rc.labels.apply(repair.item, item.data.labels, { add: [names.needSupervisor], remove: claims });
      const todo = `look at the run logs, then remove \`${names.needSupervisor}\`${retry ? ` and apply \`${retry}\` again` : ''} to try again`;
      const reason = `Runs working on this keep stopping without finishing (${repair.reason}).`;
      await writeEscalation(
        rc,
        item,
        { reason, todo },
        { title: 'needs a human', steps: [], message: `${reason} agentloop added \`${names.needSupervisor}\`: ${todo}.` },
        released(rc, item.status.state, 'sweep', 'escalated'),
      );
      return `escalated #${repair.item}`;
    }
    case 'dispatch':
      await dispatch(rc, repair.lane, repair.item);
      return `dispatched the ${repair.lane} lane${repair.item !== undefined ? ` for #${repair.item}` : ''} (${repair.reason})`;
    case 'ci-failure':
      return reportCiFailure(rc, { workflow: repair.workflow, runId: repair.runId, sha: repair.sha, url: repair.url });
    case 'ci-recovered':
      return reportCiRecovered(rc, { workflow: repair.workflow, issue: repair.issue, runId: repair.runId, url: repair.url });
    case 'dashboard':
      return refreshDashboard(rc, ss);
  }
}

/** Released, with the lost claim's time kept: its work (a posted plan) answered the request it requeues. */
function requeued(rc: RunContext, state: LoopState): LoopState {
  const next = released(rc, state, 'sweep', 'requeued');
  const since = state.owner?.since;
  if (since === undefined) return next;
  return { ...next, history: [...next.history.slice(0, -1), { ...next.history.at(-1)!, claimedAt: since }] };
}

async function dispatch(rc: RunContext, lane: 'plan' | 'code' | 'sweep', item?: number): Promise<void> {
  if (lane === 'sweep') return;
  const workflow = lane === 'plan' ? rc.config.planWorkflow : rc.config.codeWorkflow;
  // The code lane decides from everything it reads; a named item is read too (a closed issue to wrap up).
  const inputs: Record<string, string> = { item: String(item ?? ''), lane, chain: '0' };
  await rc.forge.dispatchWorkflow(workflow, rc.defaultBranch, inputs);
}
