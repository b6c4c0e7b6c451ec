// The crash matrix (issue: never stuck, never twice): for every named step of every transition
// (src/core/steps.ts), a loop whose run is killed there (SIGKILL, as a dying runner) — then at most two
// sweeps, and the item is done or with NeedSupervisor, with the invariants (docs/invariants.md) checked
// after every run and at rest. Generated from the step list: a new step is a new case, a new transition a
// compile error here until it has a scenario.
import { git } from '@agentloop/embedded-forge';
import { expect, it } from 'vitest';
import { type StepTransition, TRANSITION_STEPS } from '../../src/core/steps.js';
import { SAMPLE_BREAKDOWN, SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Flavor, type Loop, type LoopOptions, startLoop } from './loop.js';

const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';
const RENAMED = '// Adds two numbers (numeric strings too).\nexport const add = (left, right) => Number(left) + Number(right);\n';

interface Scenario {
  options?: Partial<LoopOptions>;
  /** Crashes that happen first (the sweep's own steps need a lost run to repair). */
  before?: string[];
  /** Starts the work; returns the item whose end is checked. */
  start(loop: Loop): Promise<number>;
  /** The item's work is finished. */
  done(loop: Loop, n: number): boolean;
  /** Where a step is reached on a forge, when another transition takes that step there. */
  pointOn?: Partial<Record<Flavor, (step: string) => string>>;
}

async function issueWith(loop: Loop, label: string): Promise<number> {
  const issue = await loop.maria.createIssue('add() subtracts', 'It should add.', []);
  await loop.maria.addLabels(issue.number, [label]);
  return issue.number;
}

async function pushToMain(loop: Loop, files: Record<string, string>, message: string): Promise<void> {
  const before = (await git.revParse(loop.repo.gitDir, 'main'))!;
  const after = await git.commitFiles(loop.repo.gitDir, 'main', files, message);
  await loop.forge.afterPush(
    loop.repo,
    [{ ref: 'refs/heads/main', before, after }],
    loop.forge.state.tokens.get(loop.forge.token('maria')),
  );
}

const mergedAndClosed = (loop: Loop, n: number) =>
  loop.issue(n).state === 'closed' && [...loop.repo.pulls.values()].some((p) => p.head === `agentloop/issue-${n}` && p.merged);

/** The sample's children of #n, each created exactly once (the invariants flag a second copy). */
const childrenCreated = (loop: Loop, n: number) =>
  loop.labelsOf(n).includes('loop/breakdown-done') &&
  loop.repo.issues.filter((i) => i.body.includes(`<!-- agentloop:breakdown-of #${n} `)).length === SAMPLE_BREAKDOWN.length;

// plan → code → red CI → fix → green → auto-merge: passes plan, code, fix-ci, ci-green and merge.
const wholeLoop: Scenario = { start: (loop) => issueWith(loop, 'loop/code'), done: mergedAndClosed };

export const SCENARIOS: Record<StepTransition, Scenario> = {
  plan: {
    start: (loop) => issueWith(loop, 'loop/plan'),
    done: (loop, n) => loop.labelsOf(n).includes('loop/plan-done') && loop.comments(n, '<!-- agentloop:plan -->').length === 1,
  },
  code: wholeLoop,
  'fix-ci': wholeLoop,
  'ci-green': wholeLoop,
  merge: wholeLoop,
  rebase: {
    options: {
      config: 'auto-merge: false\n',
      script: { ...SAMPLE_SCRIPT, code: { files: { 'src/add.js': FIXED } }, rebase: { resolve: 'theirs' } },
    },
    async start(loop) {
      const n = await issueWith(loop, 'loop/code');
      await loop.settle();
      await pushToMain(loop, { 'src/add.js': '// Adds.\nexport const add = (a, b) => +a + +b;\n' }, 'A maintainer fixes it differently');
      await loop.maria.addLabels(n, ['loop/merge']);
      return n;
    },
    done: mergedAndClosed,
  },
  'ci-failure': {
    async start(loop) {
      await pushToMain(
        loop,
        { 'test.js': "import assert from 'node:assert/strict';\nassert.equal(1, 2, 'one is not two');\n" },
        'break the build',
      );
      return 0;
    },
    done: (loop) => loop.repo.issues.filter((i) => i.state === 'open' && loop.labelsOf(i.number).includes('ci-failure')).length === 1,
    // No workflow_run event on Forgejo: the sweep sees the red run and opens the issue (docs/forgejo.md).
    pointOn: { forgejo: (step) => `sweep/${step}` },
  },
  sweep: { ...wholeLoop, before: ['code/claimed'] },
  // A writer's request for changes on the green PR, and the merge asked for: answered, green again, merged.
  'address-review': {
    options: {
      config: 'auto-merge: false\n',
      script: { ...SAMPLE_SCRIPT, code: { files: { 'src/add.js': FIXED } }, 'address-review': [{ files: { 'src/add.js': RENAMED } }] },
    },
    async start(loop) {
      const n = await issueWith(loop, 'loop/code');
      await loop.settle();
      const pr = [...loop.repo.pulls.values()].find((p) => p.head === `agentloop/issue-${n}`)!;
      await loop.maria.createReview(pr.number, {
        event: 'request_changes',
        body: 'Better names, please.',
        commitSha: pr.headSha,
        comments: [{ path: 'src/add.js', line: 2, body: 'Name them left and right.' }],
      });
      await loop.maria.addLabels(n, ['loop/merge']);
      return n;
    },
    done: mergedAndClosed,
  },
  // The reviewer agent approves the green PR before auto-merge merges it.
  review: {
    options: {
      config: 'auto-merge: true\nreview: agent\n',
      script: { ...SAMPLE_SCRIPT, code: { files: { 'src/add.js': FIXED } }, review: [{ verdict: 'approve', summary: 'Fine.' }] },
    },
    start: (loop) => issueWith(loop, 'loop/code'),
    done: mergedAndClosed,
  },
  breakdown: {
    start: (loop) => issueWith(loop, 'loop/breakdown'),
    done: (loop, n) =>
      loop.labelsOf(n).includes('loop/breakdown-done') && loop.comments(n, '<!-- agentloop:breakdown-proposal -->').length === 1,
  },
  'breakdown-approve': {
    async start(loop) {
      const n = await issueWith(loop, 'loop/breakdown');
      await loop.settle();
      await loop.maria.addLabels(n, ['loop/breakdown-approve']);
      return n;
    },
    done: childrenCreated,
  },
};

