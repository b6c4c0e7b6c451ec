// Throughput a user can plan with: the whole loop as workflow runs on the embedded forge (dist/index.js
// under the workflow runner, chained runs and CI events as on GitHub; test/support/loop.ts), an instant
// agent (the scripted one) and an instant, green CI. First `plans` issues labeled loop/plan at once, then
// `issues` issues labeled loop/code at once, each carried to a merged PR and a closed issue. agentloop's
// requests (its two logins) per plan and per merged issue are counted from the forge's log; the workflow
// token's 1,000 requests an hour divided by them is how many an hour that budget carries. The counts are
// stable (the same runs on every machine); wall times are reported, never checked.
import { labelCatalog, labelNames } from '../src/core/labels.js';
import { type Flavor, startLoop } from '../test/support/loop.js';

/** The workflow token's budget: 1,000 requests an hour per repository (GitHub's GITHUB_TOKEN). */
export const HOURLY_REQUESTS = 1000;
const SELF = new Set(['agentloop-bot', 'github-actions[bot]']);

export interface Throughput {
  flavor: Flavor;
  /** Issues labeled loop/code at once; how many ended merged with their issue closed. */
  issues: number;
  merged: number;
  /** agentloop's requests from the first loop/code label to the last merge, all runs (idle ones too). */
  codeRequests: number;
  perIssue: number;
  issuesPerHour: number;
  /** Plans asked for at once; how many were posted. */
  plans: number;
  planned: number;
  planRequests: number;
  perPlan: number;
  plansPerHour: number;
  /** agentloop runs that decided something (a transition or "none"), by transition, in the code phase. */
  codeRuns: Record<string, number>;
  codeWallMs: number;
  planWallMs: number;
}

/** Each code run adds its own module: no two PRs touch the same file, CI (test.js) passes at once. */
const SCRIPT = {
  plan: '### Summary\nAdd the feature in its own module.\n\n### Steps\n1. Write `src/feature-N.js`.\n',
  code: { files: { 'src/feature-{{run}}.js': 'export const feature = {{run}};\n' }, summary: 'Feature {{run}} in its own module.' },
};

export async function loopThroughput(opts: { issues: number; plans: number; flavor?: Flavor }): Promise<Throughput> {
  const flavor = opts.flavor ?? 'github';
  const loop = await startLoop({ flavor, script: SCRIPT, files: { 'test.js': "console.log('tests pass');\n" } });
  try {
    // The labels exist (agentloop init creates them): a steady hour's cost, not the first run's.
    for (const l of labelCatalog(labelNames('loop/')))
      await loop.maria.createLabel({ name: l.name, color: l.color, description: l.description });
    const ours = () => loop.forge.requests.filter((r) => SELF.has(r.login ?? '')).length;

    // 10 plans asked for at once: one plan-lane run each, side by side.
    const planStart = ours();
    let t0 = performance.now();
    const planIssues: number[] = [];
    for (let i = 1; i <= opts.plans; i++) planIssues.push((await loop.maria.createIssue(`Idea ${i}`, `Plan idea ${i}.`, [])).number);
    for (const n of planIssues) await loop.maria.addLabels(n, ['loop/plan']);
    await loop.settle();
    const planWallMs = performance.now() - t0;
    const planRequests = ours() - planStart;
    const planned = planIssues.filter((n) => loop.labelsOf(n).includes('loop/plan-done')).length;

    // Issues labeled loop/code at once, carried to merged one after another (max-open-prs 1, auto-merge).
    const codeStart = ours();
    const runsBefore = loop.runner.runs.length;
    t0 = performance.now();
    const codeIssues: number[] = [];
    for (let i = 1; i <= opts.issues; i++) codeIssues.push((await loop.maria.createIssue(`Feature ${i}`, `Add feature ${i}.`, [])).number);
    for (const n of codeIssues) await loop.maria.addLabels(n, ['loop/code']);
    await loop.settle();
    const codeWallMs = performance.now() - t0;
    const codeRequests = ours() - codeStart;
    const merged = codeIssues.filter(
      (n) => loop.issue(n).state === 'closed' && [...loop.repo.pulls.values()].some((p) => p.head === `agentloop/issue-${n}` && p.merged),
    ).length;
    const codeRuns: Record<string, number> = {};
    for (const run of loop.runner.runs.slice(runsBefore)) {
      const t = run.outputs.transition;
      if (t) codeRuns[t] = (codeRuns[t] ?? 0) + 1;
    }
    const perIssue = merged ? codeRequests / merged : Number.POSITIVE_INFINITY;
    const perPlan = planned ? planRequests / planned : Number.POSITIVE_INFINITY;
    return {
      flavor,
      issues: opts.issues,
      merged,
      codeRequests,
      perIssue,
      issuesPerHour: Math.floor(HOURLY_REQUESTS / perIssue),
      plans: opts.plans,
      planned,
      planRequests,
      perPlan,
      plansPerHour: Math.floor(HOURLY_REQUESTS / perPlan),
      codeRuns,
      codeWallMs: Math.round(codeWallMs),
      planWallMs: Math.round(planWallMs),
    };
  } finally {
    await loop.stop();
  }
}

/**
 * The quick mode's estimate, from the walk's runs alone (scripts/bench-requests.ts): an issue costs its
 * code, ci-green and merge runs, a plan its plan run. It leaves out the runs that find nothing to do (a
 * chained run while CI runs, the CI event's run after the chain moved on), so it is a ceiling on what the
 * loop carries.
 */
export function throughputFromWalk(
  walk: { step: string; requests: number }[],
): Pick<Throughput, 'perIssue' | 'issuesPerHour' | 'perPlan' | 'plansPerHour'> {
  const of = (step: string) => walk.find((w) => w.step === step)?.requests ?? Number.NaN;
  const perIssue = of('code') + of('ci-green') + of('merge');
  const perPlan = of('plan');
  return { perIssue, issuesPerHour: Math.floor(HOURLY_REQUESTS / perIssue), perPlan, plansPerHour: Math.floor(HOURLY_REQUESTS / perPlan) };
}
