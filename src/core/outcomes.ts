// Label changes per transition: claim before the effect, then success or failure after it.
// Changes are applied add-first, so an interrupted change leaves an in-process label, never no state.
import type { LabelChange, LabelKey, LabelNames } from './labels.js';
import type { TransitionKind } from './transition.js';

export interface Outcome {
  claim: LabelChange;
  success: LabelChange;
  failure: LabelChange;
}

const change = (names: LabelNames, add: LabelKey[], remove: LabelKey[]): LabelChange => ({
  add: add.map((k) => names[k]),
  remove: remove.map((k) => names[k]),
});

const NOTHING: LabelChange = { add: [], remove: [] };

export function outcomeOf(kind: TransitionKind, names: LabelNames, opts: { addMerge?: boolean } = {}): Outcome {
  const c = (add: LabelKey[], remove: LabelKey[]) => change(names, add, remove);
  switch (kind) {
    case 'plan':
      return {
        claim: c(['planInProcess'], ['plan']),
        success: c(['planDone'], ['planInProcess']),
        failure: c(['needSupervisor'], ['planInProcess']),
      };
    case 'code':
      return {
        claim: c(['codeInProcess'], ['code']),
        success: c(['codeCiPending'], ['codeInProcess']),
        failure: c(['needSupervisor'], ['codeInProcess']),
      };
    case 'fix-ci':
    case 'address-review':
      return {
        claim: c(['codeInProcess'], ['codeCiPending', 'codeDone']),
        success: c(['codeCiPending'], ['codeInProcess']),
        failure: c(['needSupervisor'], ['codeInProcess']),
      };
    case 'ci-green':
      return { claim: NOTHING, success: c(opts.addMerge ? ['codeDone', 'merge'] : ['codeDone'], ['codeCiPending']), failure: NOTHING };
    case 'escalate':
      return {
        claim: NOTHING,
        success: c(['needSupervisor'], ['codeInProcess', 'mergeInProcess', 'planInProcess', 'breakdownInProcess']),
        failure: NOTHING,
      };
    // The reviewer agent is part of the merge step: its claim keeps code-done and the merge request.
    case 'review':
    case 'rebase':
      return { claim: c(['mergeInProcess'], []), success: c([], ['mergeInProcess']), failure: c(['needSupervisor'], ['mergeInProcess']) };
    case 'merge':
      return {
        claim: c(['mergeInProcess'], []),
        success: c(['mergeDone'], ['mergeInProcess', 'merge', 'codeDone', 'codeCiPending']),
        failure: c(['needSupervisor'], ['mergeInProcess']),
      };
    case 'ci-failure':
      return { claim: NOTHING, success: c(['ciFailure'], []), failure: NOTHING };
    // A new proposal supersedes the old one: breakdown-done comes off with the claim (before the trigger, so
    // a claim cut short never holds it without the trigger); the approval's claim holds breakdown-done. That
    // is how the sweep tells a lost proposal from a lost approval (transitions/sweep.ts).
    case 'breakdown':
      return {
        claim: c(['breakdownInProcess'], ['breakdownDone', 'breakdown']),
        success: c(['breakdownDone'], ['breakdownInProcess']),
        failure: c(['needSupervisor'], ['breakdownInProcess']),
      };
    case 'breakdown-approve':
      return {
        claim: c(['breakdownInProcess', 'breakdownDone'], ['breakdownApprove']),
        success: c(['breakdownDone'], ['breakdownInProcess']),
        failure: c(['needSupervisor'], ['breakdownInProcess']),
      };
    case 'breakdown-decline':
      return { claim: NOTHING, success: c([], ['breakdownApprove']), failure: NOTHING };
    case 'edited':
      // The trigger label is removed too (by name, in the transition): the request no longer stands.
      return { claim: NOTHING, success: c(['needSupervisor'], []), failure: NOTHING };
    default:
      return { claim: NOTHING, success: NOTHING, failure: NOTHING };
  }
}
