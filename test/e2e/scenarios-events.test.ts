// Events the forge loses, repeats or reorders ("Never stuck, never twice", item 4), on the embedded forge
// with GitHub's semantics (one running and one pending run per concurrency group, a newer pending run
// replacing the older; workflow_run when CI completes) and with Forgejo's (a FIFO queue per group; no
// workflow_run: the sweep's schedule notices CI). agentloop decides from what it reads, never from the
// event, so every scenario ends the same way: each issue one PR, merged once, oldest request first.
import type { ForgeEvent } from '@agentloop/embedded-forge';
import { eventFaults } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { type Flavor, type Loop, startLoop } from '../support/loop.js';

/**
 * Issues in the burst. 20 is the scenario as specified; `npm test` runs 6 (about 45 s per forge) to keep
 * the suite's wall time reasonable: 20 take 125–160 s per forge on two cores (docs/design-decisions.md,
 * "Events lost, repeated or reordered"). AGENTLOOP_BURST=20 runs the full one.
 */
const BURST = Number(process.env.AGENTLOOP_BURST ?? 6);

const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';
/** Green from the start (add() fixed in the repository), each code run its own file: no conflicts, no fix rounds. */
const FILES = { 'src/add.js': FIXED };
const SCRIPT = { code: { files: { 'src/feature-{{run}}.js': 'export const feature = {{run}};\n' }, summary: 'Feature {{run}}.' } };
const CONFIG = 'auto-merge: true\nmerge-method: squash\nmax-open-prs: 1\n';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

const pulls = () => [...loop.repo.pulls.values()].sort((a, b) => a.number - b.number);
const mergedOrder = () =>
  loop.repo.events
    .filter((e) => e.event === 'merged')
    .map((e) => loop.repo.pulls.get(e.issue)!.head)
    .map((head) => Number(head.replace('agentloop/issue-', '')));

async function openIssues(n: number): Promise<number[]> {
  const numbers: number[] = [];
  for (let i = 0; i < n; i++) numbers.push((await loop.maria.createIssue(`Feature ${i + 1}`, 'Details.', [])).number);
  return numbers;
}
async function label(numbers: number[], name = 'loop/code'): Promise<void> {
  for (const n of numbers) await loop.maria.addLabels(n, [name]);
}

/** The cron, as often as it takes: tick, wait for quiet, until every issue is merged (or `max` ticks). */
async function tickUntilMerged(numbers: number[], max = 3 * numbers.length + 10): Promise<number> {
  let ticks = 0;
  await loop.runner.idle();
  while (!allMerged(numbers) && ticks < max) {
    loop.runner.tickSchedule(loop.repo);
    ticks++;
    await loop.runner.idle();
  }
  if (!allMerged(numbers))
    throw new Error(
      `not every issue merged after ${ticks} schedule ticks:\n${numbers.map((n) => `#${n}: ${loop.labelsOf(n).join(', ')}`).join('\n')}\nthe last runs:\n${loop.runner.runs
        .filter((r) => r.workflow.name.startsWith('agentloop') && r.conclusion !== 'skipped')
        .slice(-12)
        .map((r) => `${r.id} ${r.workflow.name} ${r.event.name} ${r.conclusion}: ${JSON.stringify(r.outputs)}`)
        .join('\n')}`,
    );
  await loop.settle();
  return ticks;
}
const allMerged = (numbers: number[]) =>
  numbers.every((n) => [...loop.repo.pulls.values()].some((p) => p.head === `agentloop/issue-${n}` && p.merged));

/** Each issue: exactly one PR, merged, its issue closed with loop/merge-done; one merge request per PR. */
function expectEachMergedOnce(numbers: number[]): void {
  for (const n of numbers) {
    const mine = pulls().filter((p) => p.head === `agentloop/issue-${n}`);
    expect(mine, `PRs for #${n}`).toHaveLength(1);
    expect(mine[0]!.merged, `#${n} merged`).toBe(true);
    expect(loop.labelsOf(n), `#${n}`).toEqual(['loop/merge-done']);
    expect(loop.issue(n).state).toBe('closed');
  }
  expect(loop.merges()).toHaveLength(numbers.length);
}

