// Can this event possibly mean work? Decided from the payload alone, before anything heavy loads
// (DESIGN §1.6). False positives cost one heavier start; false negatives are repaired by the sweep.
import { isForeignCi } from './ci.js';
import type { LoopEvent } from './event.js';
import { hasLabel, type LabelNames } from './labels.js';

export interface Triage {
  work: boolean;
  reason: string;
}

export function triage(event: LoopEvent, names: LabelNames, opts: { anyLabel?: boolean } = {}): Triage {
  switch (event.kind) {
    case 'labeled': {
      if (event.label === '') return { work: true, reason: 'labels changed (the forge did not say which)' };
      const triggers = [names.plan, names.code, names.merge, names.automerge, names.breakdown, names.breakdownApprove];
      if (opts.anyLabel || hasLabel(triggers, event.label)) return { work: true, reason: `label "${event.label}" added` };
      return { work: false, reason: `label "${event.label}" is not an agentloop trigger` };
    }
    case 'unlabeled':
      return hasLabel([names.needSupervisor], event.label)
        ? { work: true, reason: `${names.needSupervisor} removed: work may resume` }
        : { work: false, reason: `removing "${event.label}" starts nothing` };
    case 'ci':
      // A fork's run (its pull request, its workflow files) is neither the default branch's CI nor a loop PR's.
      return isForeignCi(event)
        ? { work: false, reason: `workflow "${event.workflow}" ran on ${event.headRepo}, not this repository` }
        : { work: true, reason: `workflow "${event.workflow}" completed` };
    case 'schedule':
      return { work: true, reason: 'scheduled sweep' };
    case 'dispatch':
      return { work: true, reason: 'dispatched' };
    case 'pull-request':
      return { work: false, reason: `pull_request ${event.action} starts nothing; CI completion will` };
    case 'review':
      return { work: true, reason: `a review on #${event.number}: changes may be requested` };
    case 'other':
      return { work: false, reason: `${event.name}${event.action ? ` ${event.action}` : ''} is not an agentloop event` };
  }
}
