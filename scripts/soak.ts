// `npm run soak`: many issues through the whole loop at once, under seeded faults, until each one is done
// (merged, issue closed) or handed to a human (NeedSupervisor), with the invariants of
// test/support/invariants.ts checked after every run and at every rest (docs/development.md: Soak).
//
//   npm run soak -- [--issues N] [--seed S] [--forge github|forgejo] [--short] [--fault-rate R]
//
// Faults, each from its own stream of the seed: 5xx and 429 answers to agentloop's API requests,
// dropped and duplicated label events, agentloop steps killed part-way, a flaky CI test, and a maintainer
// who adds do-not-merge to some PRs (and later lifts it, asking for the merge) and removes NeedSupervisor
// from some escalated issues, doing what the notice asks. The sweep's schedule fires whenever the runner
// is idle. Exit code 1 when an item is stuck or an invariant is violated.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentScript,
  type Delivery,
  describeRun,
  eventFaults,
  type FaultHook,
  type ForgeEvent,
  httpErrors,
  rateLimited,
  seededRandom,
} from '@agentloop/embedded-forge';
import setupAgentReach from '../test/support/agent-reachable.js';
import { type Flavor, type Loop, startLoop } from '../test/support/loop.js';

interface Options {
  issues: number;
  seed: number;
  flavor: Flavor;
  faultRate: number;
  short: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    issues: 50,
    seed: Math.floor(Math.random() * 1_000_000),
    flavor: 'github',
    faultRate: 0.1,
    short: false,
    verbose: false,
  };
  let issuesSet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${arg} must be a whole number ≥ ${min}, got ${v}`);
      return n;
    };
    if (arg === '--issues') {
      opts.issues = int(value(), 1);
      issuesSet = true;
    } else if (arg === '--seed') opts.seed = int(value(), 0);
    else if (arg === '--forge') {
      const f = value();
      if (f !== 'github' && f !== 'forgejo') throw new Error(`--forge must be github or forgejo, got ${f}`);
      opts.flavor = f;
    } else if (arg === '--fault-rate') {
      opts.faultRate = Number(value());
      if (!(opts.faultRate >= 0 && opts.faultRate <= 0.5)) throw new Error('--fault-rate must be between 0 and 0.5');
    } else if (arg === '--short') opts.short = true;
    else if (arg === '--verbose') opts.verbose = true;
    else throw new Error(`unknown option ${arg} (--issues N, --seed S, --forge github|forgejo, --fault-rate R, --short, --verbose)`);
  }
  if (opts.short && !issuesSet) opts.issues = 8;
  return opts;
}

/** Streams of the seed: each fault kind draws from its own, so one kind's draws never shift another's. */
const stream = (seed: number, n: number) => (seed * 16 + n) >>> 0;
const start = Date.now();

const FLAKY_RATE = 0.25;
const KILL_RATE = 0.04;
/** One CI verdict per (seed, PR branch, n-th head of that branch): a re-run of the same head agrees. */
const flakyTest = (seed: number) =>
  `// The soak's flaky test (scripts/soak.ts): fails for some heads of a pull request's branch.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const branch = process.env.GITHUB_HEAD_REF || '';
