// `npm run bench [-- --quick]`: every figure of docs/performance.md in one run, side by side, written as
// JSON (.tmp/bench-results.json, or BENCH_OUT) and checked against the request budgets
// (scripts/bench-budgets.ts): the process exits 1 when a request count is over its budget. Wall times
// are reported, never checked. --quick (.ci/run) leaves out the start-up timings' repetitions, the plan
// runs as child processes, the whole-loop demo, the loop's throughput (estimated from the walk instead)
// and the largest backlog. BENCH_CPU_PROF=dir also writes a CPU profile of a no-op and a heavy-path run
// there (node --cpu-prof, the bench's environment), for docs/performance.md's start-up analysis.
// BENCH_BASELINE=path/to/other/dist/index.js times that build's no-op and heavy runs in the same rounds:
// a before/after on one machine in the same minutes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EmbeddedForge } from '@agentloop/embedded-forge';
import { runDemo } from '../src/demo/demo.js';
import { SAMPLE_ISSUE } from '../src/demo/sample.js';
import setupAgentReach from '../test/support/agent-reachable.js';
import {
  BACKLOG,
  type BenchForge,
  budgetOf,
  EXTRA,
  FACTOR,
  HEAVY_PATH_KIB,
  itemListBound,
  MINIMUM,
  minimumOf,
  SCALE,
  total,
} from './bench-budgets.js';
import { type RunFigure, walkTransitions } from './bench-requests.js';
import { type ScaleFigure, sweepAtScale } from './bench-scale.js';
import { HOURLY_REQUESTS, loopThroughput, type Throughput, throughputFromWalk } from './bench-throughput.js';

const QUICK = process.argv.includes('--quick');
// Agents run as their own OS users: a checkout inside a 0700 directory must let them in (as the e2e setup does).
setupAgentReach();
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 15));
const OUT = resolve(process.env.BENCH_OUT ?? '.tmp/bench-results.json');
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const root = resolve('.');
const started = performance.now();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One child process's wall time (ms). Async on purpose: the embedded forge answers from this same process. */
async function timeOnce(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}): ${out}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timeNode(args: string[], env: NodeJS.ProcessEnv, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeOnce(args, env));
  return median(times);
}

/**
 * Each case's wall times and requests per run (`count`: the forge's request log length), the cases taken
 * in turn so a busy moment of the machine falls on all of them alike.
 */
async function timeInTurn(cases: Record<string, { args: string[]; env: NodeJS.ProcessEnv }>, runs: number, count: () => number) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const requests: Record<string, number> = Object.fromEntries(Object.keys(cases).map((k) => [k, 0]));
  for (let i = 0; i < runs; i++)
    for (const [k, c] of Object.entries(cases)) {
      const before = count();
      samples[k]!.push(await timeOnce(c.args, c.env));
      requests[k]! += count() - before;
    }
  for (const k of Object.keys(requests)) requests[k]! /= runs;
  return { samples, requests };
}

/**
 * What a start reads: the file and, through their static imports, its chunks; with `dynamic`, also what
 * the file loads with import() (index.js: the heavy path) and its chunks. Files and KiB.
 */
function loaded(file: string, dynamic = false, seen = new Set<string>()): { files: number; kib: number } {
  if (!seen.has(file)) {
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*|\bimport\()"(\.\.?\/[^"]+\.js)"/g))
      if (!m[0].startsWith('import(') || dynamic) loaded(join(dirname(file), m[1]!), false, seen);
  }
  const files = [...seen];
  return { files: files.length, kib: files.reduce((sum, f) => sum + statSync(f).size, 0) / 1024 };
}

/**
 * A run's ratio to bare node: the medians' ratio, and the spread of the ratios within each round (the
 * cases of a round ran back to back): quartiles, or the extremes under 8 rounds. It shows the noise.
 */
function spread(xs: number[], bare: number[]) {
  const perRound = xs.map((x, i) => x / bare[i]!).sort((a, b) => a - b);
  const at = (p: number) => perRound[Math.round((perRound.length - 1) * p)]!;
  const [low, high] = perRound.length >= 8 ? [at(0.25), at(0.75)] : [at(0), at(1)];
  return { ratio: median(xs) / median(bare), low, high };
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return sum + (st.isDirectory() ? dirSize(p) : st.size);
  }, 0);
}

