// The label catalog: labels are agentloop's whole state store (DESIGN §2).

export const LABEL_KEYS = [
  'plan',
  'planInProcess',
  'planDone',
  'code',
  'codeInProcess',
  'codeCiPending',
  'codeDone',
  'merge',
  'mergeInProcess',
  'mergeDone',
  'needSupervisor',
  'automerge',
  'doNotMerge',
  'ciFailure',
  'dashboard',
  'breakdown',
  'breakdownInProcess',
  'breakdownDone',
  'breakdownApprove',
] as const;

export type LabelKey = (typeof LABEL_KEYS)[number];
export type LabelNames = Record<LabelKey, string>;

export interface LabelSpec {
  key: LabelKey;
  name: string;
  color: string;
  description: string;
}

const PREFIXED: Record<LabelKey, string | null> = {
  plan: 'plan',
  planInProcess: 'plan-in-process',
  planDone: 'plan-done',
  code: 'code',
  codeInProcess: 'code-in-process',
  codeCiPending: 'code-ci-pending',
  codeDone: 'code-done',
  merge: 'merge',
  mergeInProcess: 'merge-in-process',
  mergeDone: 'merge-done',
  // Shared with humans and other tools, so never prefixed.
  needSupervisor: null,
  automerge: null,
  doNotMerge: null,
  ciFailure: null,
  dashboard: 'dashboard',
  breakdown: 'breakdown',
  breakdownInProcess: 'breakdown-in-process',
  breakdownDone: 'breakdown-done',
  breakdownApprove: 'breakdown-approve',
};

const UNPREFIXED: Partial<Record<LabelKey, string>> = {
  needSupervisor: 'NeedSupervisor',
  automerge: 'automerge',
  doNotMerge: 'do-not-merge',
  ciFailure: 'ci-failure',
};

const META: Record<LabelKey, { color: string; description: string }> = {
  plan: { color: '1d76db', description: 'agentloop: write a plan for this issue' },
  planInProcess: { color: 'fbca04', description: 'agentloop: a plan run owns this issue' },
  planDone: { color: '0e8a16', description: 'agentloop: plan posted' },
  code: { color: '1d76db', description: 'agentloop: implement this issue and open a PR' },
  codeInProcess: { color: 'fbca04', description: 'agentloop: a code or fix run owns this issue' },
  codeCiPending: { color: 'c5def5', description: 'agentloop: PR open, waiting for CI' },
  codeDone: { color: '0e8a16', description: 'agentloop: PR is green' },
  merge: { color: '5319e7', description: 'agentloop: merge the PR once green' },
  mergeInProcess: { color: 'fbca04', description: 'agentloop: a merge or rebase run owns this' },
  mergeDone: { color: '0e8a16', description: 'agentloop: merged' },
  needSupervisor: { color: 'b60205', description: 'agentloop stopped here: a human must look, then remove this label' },
  automerge: { color: '5319e7', description: 'merge this PR when CI is green' },
  doNotMerge: { color: 'b60205', description: 'never merge, whatever else says so' },
  ciFailure: { color: 'd93f0b', description: 'a workflow on the default branch is red' },
  dashboard: { color: 'ededed', description: 'agentloop: the dashboard issue the sweep keeps up to date' },
  breakdown: { color: '1d76db', description: 'agentloop: propose child issues for this spec' },
  breakdownInProcess: { color: 'fbca04', description: 'agentloop: a breakdown run owns this issue' },
  breakdownDone: { color: '0e8a16', description: 'agentloop: child issues proposed (created once approved)' },
  breakdownApprove: { color: '5319e7', description: 'agentloop: create the proposed child issues' },
};

export function labelNames(prefix: string, overrides: Partial<LabelNames> = {}): LabelNames {
  const names = {} as LabelNames;
  for (const key of LABEL_KEYS) {
    const suffix = PREFIXED[key];
    names[key] = overrides[key] ?? (suffix === null ? UNPREFIXED[key]! : `${prefix}${suffix}`);
  }
  return names;
}

export function labelCatalog(names: LabelNames): LabelSpec[] {
  return LABEL_KEYS.map((key) => ({ key, name: names[key], ...META[key] }));
}

/** Which catalog key a label name is, if any (names compare case-insensitively, as on both forges). */
export function keyOfLabel(names: LabelNames, label: string): LabelKey | undefined {
  const wanted = label.toLowerCase();
  return LABEL_KEYS.find((key) => names[key].toLowerCase() === wanted);
}

export function hasLabel(labels: readonly string[], name: string): boolean {
  const wanted = name.toLowerCase();
  return labels.some((l) => l.toLowerCase() === wanted);
}

/** The label changes of one transition: applied as a single set where the forge allows. */
export interface LabelChange {
  add: string[];
  remove: string[];
}

export function applyLabelChange(labels: readonly string[], change: LabelChange): string[] {
  const removed = new Set(change.remove.map((l) => l.toLowerCase()));
  const kept = labels.filter((l) => !removed.has(l.toLowerCase()));
  for (const add of change.add) if (!hasLabel(kept, add)) kept.push(add);
  return kept;
}

/** Labels a trigger can be applied as: the ones a human sets to start work. */
export const TRIGGER_KEYS = ['plan', 'code', 'merge', 'automerge', 'breakdown', 'breakdownApprove'] as const satisfies readonly LabelKey[];
export type TriggerKey = (typeof TRIGGER_KEYS)[number];
