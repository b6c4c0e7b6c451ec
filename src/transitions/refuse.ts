// A polite refusal (DESIGN §8): the trigger label applied by someone who may not start work comes off,
// with one new comment that mentions the labeler and says why. No supervisor is pinged: nothing is
// stuck, and a maintainer who wants the work applies the label. Said once per label and person (the
// status state remembers it); the label is removed every time, so a refused item is never read again by
// later runs until somebody relabels it, and a writer applying the label afterwards starts the work normally.

import { refusalKey } from '../core/decide/context.js';
import { cleanLogin, defuseMentions, NOTICE_MARKER } from '../core/escalation.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import type { TransitionResult } from './result.js';

export async function refuse(rc: RunContext, t: Extract<Transition, { kind: 'refuse' }>, item: LoadedItem): Promise<TransitionResult> {
  const key = refusalKey(t.label, t.actor);
  const said = item.status.state.refused === key;
  // The comment (and the state that remembers it) first: should the run die before the label comes off,
  // the next run removes the label without saying it twice.
  if (!said) {
    const login = cleanLogin(t.actor);
    const message =
      `Hi${login ? ` @${login}` : ''}, thanks for the nudge. agentloop only starts work when the \`${t.label}\` label is applied by ` +
      `someone with write access to this repository (${defuseMentions(t.reason)}), so it took the label off. A maintainer can ` +
      'apply it again to start the work.';
    const state = { ...item.status.state, refused: key };
    const view = { title: 'not started', steps: [], message };
    if (!item.status.exists) await item.status.write(view, state);
    else {
      // An edited comment notifies nobody: the refusal is a new comment that mentions the labeler, and the
      // status comment records it (first: said at most once) and otherwise stays as it was.
      await item.status.record(state, view);
      await rc.forge.createComment(t.item, `${NOTICE_MARKER}\n${message}`);
    }
  }
  const labels = await rc.labels.apply(t.item, item.data.labels, { add: [], remove: [t.label] });
  return {
    outcome: 'skipped',
    item: t.item,
    labelsBefore: item.data.labels,
    labelsAfter: labels,
    message: `refused ${t.label} from @${t.actor} and removed it${said ? ' (already told)' : ''}: ${t.reason}`,
  };
}
