// Right before a run's visible effect — a code run's push and PR, a fix's push, a merge — it reads the
// item again: people act while runs work (docs/design-decisions.md, "People acting while a run works").
// One request (the issue), two when a label's removal by a person must be told from a label deleted in
// the settings (the label timeline). Whatever a person does after this read is seen by the next run.
import { hasLabel } from '../core/labels.js';
import { withdrawal } from '../core/withdrawal.js';
import type { RunContext } from '../services/context.js';

export interface StillWantedOptions {
  /** Labels whose presence stops the effect. */
  stops: string[];
  /** Labels whose removal by a person takes the request back. */
  watch?: string[];
  /** Labels read on another item at the same time (the PR of a merge): their stops count too. */
  alsoLabels?: readonly string[];
}

/** Why the effect must not happen (a sentence without its final period), or undefined. */
export async function notWantedAnyMore(rc: RunContext, number: number, o: StillWantedOptions): Promise<string | undefined> {
  const now = await rc.forge.getIssue(number);
  const base = { number, selfLogins: rc.selfLogins, stops: o.stops, watch: [] as string[] };
  const quick = withdrawal({ ...base, state: now.state, labels: [...now.labels, ...(o.alsoLabels ?? [])] });
  // A watched label on the other item still asks for the effect (`loop/merge` moved from the issue to its PR).
  const watch = (o.watch ?? []).filter((l) => !hasLabel(o.alsoLabels ?? [], l));
  if (quick || !watch.length) return quick;
  const events = await rc.forge.listLabelEvents(number);
  return withdrawal({ ...base, state: now.state, labels: now.labels, watch, events });
}