const sha = process.env.HEAD_SHA || '';
const dir = process.env.SOAK_CI_STATE;
if (!branch || !sha || !dir) {
  console.log('not a pull request: nothing flaky');
  process.exit(0);
}
const file = join(dir, branch.replace(/[^A-Za-z0-9-]/g, '_'));
let heads = [];
try { heads = readFileSync(file, 'utf8').split('\\n').filter(Boolean); } catch {}
if (!heads.includes(sha)) { appendFileSync(file, sha + '\\n'); heads.push(sha); }
const nth = heads.indexOf(sha) + 1;
const x = createHash('sha256').update('${seed}:' + branch + ':' + nth).digest().readUInt32BE(0) / 2 ** 32;
if (x < ${FLAKY_RATE}) {
  console.error('flaky: head ' + nth + ' of ' + branch + ' fails (seed ${seed})');
  process.exit(1);
}
console.log('flaky: head ' + nth + ' of ' + branch + ' passes');
`;

const CI = [
  'name: CI',
  'on:',
  '  push:',
  '    branches: [main]',
  '  pull_request:',
  'permissions:',
  '  contents: read',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 5',
  '    steps:',
  '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
  '        with:',
  '          persist-credentials: false',
  '      - run: node test.js',
  '      - name: flaky test',
  '        env:',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template literal
  '          HEAD_SHA: ${{ github.event.pull_request.head.sha }}',
  '        run: node flaky.js',
  '',
].join('\n');

/** Each code run adds its own file, each fix its own: no two runs make the same change. */
const SCRIPT: AgentScript = {
  plan: '### Summary\nAdd the feature in its own module.\n\n### Steps\n1. Write `src/feature-N.js`.\n',
  code: { files: { 'src/feature-{{run}}.js': 'export const feature = {{run}};\n' }, summary: 'Feature {{run}} in its own module.' },
  'fix-ci': [1, 2, 3, 4].map(() => ({ files: { 'fixes/fix-{{run}}.txt': 'fix {{run}}\n' }, summary: 'Fix {{run}}.' })),
  rebase: { resolve: 'theirs' },
};

const CONFIG = 'auto-merge: true\nmerge-method: squash\nmax-open-prs: 3\n';
const SELF = new Set(['agentloop-bot', 'github-actions[bot]']);
const LABEL_ACTIONS = new Set(['labeled', 'unlabeled', 'label_updated', 'label_cleared']);

interface Counters {
  agentloopSteps: number;
  holdsChosen: number;
  http5xx: number;
  http429: number;
  dropped: number;
  duplicated: number;
  killsScheduled: number;
  dnmAdded: number;
  dnmLifted: number;
  nsRemoved: number;
  prsClosed: number;
}

function counted(hook: FaultHook, count: () => void): FaultHook {
  return async (req) => {
    const answer = await hook(req);
    if (answer) count();
    return answer;
  };
}

type Ending = 'merged' | 'NeedSupervisor' | 'stuck';

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  setupAgentReach();
  const t0 = Date.now();
  const c: Counters = {
    agentloopSteps: 0,
    holdsChosen: 0,
    http5xx: 0,
    http429: 0,
    dropped: 0,
    duplicated: 0,
    killsScheduled: 0,
    dnmAdded: 0,
    dnmLifted: 0,
    nsRemoved: 0,
    prsClosed: 0,
  };
  const events = eventFaults({
    seed: stream(opts.seed, 1),
    drop: 0.05,
    duplicate: 0.05,
    match: (e: ForgeEvent) => (e.name === 'issues' || e.name === 'pull_request') && LABEL_ACTIONS.has(e.action ?? ''),
  });
  const kills = seededRandom(stream(opts.seed, 2));
  let onCi: ((branch: string) => void) | undefined;
  const ciState = join(process.env.TMPDIR ?? '/tmp', `agentloop-soak-ci-${process.pid}`);
  mkdirSync(ciState, { recursive: true });
  const loop = await startLoop({
    flavor: opts.flavor,
    script: SCRIPT,
    config: CONFIG,
    files: { 'test.js': "console.log('tests pass');\n", 'flaky.js': flakyTest(opts.seed), '.github/workflows/ci.yml': CI },
    runner: {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SOAK_CI_STATE: ciState },
      // The maintainer holds some PRs while they run: do-not-merge as soon as CI has reported on them.
      onRunEvent: (e) => {
        if (e.type === 'completed' && e.run.workflow.name === 'CI') onCi?.(e.run.headBranch);
      },
      deliver: (e): Delivery => {
        const d = events(e);
        if (d === 'drop') c.dropped++;
        if (d === 'duplicate') c.duplicated++;
        return d;
      },
      // Some of agentloop's steps killed part-way (SIGKILL of the step's process group, as a dying runner).
      killStep: (_run, _job, step) => {
        if (step.kind !== 'agentloop') return undefined;
        c.agentloopSteps++;
        const kill = kills() < KILL_RATE;
        const afterMs = 50 + Math.floor(kills() * 2500);
        if (!kill) return undefined;
        c.killsScheduled++;
        return { afterMs };
      },
    },
  });
  const agentloop = (req: { login?: string }) => SELF.has(req.login ?? '');
  // GitHub: two thirds 5xx, one third secondary rate limits (429 with retry-after). Forgejo has no
  // secondary rate limit: all of it 5xx, the gateway errors a proxy in front of it answers.
  const github = opts.flavor === 'github';
  loop.forge.faults.push(
    counted(
      httpErrors({
        seed: stream(opts.seed, 3),
        rate: github ? (opts.faultRate * 2) / 3 : opts.faultRate,
        statuses: github ? [500, 502, 503] : [502, 503, 504],
        match: agentloop,
      }),
      () => c.http5xx++,
    ),
  );
  if (github)
    loop.forge.faults.push(
      counted(
        rateLimited({ seed: stream(opts.seed, 4), rate: opts.faultRate / 3, retryAfterSeconds: 0, match: agentloop }),
        () => c.http429++,
      ),
    );
  const humans = seededRandom(stream(opts.seed, 5));
  const holdFor = new Set<number>();
  const held = new Set<number>();
  const holds: Promise<void>[] = [];
  onCi = (branch) => {
    const n = Number(/^agentloop\/issue-(\d+)$/.exec(branch)?.[1]);
    if (!holdFor.has(n) || held.has(n)) return;
    held.add(n);
    c.dnmAdded++;
    holds.push(loop.maria.addLabels(n, ['do-not-merge']));
  };

  let exit = 0;
  try {
    const numbers: number[] = [];
    const planned = new Set<number>();
    // The burst: every issue opened and labeled at once, some planned first; do-not-merge chosen for ~10 %.
    for (let i = 1; i <= opts.issues; i++) {
      const issue = await loop.maria.createIssue(`Feature ${i}`, `Add feature ${i} in its own module.`, []);
      numbers.push(issue.number);
      if (humans() < 0.3) {
        planned.add(issue.number);
        await loop.maria.addLabels(issue.number, ['loop/plan']);
      }
      await loop.maria.addLabels(issue.number, ['loop/code']);
      if (humans() < 0.15) {
        holdFor.add(issue.number);
        c.holdsChosen++;
      }
    }
    const result = await drive(loop, numbers, held, humans, c, opts, () => Promise.all(holds));
    const wallMs = Date.now() - t0;
    exit = report(loop, opts, numbers, planned, result, c, wallMs);
  } finally {
    await loop.stop().catch((err: Error) => {
      console.log(`\n${err.message}`);
      exit = 1;
    });
  }
  return exit;
}

interface DriveResult {
  ticks: number;
  endings: Map<number, Ending>;
}

/** Fire the schedule whenever the runner is idle; act as the maintainer at rest; stop when every item ended or nothing moves. */
async function drive(
  loop: Loop,
  numbers: number[],
  held: Set<number>,
  humans: () => number,
  c: Counters,
  opts: Options,
  holds: () => Promise<unknown>,
): Promise<DriveResult> {
  const maxTicks = 40 + 12 * opts.issues;
  const stallLimit = 8;
  const nsDecided = new Set<number>();
  let stalled = 0;
  let last = '';
  let ticks = 0;
  const endings = () => new Map(numbers.map((n) => [n, endingOf(loop, n)] as const));
  for (;;) {
    await loop.runner.idle();
    await holds();
    await loop.invariants.atRest(`rest before tick ${ticks}`);
    if (await maintainer(loop, numbers, held, nsDecided, humans, c)) continue;
    const now = endings();
    if ([...now.values()].every((e) => e !== 'stuck')) return { ticks, endings: now };
    const picture = JSON.stringify([
      loop.repo.issues.map((i) => [i.number, i.state, [...i.labels].sort()]),
      [...loop.repo.pulls.values()].map((p) => [p.number, p.headSha, p.merged]),
    ]);
    stalled = picture === last ? stalled + 1 : 0;
    last = picture;
    if (stalled >= stallLimit || ticks >= maxTicks) return { ticks, endings: now };
    loop.runner.tickSchedule(loop.repo);
    ticks++;
    if (ticks % 10 === 0) {
      const done = [...now.values()].filter((e) => e !== 'stuck').length;
      console.log(
        `  tick ${ticks}: ${done}/${numbers.length} ended, ${loop.runner.runs.length} runs, ${((Date.now() - start) / 1000).toFixed(0)} s`,
      );
    }
  }
}
/** Done (PR merged, issue closed) first: a bookkeeping failure after the merge may add NeedSupervisor to a done issue. */
function endingOf(loop: Loop, n: number): Ending {
  const merged = [...loop.repo.pulls.values()].some((p) => p.head === `agentloop/issue-${n}` && p.merged);
  if (merged && loop.issue(n).state === 'closed') return 'merged';
  if (loop.labelsOf(n).includes('NeedSupervisor')) return 'NeedSupervisor';
  return 'stuck';
}

/** The maintainer, at rest: held PRs released once green (asking for the merge); NeedSupervisor removed from some. Returns whether anything was done. */
async function maintainer(
  loop: Loop,
  numbers: number[],
  held: Set<number>,
  nsDecided: Set<number>,
  humans: () => number,
  c: Counters,
): Promise<boolean> {
  let acted = false;
  for (const n of numbers) {
    const labels = loop.labelsOf(n);
    if (loop.issue(n).state !== 'open') continue;
    if (held.has(n) && labels.includes('do-not-merge') && labels.includes('loop/code-done') && !labels.includes('NeedSupervisor')) {
      // Green and held: the maintainer lifts the hold and asks for the merge (auto-merge skipped it).
      await loop.maria.removeLabel(n, 'do-not-merge');
      if (!labels.includes('loop/merge')) await loop.maria.addLabels(n, ['loop/merge']);
      c.dnmLifted++;
      acted = true;
    } else if (labels.includes('NeedSupervisor')) {
      if (!nsDecided.has(n)) {
        nsDecided.add(n);
        if (humans() < 0.5) {
          // Does what agentloop asks (its notice, else its status comment): remove NeedSupervisor, and apply
          // the label it names again.
          const said = [...loop.comments(n, '<!-- agentloop:escalation'), ...loop.comments(n, '<!-- agentloop:status -->')];
          const again = said.map((c) => /apply `([^`]+)` again/.exec(c.body)?.[1]).find(Boolean);
          await loop.maria.removeLabel(n, 'NeedSupervisor');
          if (again && !loop.labelsOf(n).includes(again)) await loop.maria.addLabels(n, [again]);
          c.nsRemoved++;
          acted = true;
          continue;
        }
      }
      // Kept in NeedSupervisor: the maintainer closes the PR they will not finish, so it holds no
      // max-open-prs slot (open PRs of escalated issues still count: the queue would wait for them).
      const pr = [...loop.repo.pulls.values()].find(
        (p) => p.head === `agentloop/issue-${n}` && !p.merged && loop.issue(p.number).state === 'open',
      );
      if (pr) {
        await loop.maria.closeIssue(pr.number);
        c.prsClosed++;
        acted = true;
      }
    }
  }
  return acted;
}

