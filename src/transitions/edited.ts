// The issue text changed after a writer approved it (DESIGN §8): the agent does not run. One status
// update (and one notice mentioning the supervisors: transitions/escalation.ts) asks a writer to review
// the change and apply the trigger label again; NeedSupervisor puts the item where a human sees it, and
// the trigger label (if still on) comes off: the request no longer stands.
// The approval on record stays, so every later run stops the same way until a writer re-applies the label.

import { outcomeOf } from '../core/outcomes.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { released } from './claim.js';
import { writeEscalation } from './escalation.js';
import type { TransitionResult } from './result.js';

export async function edited(rc: RunContext, t: Extract<Transition, { kind: 'edited' }>, item: LoadedItem): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const before = item.data.labels;
  const change = outcomeOf('edited', names).success;
  const labels = await rc.labels.apply(t.item, before, { add: change.add, remove: [...change.remove, t.label] });
  const why = t.reason.replace(/^#\d+: /, '');
  const todo = `review the change, then remove \`${names.needSupervisor}\` and apply \`${t.label}\` again to approve the current text`;
  await writeEscalation(
    rc,
    item,
    { reason: `agentloop did not start the agent: ${why}.`, todo },
    {
      title: 'stopped: the issue changed',
      steps: [],
      message: `agentloop did not start the agent: ${why}. It only gives the agent the text a maintainer approved. A maintainer: ${todo}.`,
    },
    released(rc, item.status.state, 'edited', 'stopped'),
  );
  return { outcome: 'skipped', item: t.item, labelsBefore: before, labelsAfter: labels, message: `stopped #${t.item}: ${why}` };
}
