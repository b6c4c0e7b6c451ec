// decide(snapshot, event, config) → Decision: the pure heart of agentloop (DESIGN §1.3).
import { isDefaultBranchCi } from '../ci.js';
import type { LoopEvent } from '../event.js';
import { keyOfLabel } from '../labels.js';
import type { Lane, Snapshot } from '../snapshot.js';
import type { Decision } from '../transition.js';
import { decideCode } from './code.js';
import { type DecideConfig, makeCtx } from './context.js';
import { decidePlan } from './plan.js';
import { decideSweep } from './sweep.js';

export type { DecideConfig } from './context.js';

export function decide(snapshot: Snapshot, event: LoopEvent, config: DecideConfig): Decision {
  const ctx = makeCtx(snapshot, config);
  const lane = config.lane === 'auto' ? laneOf(event, config, snapshot.defaultBranch) : config.lane;
  if (lane === 'plan') return decidePlan(ctx, event);
  if (lane === 'code') return decideCode(ctx, event);
  return decideSweep(ctx, event);
}

/** The lane an event belongs to when the workflow did not say (the CLI's `tick`, single-workflow setups). */
export function laneOf(event: LoopEvent, config: Pick<DecideConfig, 'labelNames'>, defaultBranch?: string): Lane {
  switch (event.kind) {
    case 'labeled': {
      const key = keyOfLabel(config.labelNames, event.label);
      return key === 'plan' || key === 'breakdown' || key === 'breakdownApprove' ? 'plan' : 'code';
    }
    case 'dispatch':
      return event.lane ?? (event.number !== undefined ? 'code' : 'sweep');
    case 'schedule':
      return 'sweep';
    case 'ci':
      return defaultBranch !== undefined && isDefaultBranchCi(event, defaultBranch) ? 'sweep' : 'code';
    default:
      return 'code';
  }
}
