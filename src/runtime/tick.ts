// One run: snapshot → decide → perform one transition → report. Shared by the action and `agentloop tick`.
import { decide, laneOf, type DecideConfig } from '../core/decide/index.js';
import { eventItem, type LoopEvent } from '../core/event.js';
import type { Decision } from '../core/transition.js';
import { plan } from '../transitions/plan.js';
import { refuse } from '../transitions/refuse.js';
import type { TransitionResult } from '../transitions/result.js';
import type { RunContext } from './run-context.js';
import { loadPlanSnapshot } from './snapshot-loader.js';

export interface TickReport {
  decision: Decision;
  result?: TransitionResult;
}

export function decideConfig(rc: RunContext): DecideConfig {
  return { ...rc.config, selfLogins: rc.selfLogins };
}

export async function tick(rc: RunContext, event: LoopEvent): Promise<TickReport> {
  const cfg = decideConfig(rc);
  const lane = cfg.lane === 'auto' ? laneOf(event, cfg, rc.defaultBranch) : cfg.lane;
  if (lane !== 'plan') {
    return {
      decision: { lane, transition: { kind: 'none', reason: `the ${lane} lane is not part of this version of agentloop` }, queued: [], notes: [] },
    };
  }
  const number = eventItem(event);
  if (number === undefined) {
    return { decision: { lane, transition: { kind: 'none', reason: 'the plan lane needs an issue number' }, queued: [], notes: [] } };
  }
  const loaded = await loadPlanSnapshot(rc, event, number).catch((err: { status?: number }) => {
    if (err.status === 404 || err.status === 410) return undefined;
    throw err;
  });
  if (!loaded) return { decision: { lane, transition: { kind: 'none', reason: `#${number} was not found (deleted or transferred)`, item: number }, queued: [], notes: [] } };
  const { snapshot, item } = loaded;
  const decision = decide(snapshot, event, { ...cfg, lane });
  const t = decision.transition;
  rc.log.info(`decision: ${t.kind} — ${t.reason}`);
  switch (t.kind) {
    case 'plan':
      return { decision, result: await plan(rc, t, item) };
    case 'refuse':
      return { decision, result: await refuse(rc, t, item) };
    default:
      return { decision };
  }
}