/** The agent's output goes to stdout in a run; in the bench it would bury the table. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

const routesOf = (reqs: { method: string; path: string }[]) =>
  reqs.reduce<Record<string, number>>((acc, r) => {
    const key = `${r.method} ${r.path
      .replace(/\/\d+/g, '/{n}')
      .replace(/\/labels\/.+$/, '/labels/{name}')
      .replace(/contents\/.+$/, 'contents/{path}')}`;
    acc[key] = (acc[key] ?? 0) + 1;
    return acc;
  }, {});

// ---- 1. start-up and plan runs as child processes (dist/index.js, as a workflow step runs it) ----

async function childRuns() {
  const tmp = mkdtempSync(join(tmpdir(), 'agentloop-bench-'));
  const forge = new EmbeddedForge({ root: tmp });
  await forge.start();
  try {
    const repo = await forge.createRepo('acme', 'widget', { 'README.md': '# widget\n' });
    forge.addCollaborator(repo, 'maria', 'write');
    const token = forge.token('github-actions[bot]', true);
    const eventFile = (name: string, payload: unknown) => {
      const p = join(tmp, `${name}.json`);
      writeFileSync(p, JSON.stringify(payload));
      return p;
    };
    const baseEnv = {
      PATH: process.env.PATH,
      HOME: tmp,
      GITHUB_REPOSITORY: 'acme/widget',
      GITHUB_API_URL: forge.urls.api,
      GITHUB_SERVER_URL: forge.urls.web,
      GITHUB_WORKSPACE: tmp,
      RUNNER_TEMP: tmp,
      INPUT_TOKEN: token,
      // action.yml's default: the workflow's own token, so agentloop knows it acts as github-actions[bot].
      'INPUT_WORKFLOW-TOKEN': token,
      INPUT_LANE: 'plan',
      'INPUT_AGENT-COMMAND': `node ${join(root, 'test/fixtures/agents/planner.mjs')}`,
    };
    const issue = (number: number, title: string, labels: string[], body = '') => {
      const at = forge.state.now();
      repo.issues.push({
        id: forge.state.id(),
        number,
        title,
        body,
        state: 'open',
        stateReason: null,
        labels,
        user: 'maria',
        createdAt: at,
        updatedAt: at,
        closedAt: null,
        isPull: false,
      });
      return at;
    };

    // A no-op run (an unrelated label) and the heavy path alone (a run that loads the forge client and
    // decides "nothing to do": the plan is already posted), each against a bare node start, in turn.
    issue(99, 'Done', ['loop/plan-done']);
    const action = [join(root, 'dist/index.js')];
    const noopEnv = {
      ...baseEnv,
      GITHUB_EVENT_NAME: 'issues',
      GITHUB_EVENT_PATH: eventFile('noop', {
        action: 'labeled',
        issue: { number: 1 },
        label: { name: 'bug' },
        sender: { login: 'maria', type: 'User' },
      }),
    };
    const heavyEnv = {
      ...baseEnv,
      GITHUB_EVENT_NAME: 'issues',
      GITHUB_EVENT_PATH: eventFile('heavy', {
        action: 'labeled',
        issue: { number: 99 },
        label: { name: 'loop/plan' },
        sender: { login: 'maria', type: 'User' },
        repository: { default_branch: 'main' },
      }),
    };
    // The floor: the chosen stack alone (scripts/bench-floor/stack.ts, bundled as the heavy path is), then
    // with a run's 3 requests through it, and 3 requests with Node's fetch alone or node:http alone.
    const floorDir = join(tmp, 'floor');
    execFileSync(process.execPath, [join(root, 'scripts/bench-floor/build.mjs'), floorDir], { cwd: root });
    const stack = [join(floorDir, 'stack.mjs')];
    const probe = [join(root, 'scripts/bench-floor/fetch.mjs')];
    const floorEnv = { PATH: baseEnv.PATH, HOME: tmp, FLOOR_URL: forge.urls.api, FLOOR_TOKEN: token, FLOOR_REQUESTS: '3' };
    const { samples, requests } = await timeInTurn(
      {
        bare: { args: ['-e', '0'], env: baseEnv },
        noop: { args: action, env: noopEnv },
        heavy: { args: action, env: heavyEnv },
        stack: { args: stack, env: { PATH: baseEnv.PATH, HOME: tmp } },
        stackRequests: { args: stack, env: floorEnv },
        fetch: { args: probe, env: floorEnv },
        fetchLiftoff: { args: probe, env: { ...floorEnv, FLOOR_LIFTOFF: '1' } },
        http: { args: probe, env: { ...floorEnv, FLOOR_HTTP: '1' } },
        ...(BASELINE ? { baselineNoop: { args: [BASELINE], env: noopEnv }, baselineHeavy: { args: [BASELINE], env: heavyEnv } } : {}),
      },
      RUNS,
      () => forge.requests.length,
    );
    const [noopRequests, heavyRequests] = [requests.noop!, requests.heavy!];
    if (process.env.BENCH_CPU_PROF) {
      const dir = resolve(process.env.BENCH_CPU_PROF);
      for (const [name, env] of [
        ['noop', noopEnv],
        ['heavy', heavyEnv],
      ] as const)
        await timeOnce(['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`, ...action], env);
    }
    const [bare, noop, heavy] = [median(samples.bare!), median(samples.noop!), median(samples.heavy!)];

    // Plan runs: requests per run and wall time (the first run creates the labels).
    const planMs: number[] = [];
    const planRequests: number[] = [];
    let planRoutes: Record<string, number> = {};
    for (let i = 0; i < (QUICK ? 0 : 5); i++) {
      const number = forge.state.nextNumber(repo);
      const at = issue(number, `Issue ${i}`, ['loop/plan'], 'Make add() add.');
      repo.events.push({ id: forge.state.id(), issue: number, event: 'labeled', label: 'loop/plan', actor: 'maria', createdAt: at });
      const start = forge.requests.length;
      planMs.push(
        await timeNode(
          [join(root, 'dist/index.js')],
          {
            ...baseEnv,
            GITHUB_EVENT_NAME: 'issues',
            GITHUB_RUN_ID: String(1000 + i),
            GITHUB_EVENT_PATH: eventFile(`plan-${i}`, {
              action: 'labeled',
              issue: { number, updated_at: at },
              label: { name: 'loop/plan' },
              sender: { login: 'maria', type: 'User' },
              repository: { default_branch: 'main' },
            }),
          },
          1,
        ),
      );
      planRequests.push(forge.requests.length - start);
      if (i === 1) planRoutes = routesOf(forge.requests.slice(start));
    }
    return {
      startup: {
        runs: RUNS,
        bareMs: bare,
        noopMs: noop,
        noopRatio: noop / bare,
        /** The ratio from the first and the third quartiles: how noisy the machine was. */
        noopSpread: spread(samples.noop!, samples.bare!),
        noopRequests,
        heavyMs: heavy,
        heavyRatio: heavy / bare,
        heavySpread: spread(samples.heavy!, samples.bare!),
        heavyRequests,
        /** The floor under the heavy path: the stack alone, and the cost of a run's first requests. */
        floor: {
          stack: spread(samples.stack!, samples.bare!),
          stackKiB: statSync(stack[0]!).size / 1024,
          stackWithRequests: spread(samples.stackRequests!, samples.bare!),
          nodeFetch: spread(samples.fetch!, samples.bare!),
          nodeFetchLiftoff: spread(samples.fetchLiftoff!, samples.bare!),
          nodeHttp: spread(samples.http!, samples.bare!),
          requests: { stackWithRequests: requests.stackRequests!, nodeFetch: requests.fetch!, nodeHttp: requests.http! },
        },
        samples,
        /** What a start reads: the no-op run dist/index.js and its static imports; the heavy path its import() too (GitHub). */
        noopLoads: loaded(join(root, 'dist/index.js')),
        heavyLoads: loaded(join(root, 'dist/index.js'), true),
        baseline: BASELINE
          ? {
              path: BASELINE,
              noopSpread: spread(samples.baselineNoop!, samples.bare!),
              heavySpread: spread(samples.baselineHeavy!, samples.bare!),
              noopLoads: loaded(BASELINE),
              heavyLoads: loaded(BASELINE, true),
            }
          : undefined,
      },
      planRuns: planRequests.length ? { requests: planRequests, medianMs: median(planMs), routes: planRoutes } : undefined,
    };
  } finally {
    await forge.stop();
  }
}