/** The matrix in two files (vitest runs them side by side); the type below fails to compile if a transition is in neither. */
export const PARTS = {
  lanes: ['plan', 'code', 'fix-ci', 'ci-green', 'breakdown', 'breakdown-approve'],
  merge: ['merge', 'rebase', 'ci-failure', 'sweep', 'address-review', 'review'],
} as const satisfies Record<string, readonly StepTransition[]>;
type Uncovered = Exclude<StepTransition, (typeof PARTS)[keyof typeof PARTS][number]>;
export const EVERY_TRANSITION_COVERED: [Uncovered] extends [never] ? true : never = true;

/** The crash points the runner's agentloop steps get, one after the other, each until a run died there. */
function crashPlan(points: string[], runs: () => Loop['runner']['runs']) {
  const fired = (point: string) =>
    runs().some((r) => r.jobs.some((j) => j.log.includes(`crash point: ${point}\n`) || j.log.includes(`crash point: ${point}\r`)));
  return {
    env: () => {
      const next = points.find((p) => !fired(p));
      return next ? { AGENTLOOP_CRASH_AT: next } : undefined;
    },
    unfired: () => points.filter((p) => !fired(p)),
  };
}

const holds = (loop: Loop, n: number) => n > 0 && loop.labelsOf(n).includes('NeedSupervisor');
/** At rest: no run's claim left behind on the item (a claim the run never released is not an end). */
const unclaimed = (loop: Loop, n: number) => n === 0 || !loop.labelsOf(n).some((l) => l.endsWith('-in-process'));

/** One `it` per step of each transition. */
export function crashCases(flavor: Flavor, transitions: readonly StepTransition[], state: { loop?: Loop }): void {
  for (const transition of transitions) {
    const sc = SCENARIOS[transition];
    for (const step of TRANSITION_STEPS[transition]) {
      const point = sc.pointOn?.[flavor]?.(step) ?? `${transition}/${step}`;
      it(`killed at ${point} → consistent, then done or NeedSupervisor within two sweeps`, async () => {
        const points = [...(sc.before ?? []), point];
        let loop: Loop | undefined;
        const plan = crashPlan(points, () => loop?.runner.runs ?? []);
        loop = await startLoop({ flavor, ...sc.options, runner: { agentloopEnv: plan.env } });
        state.loop = loop;
        const n = await sc.start(loop);
        await loop.settle();
        let sweeps = 0;
        const ended = () => unclaimed(loop, n) && (sc.done(loop, n) || holds(loop, n));
        while (!ended() && sweeps < 2) {
          loop.runner.tickSchedule(loop.repo);
          await loop.settle();
          sweeps++;
        }
        // CRASH_DEBUG=1: each run's decision, steps and repairs, to see where a case went wrong.
        if (process.env.CRASH_DEBUG)
          for (const r of loop.runner.runs)
            console.log(
              `run ${r.id} ${r.workflow.name} ${r.outputs.transition ?? ''}\n${r.jobs
                .map((j) => j.log)
                .join('\n')
                .split('\n')
                .filter((l) => /step:|decision|crash|requeue|sweep:|error|warning/i.test(l))
                .slice(0, 30)
                .join('\n')}`,
            );
        expect(plan.unfired(), 'crash points the run never reached').toEqual([]);
        const end = !ended() ? `stuck with ${loop.labelsOf(n).join(', ') || 'no labels'}` : sc.done(loop, n) ? 'done' : 'NeedSupervisor';
        expect(['done', 'NeedSupervisor']).toContain(end);
        // Recorded for the note and docs: which points end in a human's hands.
        console.log(`crash-matrix ${flavor} ${point}: ${end} after ${sweeps} sweep(s)`);
      });
    }
  }
}
