// The named steps inside each transition: the points where a run can die and leave the loop half-way
// (a runner lost, a job cancelled, a SIGKILL). A run logs each step as it passes it, and the crash matrix
// (test/e2e/crash-matrix*.test.ts) kills a run at every step listed here and checks the loop recovers,
// so a new step is covered by adding it to this list.
//
// `labels-partial#k`: in the middle of the run's k-th label write that takes more than one request
// (some labels added, others not yet removed).

export const TRANSITION_STEPS = {
  plan: ['owner-written', 'labels-partial#1', 'claimed', 'agent-done', 'plan-posted', 'labels-partial#2', 'outcome-labels'],
  code: ['owner-written', 'labels-partial#1', 'claimed', 'agent-done', 'pushed', 'pr-opened', 'labels-partial#2', 'outcome-labels'],
  'fix-ci': ['owner-written', 'labels-partial#1', 'claimed', 'agent-done', 'pushed', 'labels-partial#2', 'outcome-labels'],
  'ci-green': ['labels-partial#1', 'outcome-labels'],
  rebase: ['owner-written', 'claimed', 'rebased', 'pushed', 'outcome-labels'],
  merge: ['owner-written', 'claimed', 'before-merge', 'merged', 'issue-closed', 'labels-partial#1', 'outcome-labels'],
  'ci-failure': ['issue-opened'],
  sweep: ['labels-partial#1', 'repaired'],
  'address-review': ['owner-written', 'labels-partial#1', 'claimed', 'agent-done', 'pushed', 'labels-partial#2', 'outcome-labels'],
  review: ['owner-written', 'claimed', 'agent-done', 'review-posted', 'outcome-labels'],
  breakdown: ['owner-written', 'labels-partial#1', 'claimed', 'agent-done', 'proposal-posted', 'labels-partial#2', 'outcome-labels'],
  // child-created: the first child exists, not yet recorded in the proposal (the next run must find it).
  'breakdown-approve': [
    'owner-written',
    'labels-partial#1',
    'claimed',
    'creation-started',
    'child-created',
    'child-recorded',
    'outcome-labels',
  ],
} as const;

export type StepTransition = keyof typeof TRANSITION_STEPS;
type Listed = (typeof TRANSITION_STEPS)[StepTransition][number];
type WithoutOccurrence<S> = S extends `${infer Base}#${number}` ? Base : S;
/** A step name as the code reaches it (`labels-partial`, without its occurrence). */
export type StepName = WithoutOccurrence<Listed>;

/** `<transition>/<step>` as logged and as AGENTLOOP_CRASH_AT names it; `#k` for the k-th time a run reaches it. */
export function stepId(transition: string, step: string, occurrence: number): string {
  return occurrence > 1 || step === 'labels-partial' ? `${transition}/${step}#${occurrence}` : `${transition}/${step}`;
}

/** Every `<transition>/<step>` of the matrix. */
export function allSteps(): string[] {
  return Object.entries(TRANSITION_STEPS).flatMap(([t, steps]) => steps.map((s) => `${t}/${s}`));
}