// ---- 2. requests per transition, the backlog, the sweep at scale (in-process, counts checked) ----

interface StepRow extends RunFigure {
  forge: BenchForge;
  backlog: number;
  minimum?: number;
  budget?: number;
  extraExplained: number;
}

function rows(forge: BenchForge, backlog: number, figures: RunFigure[]): StepRow[] {
  return figures.map((f) => {
    const minimum = minimumOf(f.step, forge);
    const budget = budgetOf(f.step, forge);
    return {
      ...f,
      forge,
      backlog,
      ...(minimum !== undefined ? { minimum } : {}),
      ...(budget !== undefined ? { budget } : {}),
      extraExplained: total(EXTRA[f.step], forge),
    };
  });
}

const child = await childRuns();
const walks: StepRow[] = [];
for (const forge of ['github', 'forgejo'] as const) walks.push(...rows(forge, 0, await quietly(() => walkTransitions({ flavor: forge }))));
const backlogSize = QUICK ? BACKLOG.quick : BACKLOG.full;
const backlogs: StepRow[] = [];
for (const forge of QUICK ? (['github'] as const) : (['github', 'forgejo'] as const))
  backlogs.push(...rows(forge, backlogSize, await quietly(() => walkTransitions({ flavor: forge, backlog: backlogSize }))));
