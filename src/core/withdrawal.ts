// Is the work a run is doing still wanted? Asked right before the run's visible effect (the push and PR
// of a code run, the push of a fix, the merge call), because people act while runs work: they close the
// issue, add NeedSupervisor or do-not-merge, or take the request back (docs/design-decisions.md, "People
// acting while a run works"). Pure: the caller reads the item and its label timeline.
import { hasLabel } from './labels.js';
import type { LabelEvent } from './model.js';
import { isSelf } from './trust.js';

export interface WithdrawalCheck {
  /** What the item looks like now. */
  number: number;
  state: 'open' | 'closed';
  labels: readonly string[];
  /** Labels whose presence stops the effect (NeedSupervisor; do-not-merge before a merge). */
  stops: readonly string[];
  /**
   * Labels whose removal by a person takes the request back (the trigger, the claim's in-process label).
   * A label that is simply gone — deleted or renamed in the repository settings — takes nothing back:
   * only an `unlabeled` event by someone other than agentloop after the label was last applied does.
   */
  watch: readonly string[];
  /** The item's label timeline, oldest first (only needed when `watch` is not empty). */
  events?: readonly LabelEvent[];
  selfLogins: readonly string[];
}

/** Why the effect must not happen now (one sentence without a final period), or undefined: go on. */
export function withdrawal(c: WithdrawalCheck): string | undefined {
  if (c.state === 'closed') return `#${c.number} was closed`;
  const stop = c.stops.find((l) => hasLabel(c.labels, l));
  if (stop) return `\`${stop}\` was added to #${c.number}`;
  for (const label of c.watch) {
    const events = c.events ?? [];
    const same = (e: LabelEvent) => e.label.toLowerCase() === label.toLowerCase();
    let applied = -1;
    events.forEach((e, i) => {
      if (e.action === 'labeled' && same(e)) applied = i;
    });
    if (applied < 0) continue;
    const facts = { selfLogins: c.selfLogins, allowedBots: [] };
    const removed = events.slice(applied + 1).find((e) => e.action === 'unlabeled' && same(e) && !isSelf(e.actor, facts));
    if (removed) return `@${removed.actor.login} removed \`${label}\` from #${c.number}`;
  }
  return undefined;
}