describe.each<Flavor>(['github', 'forgejo'])('events on %s', (flavor) => {
  const start = (opts: Parameters<typeof startLoop>[0] = {}) =>
    startLoop({ config: CONFIG, script: SCRIPT, files: FILES, ...opts, flavor });

  it(`a burst of ${BURST} loop/code labels → all merged, one after another, oldest request first`, async () => {
    loop = await start();
    const numbers = await openIssues(BURST);
    const began = Date.now();
    await label(numbers);
    const ticks = await tickUntilMerged(numbers);
    const seconds = (Date.now() - began) / 1000;
    console.log(`[burst] ${flavor}: ${BURST} issues merged in ${seconds.toFixed(1)} s (${ticks} schedule ticks)`);
    expectEachMergedOnce(numbers);
    // max-open-prs 1: each PR opened after the one before was merged, in the order the labels were applied.
    expect(mergedOrder()).toEqual(numbers);
    const opened = pulls().map((p) => loop.issue(p.number).createdAt);
    const merged = loop.repo.events.filter((e) => e.event === 'merged').map((e) => e.createdAt);
    for (let i = 1; i < opened.length; i++) expect(opened[i]! >= merged[i - 1]!, `PR ${i + 1} opened after PR ${i} merged`).toBe(true);
    const code = loop.runner.runs.filter((r) => r.workflow.name === 'agentloop code');
    const replaced = code.filter((r) => r.cancelledByConcurrency);
    if (flavor === 'github') expect(replaced.length, 'pending runs replaced by newer ones').toBeGreaterThan(0);
    else expect(replaced, 'Forgejo queues every run').toEqual([]);
  }, 600_000);

  it('every label event and CI completion delivered twice → one PR and one merge per issue', async () => {
    const twice = (e: ForgeEvent) => (e.name === 'issues' && e.action !== 'opened') || e.name === 'workflow_run';
    loop = await start({ runner: { deliver: eventFaults({ seed: 7, duplicate: 1, match: twice }) } });
    const numbers = await openIssues(3);
    await label(numbers);
    await tickUntilMerged(numbers);
    expectEachMergedOnce(numbers);
    expect(mergedOrder()).toEqual(numbers);
  }, 300_000);

  it('label events delivered newest first (held, then replayed in reverse) → still oldest first, one PR each', async () => {
    // The runner delivers in order; reordering is made here: the label events are held, then emitted again,
    // newest first, each carrying the payload of its moment (as a late delivery does).
    const held: ForgeEvent[] = [];
    let holding = true;
    const hold = (e: ForgeEvent) => {
      if (holding && e.name === 'issues' && e.action !== 'opened') {
        held.push(e);
        return 'drop' as const;
      }
      return 'deliver' as const;
    };
    loop = await start({ runner: { deliver: hold } });
    const numbers = await openIssues(3);
    await label(numbers);
    holding = false;
    expect(held.length).toBeGreaterThanOrEqual(3);
    for (const e of [...held].reverse()) loop.forge.emit(e, loop.repo);
    await tickUntilMerged(numbers);
    expectEachMergedOnce(numbers);
    expect(mergedOrder()).toEqual(numbers);
  }, 300_000);

  it('half the events dropped (seeded) → the sweep repairs: every issue merged once', async () => {
    const events = (e: ForgeEvent) => e.name === 'issues' || e.name === 'workflow_run' || e.name === 'workflow_dispatch';
    loop = await start({ runner: { deliver: eventFaults({ seed: 11, drop: 0.5, match: events }) } });
    const numbers = await openIssues(3);
    await label(numbers);
    await tickUntilMerged(numbers);
    expectEachMergedOnce(numbers);
  }, 300_000);

  it('an outage loses every event while three issues are labelled; one late cron tick, then two in a row → all merged, nothing twice', async () => {
    let down = true;
    loop = await start({ runner: { deliver: (e) => (down && e.name !== 'schedule' ? 'drop' : 'deliver') } });
    const numbers = await openIssues(3);
    await label(numbers);
    await loop.runner.idle();
    expect(loop.runner.runs.filter((r) => r.workflow.name.startsWith('agentloop'))).toEqual([]); // nothing ran
    down = false;
    // The late tick: the first sweep after the quiet finds the work and starts the code lane.
    loop.runner.tickSchedule(loop.repo);
    await loop.runner.idle();
    expect(pulls().length).toBeGreaterThan(0);
    // Twice in a row: two sweeps, each dispatching the code lane; the runs decide from what they read.
    loop.runner.tickSchedule(loop.repo);
    loop.runner.tickSchedule(loop.repo);
    await tickUntilMerged(numbers);
    expectEachMergedOnce(numbers);
    expect(mergedOrder()).toEqual(numbers);
    const sweeps = loop.runner.runs.filter((r) => r.workflow.name === 'agentloop sweep' && r.event.name === 'schedule');
    expect(sweeps.length).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