const scale: ScaleFigure[] = [];
for (const forge of ['github', 'forgejo'] as const) scale.push(await quietly(() => sweepAtScale({ flavor: forge, ...SCALE })));

// ---- throughput: the whole loop as workflow runs (full mode), or estimated from the walk (quick) ----

const THROUGHPUT = { issues: 5, plans: 10 };
const fromWalk = throughputFromWalk(walks.filter((w) => w.forge === 'github'));
const throughput: (Throughput & { method: 'loop' }) | (typeof fromWalk & { method: 'walk' }) = QUICK
  ? { method: 'walk', ...fromWalk }
  : { method: 'loop', ...(await quietly(() => loopThroughput({ flavor: 'github', ...THROUGHPUT }))) };

// ---- 3. the whole loop (the demo, full mode only) and the bundle ----

let demo: { wallMs: number; runs: number; agentRuns: number; merged: boolean; perTransition: Record<string, number[]> } | undefined;
if (!QUICK) {
  const result = await runDemo({ agent: 'command', issue: SAMPLE_ISSUE, ciCommand: 'node test.js', keep: false, out: () => {} });
  const perTransition: Record<string, number[]> = {};
  for (const run of result.runs) {
    const t = run.outputs.transition;
    if (t) perTransition[t] = [...(perTransition[t] ?? []), Number(run.outputs.requests ?? 0)];
  }
  demo = { wallMs: result.wallMs, runs: result.runs.length, agentRuns: result.agentRuns, merged: result.merged, perTransition };
}
const bundle = { indexKiB: statSync('dist/index.js').size / 1024, distKiB: dirSize('dist') / 1024 };

// ---- the checks ----

const over: string[] = [];
// A sweep's cost follows the loop items it finds and the repairs they need: with a backlog it is held
// to the item-list bound below (the sweep at scale), not to the budget of the walk's quiet sweep.
for (const r of [...walks, ...backlogs.filter((b) => b.step !== 'sweep')]) {
  if (r.budget !== undefined && r.requests > r.budget)
    over.push(`${r.forge} ${r.step}${r.backlog ? ` (backlog ${r.backlog})` : ''}: ${r.requests} requests, budget ${r.budget}`);
  if (r.budget === undefined) over.push(`${r.forge} ${r.step}: no budget in scripts/bench-budgets.ts`);
}
// Independent of the backlog: every code-lane run costs what it costs without one.
for (const r of backlogs) {
  const base = walks.find((w) => w.forge === r.forge && w.step === r.step);
  if (base && r.step !== 'sweep' && r.requests !== base.requests)
    over.push(`${r.forge} ${r.step}: ${r.requests} requests with ${r.backlog} issues waiting, ${base.requests} without`);
}
for (const s of scale) {
  const bound = itemListBound(s.flavor, s.loopItems);
  if (s.itemLists > bound) over.push(`${s.flavor} sweep at scale: ${s.itemLists} item list requests, bound ${bound}`);
  if (s.requests > SCALE.operationsPerRun) over.push(`${s.flavor} sweep at scale: ${s.requests} requests, over operations-per-run`);
  if (s.transition !== 'sweep' || /failed/.test(s.repairs)) over.push(`${s.flavor} sweep at scale: ${s.transition}, ${s.repairs}`);
}

