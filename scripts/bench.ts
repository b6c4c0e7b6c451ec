// Figures for the notes: start-up cost of a no-op run, requests and time of a plan run, bundle size.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EmbeddedForge } from '@agentloop/embedded-forge';
import { runDemo } from '../src/demo/demo.js';
import { SAMPLE_ISSUE } from '../src/demo/sample.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = resolve('.');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Async on purpose: the embedded forge answers from this same process. */
async function timeNode(args: string[], env: NodeJS.ProcessEnv, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}): ${out}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return sum + (st.isDirectory() ? dirSize(p) : st.size);
  }, 0);
}

const tmp = mkdtempSync(join(tmpdir(), 'agentloop-bench-'));
const forge = new EmbeddedForge({ root: tmp });
await forge.start();
const repo = await forge.createRepo('acme', 'widget', { 'README.md': '# widget\n' });
forge.addCollaborator(repo, 'maria', 'write');
const token = forge.token('github-actions[bot]', true);

function eventFile(name: string, payload: unknown): string {
  const p = join(tmp, `${name}.json`);
  writeFileSync(p, JSON.stringify(payload));
  return p;
}

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

// 1. A no-op run (an unrelated label) against a bare node start.
const bare = await timeNode(['-e', '0'], baseEnv);
const before = forge.requests.length;
const noop = await timeNode([join(root, 'dist/index.js')], {
  ...baseEnv,
  GITHUB_EVENT_NAME: 'issues',
  GITHUB_EVENT_PATH: eventFile('noop', {
    action: 'labeled',
    issue: { number: 1 },
    label: { name: 'bug' },
    sender: { login: 'maria', type: 'User' },
  }),
});
const noopRequests = forge.requests.length - before;

// 2. The heavy path alone: a run that loads the forge client and decides "nothing to do" (plan already posted).
repo.issues.push({
  id: forge.state.id(),
  number: 99,
  title: 'Done',
  body: '',
  state: 'open',
  stateReason: null,
  labels: ['loop/plan-done'],
  user: 'maria',
  createdAt: forge.state.now(),
  updatedAt: forge.state.now(),
  closedAt: null,
  isPull: false,
});
const heavy = await timeNode(
  [join(root, 'dist/index.js')],
  {
    ...baseEnv,
    GITHUB_EVENT_NAME: 'issues',
    GITHUB_EVENT_PATH: eventFile('heavy', {
      action: 'labeled',
      issue: { number: 99 },
      label: { name: 'loop/plan' },
      sender: { login: 'maria', type: 'User' },
      repository: { default_branch: 'main' },
    }),
  },
  5,
);

// 3. Plan runs: requests per run and wall time.
const planTimes: number[] = [];
const planRequests: number[] = [];
let routes: Record<string, number> = {};
for (let i = 0; i < 5; i++) {
  const at = forge.state.now();
  const number = forge.state.nextNumber(repo);
  repo.issues.push({
    id: forge.state.id(),
    number,
    title: `Issue ${i}`,
    body: 'Make add() add.',
    state: 'open',
    stateReason: null,
    labels: ['loop/plan'],
    user: 'maria',
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    isPull: false,
  });
  repo.events.push({ id: forge.state.id(), issue: number, event: 'labeled', label: 'loop/plan', actor: 'maria', createdAt: at });
  const start = forge.requests.length;
  planTimes.push(
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
  const reqs = forge.requests.slice(start);
  planRequests.push(reqs.length);
  if (i === 1)
    routes = reqs.reduce<Record<string, number>>((acc, r) => {
      const key = `${r.method} ${r.path
        .replace(/\/\d+/g, '/{n}')
        .replace(/\/labels\/.+$/, '/labels/{name}')
        .replace(/contents\/.+$/, 'contents/{path}')}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
}
await forge.stop();

// 4. The whole loop (the demo): runs, requests per transition, wall time.
const demoResult = await runDemo({ agent: 'command', issue: SAMPLE_ISSUE, ciCommand: 'node test.js', keep: false, out: () => {} });
const perTransition = new Map<string, number[]>();
for (const run of demoResult.runs) {
  const t = run.outputs.transition;
  if (!t) continue;
  const list = perTransition.get(t) ?? [];
  list.push(Number(run.outputs.requests ?? 0));
  perTransition.set(t, list);
}

const indexSize = statSync('dist/index.js').size;
const total = dirSize('dist');
const gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim();

console.log(`agentloop bench (node ${process.version}, ${gitVersion}, median of ${RUNS} unless noted)`);
console.log('');
console.log('start-up');
console.log(`  node -e 0                          ${bare.toFixed(1)} ms`);
console.log(
  `  no-op run (unrelated label)        ${noop.toFixed(1)} ms  (${(noop / bare).toFixed(2)}× bare node, ${noopRequests} API requests)`,
);
console.log(`  heavy path, nothing to do (5 runs) ${heavy.toFixed(1)} ms  (${(heavy / bare).toFixed(2)}× bare node)`);
console.log('');
console.log('plan transition (embedded forge, scripted agent, 5 runs; first run creates the labels)');
console.log(`  wall time per run                  median ${median(planTimes).toFixed(0)} ms`);
console.log(`  API requests per run               ${planRequests.join(', ')}`);
for (const [route, n] of Object.entries(routes).sort()) console.log(`    ${String(n).padStart(2)} × ${route}`);
console.log('');
console.log(
  `the whole loop (npm run demo): ${(demoResult.wallMs / 1000).toFixed(1)} s, ${demoResult.runs.length} workflow runs, ${demoResult.agentRuns} agent invocations, merged: ${demoResult.merged}`,
);
console.log('  API requests per agentloop run, by transition');
for (const [t, counts] of perTransition) console.log(`    ${t.padEnd(10)} ${counts.join(', ')}`);
console.log('');
console.log('bundle');
console.log(`  dist/index.js (entry)              ${(indexSize / 1024).toFixed(1)} KiB`);
console.log(`  dist/ total                        ${(total / 1024).toFixed(0)} KiB`);