function report(loop: Loop, opts: Options, numbers: number[], planned: Set<number>, r: DriveResult, c: Counters, wallMs: number): number {
  const runs = loop.runner.runs;
  const byTransition = new Map<string, number>();
  for (const run of runs) {
    const t = run.outputs.transition;
    if (t) byTransition.set(t, (byTransition.get(t) ?? 0) + 1);
  }
  const ci = runs.filter((run) => run.workflow.name === 'CI');
  const killed = runs.flatMap((run) => run.jobs.flatMap((j) => j.steps)).filter((s) => s.killed === 'killStep').length;
  const requests = loop.forge.requests;
  const ours = requests.filter((q) => SELF.has(q.login ?? '')).length;
  const ended = (e: Ending) => numbers.filter((n) => r.endings.get(n) === e);
  const others = loop.repo.issues.filter((i) => !i.isPull && !numbers.includes(i.number));
  const line = (k: string, v: string) => console.log(`${k.padEnd(22)}${v}`);
  console.log('');
  console.log(`agentloop soak (${opts.flavor}, seed ${opts.seed})`);
  line(
    'replay',
    `npm run soak -- --seed ${opts.seed} --issues ${opts.issues} --forge ${opts.flavor}${opts.faultRate !== 0.1 ? ` --fault-rate ${opts.faultRate}` : ''}`,
  );
  line('items', `${opts.issues} issues (${planned.size} planned first), ${others.length} other issue(s) agentloop opened or kept`);
  const acted = runs.filter((run) => run.outputs.transition !== undefined).length;
  line(
    'runs',
    `${runs.length} workflow runs: ${ci.length} CI, ${acted} agentloop runs that decided, ${runs.length - ci.length - acted} skipped by \`if:\` or killed; ${r.ticks} schedule ticks`,
  );
  line('transitions', [...byTransition].map(([t, n]) => `${t} ${n}`).join(', '));
  line(
    'faults',
    `${c.http5xx} × 5xx, ${c.http429} × 429, ${c.dropped} label events dropped, ${c.duplicated} duplicated, ${killed} of ${c.agentloopSteps} agentloop steps killed (${c.killsScheduled} kills scheduled), ${ci.filter((x) => x.conclusion === 'failure').length} red CI runs`,
  );
  line(
    'maintainer',
    `do-not-merge chosen for ${c.holdsChosen}, added ${c.dnmAdded}, lifted ${c.dnmLifted}; NeedSupervisor removed ${c.nsRemoved}, escalated PRs closed ${c.prsClosed}`,
  );
  line('API requests', `${requests.length} (${ours} by agentloop)`);
  line('wall time', `${(wallMs / 1000).toFixed(1)} s`);
  const doneHeld = ended('merged').filter((n) => loop.labelsOf(n).includes('NeedSupervisor')).length;
  line(
    'ended',
    `${ended('merged').length} merged (${doneHeld} of them with NeedSupervisor added after the merge), ${ended('NeedSupervisor').length} NeedSupervisor, ${ended('stuck').length} stuck`,
  );
  for (const n of numbers) {
    const e = r.endings.get(n)!;
    const pr = [...loop.repo.pulls.values()]
      .filter((p) => p.head === `agentloop/issue-${n}`)
      .map((p) => `#${p.number}${p.merged ? ' merged' : ''}`);
    const why =
      e === 'merged'
        ? ''
        : e === 'NeedSupervisor'
          ? ` — ${escalationReason(loop, n)}`
          : ` — labels: ${loop.labelsOf(n).join(', ') || 'none'}`;
    console.log(`  #${String(n).padEnd(4)} ${e.padEnd(15)}${pr.length ? ` PR ${pr.join(', ')}` : ''}${why}`);
    const flagged = loop.invariants.violations.some((v) => v.item === n);
    if (opts.verbose && (e !== 'merged' || flagged)) {
      // The item's timeline: labels on and off (by whom), merges and closes of it and its PRs.
      const prs = new Set([...loop.repo.pulls.values()].filter((p) => p.head === `agentloop/issue-${n}`).map((p) => p.number));
      const label = (l: string) => (opts.flavor === 'forgejo' ? (loop.repo.labels.find((x) => String(x.id) === l)?.name ?? l) : l);
      const who = (a: string) => (SELF.has(a) ? 'agentloop' : a);
      const timeline = loop.repo.events
        .filter((ev) => ev.issue === n || prs.has(ev.issue))
        .map((ev) =>
          ev.label !== undefined
            ? `${ev.issue === n ? '' : `#${ev.issue} `}${ev.event === 'labeled' ? '+' : '-'}${label(ev.label)} (${who(ev.actor)})`
            : `#${ev.issue} ${ev.event} (${who(ev.actor)})`,
        );
      console.log(`      timeline: ${timeline.join(' · ')}`);
      // The item's last agentloop runs that did something, with the end of their logs.
      const mine = runs.filter((run) =>
        run.outputs.transition
          ? run.outputs.item === String(n) && run.outputs.transition !== 'none'
          : run.workflow.name.startsWith('agentloop') && run.jobs.some((j) => j.log.includes(`#${n}`)),
      );
      for (const run of mine.slice(-2)) {
        console.log(`      ${describeRun(run)}: ${run.outputs.reason ?? ''}`);
        const log = run.jobs
          .map((j) => j.log)
          .join('\n')
          .split('\n')
          .slice(-25);
        for (const l of log) console.log(`        | ${l}`);
      }
      if (e === 'stuck') {
        // What the last code-lane and sweep runs said about it (decisions and their notes).
        const mention = new RegExp(`#${n}\\b|decision:`);
        const lanes = runs.filter((run) => run.workflow.name === 'agentloop code' || run.workflow.name === 'agentloop sweep');
        for (const run of lanes.filter((run) => run.outputs.transition).slice(-4)) {
          console.log(`      ${describeRun(run)}`);
          const lines = run.jobs.flatMap((j) => j.log.split('\n')).filter((l) => mention.test(l));
          for (const l of lines.slice(0, 12)) console.log(`        : ${l}`);
        }
      }
    }
  }
  for (const i of others) console.log(`  #${String(i.number).padEnd(4)} (${i.title}) ${i.state}: ${loop.labelsOf(i.number).join(', ')}`);
  const violations = loop.invariants.violations;
  const rejected = loop.forge.violations;
  line('invariants', `${loop.invariants.checks} checks, ${violations.length} violation(s)`);
  if (violations.length) console.log(loop.invariants.report());
  if (rejected.length) console.log(`requests the forge would reject: ${rejected.length}\n${JSON.stringify(rejected.slice(0, 5), null, 2)}`);
  const stuck = ended('stuck').length;
  if (stuck) console.log(`STUCK: ${stuck} item(s) neither done nor NeedSupervisor after ${r.ticks} ticks`);
  return stuck || violations.length || rejected.length ? 1 : 0;
}

function escalationReason(loop: Loop, n: number): string {
  const body = loop.comments(n, '<!-- agentloop:escalation').at(-1)?.body;
  if (!body) return 'no notice';
  const m = /needs a human: (.*)/.exec(body);
  return (m?.[1] ?? body.split('\n')[1] ?? '').slice(0, 140);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