if (child.startup.heavyLoads.kib > HEAVY_PATH_KIB)
  over.push(`the heavy path loads ${child.startup.heavyLoads.kib.toFixed(0)} KiB, budget ${HEAVY_PATH_KIB} KiB (scripts/bench-budgets.ts)`);

if (throughput.method === 'loop' && (throughput.merged < throughput.issues || throughput.planned < throughput.plans))
  over.push(`throughput: ${throughput.merged}/${throughput.issues} issues merged, ${throughput.planned}/${throughput.plans} plans posted`);

const results = {
  mode: QUICK ? 'quick' : 'full',
  node: process.version,
  git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
  factor: FACTOR,
  ...child,
  walks,
  backlogs,
  scale,
  throughput: { hourlyRequests: HOURLY_REQUESTS, ...throughput },
  demo,
  bundle,
  over,
  benchMs: 0,
};
results.benchMs = Math.round(performance.now() - started);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);

// ---- the table ----

const pad = (v: unknown, n: number) => String(v ?? '–').padStart(n);
const line = (s = '') => console.log(s);
line(
  `agentloop bench — ${results.mode} (node ${process.version}, ${results.git}; wall times median of ${RUNS} runs on this machine, never checked)`,
);
line('');
line(
  'start-up (dist/index.js as a workflow step runs it; ratio of medians; in brackets the spread of the ratio within each round: the noise)',
);
const st = child.startup;
const ratio = (r: { ratio: number; low: number; high: number }) => `${r.ratio.toFixed(2)}× (${r.low.toFixed(2)}–${r.high.toFixed(2)})`;
line(`  node -e 0                            ${st.bareMs.toFixed(1)} ms`);
line(
  `  no-op run (unrelated label)          ${st.noopMs.toFixed(1)} ms  ${ratio(st.noopSpread)} bare node, ${st.noopRequests} API requests, loads ${st.noopLoads.kib.toFixed(1)} KiB in ${st.noopLoads.files} file(s)`,
);
line(
  `  heavy path, nothing to do            ${st.heavyMs.toFixed(1)} ms  ${ratio(st.heavySpread)} bare node, ${st.heavyRequests} API requests, loads ${st.heavyLoads.kib.toFixed(0)} KiB in ${st.heavyLoads.files} files`,
);
const fl = st.floor;
line(`  the floor under the heavy path (node 20; every figure against bare node, in the same rounds):`);
line(
  `    the chosen stack alone, loaded     ${ratio(fl.stack)}  (${fl.stackKiB.toFixed(0)} KiB bundled: @actions/core, Octokit + plugins, zod, yaml, the Markdown parser)`,
);
line(
  `    the stack and 3 requests           ${ratio(fl.stackWithRequests)}  (Octokit over Node's fetch, to the same forge as the heavy path)`,
);
line(`    3 requests, Node's fetch alone     ${ratio(fl.nodeFetch)}`);
line(`      the same, --liftoff-only         ${ratio(fl.nodeFetchLiftoff)}  (as dist/index.js sets it)`);
line(`    3 requests, node:http alone        ${ratio(fl.nodeHttp)}`);
if (st.baseline) {
  const b = st.baseline;
  line(`  baseline ${b.path}, in the same rounds:`);
  line(
    `    no-op run                          ${ratio(b.noopSpread)} bare node, loads ${b.noopLoads.kib.toFixed(1)} KiB in ${b.noopLoads.files} file(s)`,
  );
  line(
    `    heavy path                         ${ratio(b.heavySpread)} bare node, loads ${b.heavyLoads.kib.toFixed(0)} KiB in ${b.heavyLoads.files} files`,
  );
}
line('');
line(`API requests per run: one issue through the loop (budget = ⌊${FACTOR} × minimum⌋; backlog: ${backlogSize} loop/code issues waiting)`);
const forges = ['github', 'forgejo'] as const;
line(
  `  ${'step'.padEnd(24)}${forges.map((f) => `${f.padStart(8)}  min budget`).join('  ')}   backlog ${forges.map((f) => f.padStart(8)).join('')}   ms (github)`,
);
for (const step of [...new Set([...walks, ...backlogs].map((r) => r.step))]) {
  const cells = forges.map((f) => {
    const r = walks.find((w) => w.forge === f && w.step === step);
    return `${pad(r?.requests, 8)} ${pad(minimumOf(step, f), 4)} ${pad(budgetOf(step, f), 6)}`;
  });
  const back = forges.map((f) => pad(backlogs.find((b) => b.forge === f && b.step === step)?.requests, 8));
  line(
    `  ${step.padEnd(24)}${cells.join('  ')}   ${''.padEnd(7)} ${back.join('')}   ${pad(walks.find((w) => w.forge === 'github' && w.step === step)?.ms, 6)}`,
  );
}
line('');
line('where the requests beyond the minimum go (GitHub)');
for (const r of walks.filter((w) => w.forge === 'github' && w.minimum !== undefined)) {
  const extra = r.requests - r.minimum!;
  const known = (EXTRA[r.step] ?? []).filter((e) => total([e], 'github') > 0);
  const unexplained = extra - r.extraExplained;
  if (extra === 0 && known.length === 0) continue;
  line(`  ${r.step}: ${extra} over ${r.minimum}${unexplained ? ` (${unexplained} not explained in bench-budgets.ts)` : ''}`);
  for (const e of known) line(`    ${total([e], 'github')} × ${e.what}`);
}
line('');
line(
  `the sweep at scale: ${SCALE.openIssues.toLocaleString('en')} open issues, ${SCALE.loopItems} loop items (operations-per-run ${SCALE.operationsPerRun})`,
);
line(`  ${'forge'.padEnd(9)} requests  item lists (bound)  other lists  item reads  writes   ms  repairs`);
for (const s of scale)
  line(
    `  ${s.flavor.padEnd(9)}${pad(s.requests, 8)}  ${pad(s.itemLists, 10)} ${`(${itemListBound(s.flavor, s.loopItems)})`.padStart(8)}  ${pad(s.otherLists, 11)}  ${pad(s.itemReads, 10)}  ${pad(s.writes, 6)} ${pad(s.ms, 4)}  ${s.repairs}`,
  );
