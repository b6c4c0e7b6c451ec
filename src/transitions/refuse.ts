// A polite refusal (DESIGN §8): one comment, no state label touched.

import { refusalKey } from '../core/decide/context.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import type { TransitionResult } from './result.js';

export async function refuse(_rc: RunContext, t: Extract<Transition, { kind: 'refuse' }>, item: LoadedItem): Promise<TransitionResult> {
  await item.status.write(
    {
      title: 'not started',
      steps: [],
      message:
        `Hi @${t.actor}, thanks for the nudge. agentloop only starts work when the \`${t.label}\` label is applied by ` +
        `someone with write access to this repository (${t.reason}). A maintainer can remove the label and apply it again ` +
        `to start the work.`,
    },
    { ...item.status.state, refused: refusalKey(t.label, t.actor) },
  );
  return {
    outcome: 'skipped',
    item: t.item,
    labelsBefore: item.data.labels,
    labelsAfter: item.data.labels,
    message: `refused ${t.label} from @${t.actor}: ${t.reason}`,
  };
}