line('');
line(
  `throughput within the workflow token's ${HOURLY_REQUESTS.toLocaleString('en')} requests an hour (instant agent and CI; ${throughput.method === 'loop' ? 'the whole loop as workflow runs' : 'estimated from the walk: no idle runs, a ceiling'})`,
);
if (throughput.method === 'loop') {
  const runs = Object.entries(throughput.codeRuns)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  line(
    `  loop/code → merged   ${throughput.perIssue.toFixed(1)} requests an issue (${throughput.merged} of ${throughput.issues} merged; runs: ${runs}; ${(throughput.codeWallMs / 1000).toFixed(0)} s)  → ${throughput.issuesPerHour} issues an hour`,
  );
  line(
    `  ${throughput.plans} plans at once       ${throughput.perPlan.toFixed(1)} requests a plan (${throughput.planned} posted; ${(throughput.planWallMs / 1000).toFixed(0)} s)  → ${throughput.plansPerHour} plans an hour`,
  );
} else {
  line(
    `  loop/code → merged   ${throughput.perIssue} requests an issue (code + ci-green + merge)  → ${throughput.issuesPerHour} issues an hour`,
  );
  line(`  plans                ${throughput.perPlan} requests a plan  → ${throughput.plansPerHour} plans an hour`);
}
if (child.planRuns) {
  line('');
  line('plan runs as child processes (the first creates the labels)');
  line(`  requests ${child.planRuns.requests.join(', ')}; median ${child.planRuns.medianMs.toFixed(0)} ms`);
}
if (demo) {
  line('');
  line(
    `the whole loop (npm run demo): ${(demo.wallMs / 1000).toFixed(1)} s, ${demo.runs} workflow runs, ${demo.agentRuns} agent invocations, merged: ${demo.merged}`,
  );
  for (const [t, counts] of Object.entries(demo.perTransition)) line(`  ${t.padEnd(10)} ${counts.join(', ')}`);
}
line('');
line(
  `bundle: dist/index.js ${bundle.indexKiB.toFixed(1)} KiB, the heavy path ${st.heavyLoads.kib.toFixed(0)} KiB (GitHub), dist/ ${bundle.distKiB.toFixed(0)} KiB`,
);
line('');
line(`results: ${OUT} (${(results.benchMs / 1000).toFixed(1)} s)`);
if (over.length) {
  line(`OVER BUDGET (${over.length}):`);
  for (const o of over) line(`  ${o}`);
  process.exitCode = 1;
} else line(`every request count within its budget (${Object.keys(MINIMUM).length} steps, the backlog, the sweep at scale)`);
