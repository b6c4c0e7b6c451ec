// The embedded forge's workflow runner, against real git and real processes (offline). The workflows
// here are written inline: these tests are about the runner's semantics, not agentloop's templates.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutCommands } from '../src/checkout-plan.js';
import type { ForgeEvent } from '../src/events.js';
import * as git from '../src/git-ops.js';
import { validateRequest } from '../src/openapi.js';
import { groupAlive, processAlive, type RunEvent, type RunnerOptions, type RunRecord, WorkflowRunner } from '../src/runner.js';
import { EmbeddedForge } from '../src/server.js';
import type { RepoState } from '../src/state.js';
import { inputEnvName, parseKeyValueFile, usesKind } from '../src/steps.js';
import { get } from '../src/workflow-expr.js';

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683';

/** The fields of the REST responses these tests read. */
interface ApiBody {
  number: number;
  message: string;
  total_count: number;
  check_runs: { name: string; status: string; conclusion: string | null }[];
  workflow_runs: { status: string }[];
  jobs: Record<string, unknown>[];
}

interface Env {
  dir: string;
  forge: EmbeddedForge;
  repo: RepoState;
  runner: WorkflowRunner;
  events: RunEvent[];
  /** A PAT for a writer. */
  pat: string;
  /** An automatic (workflow) token. */
  auto: string;
  api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: ApiBody; text: string }>;
  push(branch: string, files: Record<string, string | null>, message?: string): Promise<string>;
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    e.runner.stop();
    await e.forge.stop();
    await rm(e.dir, { recursive: true, force: true });
  }
});

async function setup(files: Record<string, string>, opts: Partial<RunnerOptions> = {}): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'embedded-runner-'));
  const forge = new EmbeddedForge({ root: join(dir, 'forge'), validate: (req) => validateRequest(req) });
  await forge.start();
  const repo = await forge.createRepo('o', 'r', files);
  forge.addCollaborator(repo, 'maria', 'write');
  const events: RunEvent[] = [];
  const runner = new WorkflowRunner(forge, {
    flavor: 'github',
    actionDir: join(dir, 'action'),
    workRoot: join(dir, 'work'),
    onRunEvent: (e) => events.push({ type: e.type, run: e.run }),
    ...opts,
  });
  runner.start();
  const pat = forge.token('maria');
  const auto = forge.token('github-actions[bot]', true);
  const env: Env = {
    dir,
    forge,
    repo,
    runner,
    events,
    pat,
    auto,
    async api(method, path, token, body) {
      const res = await fetch(`${forge.urls.api}${path}`, {
        method,
        headers: { authorization: `token ${token}`, 'content-type': 'application/json', accept: 'application/vnd.github+json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed as ApiBody, text };
    },
    async push(branch, changes, message = 'change') {
      const ref = `refs/heads/${branch}`;
      const before = (await git.revParse(repo.gitDir, ref)) ?? git.ZERO_SHA;
      const after = await git.commitFiles(repo.gitDir, branch, changes, message, { from: repo.defaultBranch });
      await forge.afterPush(repo, [{ ref, before, after }], { login: 'maria', automatic: false, kind: 'classic' });
      return after;
    },
  };
  envs.push(env);
  return env;
}

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const runsOf = (e: Env, workflow: string): RunRecord[] => e.runner.runs.filter((r) => r.workflow.name === workflow);

async function openIssue(e: Env, title = 'An issue'): Promise<number> {
  const res = await e.api('POST', '/repos/o/r/issues', e.pat, { title, body: 'text' });
  expect(res.status).toBe(201);
  return res.body.number;
}

// ---------------------------------------------------------------------------------------------

const CI = `name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - run: node test.js
`;

const AFTER_CI = `name: After CI
on:
  workflow_run:
    workflows: [CI]
    types: [completed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo "ci=\${{ github.event.workflow_run.conclusion }} sha=\${{ github.event.workflow_run.head_sha }} event=\${{ github.event.workflow_run.event }}"
`;

const PASSING = `console.log('testing on', process.env.GITHUB_SHA);\nprocess.exit(0);\n`;
const FAILING = `console.log('assertion failed: 1 + 1 !== 3');\nprocess.exit(1);\n`;

describe('WorkflowRunner (GitHub flavor)', () => {
  it('runs CI on push and pull_request: check runs per job, job logs, runs API, then workflow_run', async () => {
    const seen: string[] = [];
    const e = await setup(
      { '.github/workflows/ci.yml': CI, '.github/workflows/after.yml': AFTER_CI, 'test.js': PASSING },
      {
        // Called when a step starts: snapshot the check runs at that moment.
        killStep: (run, job, step) => {
          if (run.workflow.name === 'CI' && step.number === 2) {
            const check = e.repo.checkRuns.find((c) => c.runId === run.id);
            seen.push(`${job}:${check?.name}:${check?.status}:${check?.sha === run.headSha}`);
          }
          return undefined;
        },
      },
    );

    const mainSha = await e.push('main', { 'README.md': 'hello\n' });
    await e.runner.idle();
    const [ci] = runsOf(e, 'CI');
    expect(ci?.conclusion, ci?.jobs[0]?.log).toBe('success');
    expect(ci?.event).toMatchObject({ name: 'push', sha: mainSha, ref: 'refs/heads/main' });
    expect(seen).toEqual(['test:test:in_progress:true']);
    const check = e.repo.checkRuns.find((c) => c.runId === ci!.id)!;
    expect(check).toMatchObject({ name: 'test', sha: mainSha, status: 'completed', conclusion: 'success', jobId: ci!.jobs[0]!.id });
    expect(ci!.jobs[0]!.log).toContain(`testing on ${mainSha}`);

    // workflow_run completed → the listening workflow ran, with GitHub's payload.
    const [after] = runsOf(e, 'After CI');
    expect(after?.event).toMatchObject({ name: 'workflow_run', action: 'completed' });
    expect(after?.payload).toMatchObject({
      action: 'completed',
      workflow_run: {
        id: ci!.id,
        name: 'CI',
        head_branch: 'main',
        head_sha: mainSha,
        conclusion: 'success',
        status: 'completed',
        event: 'push',
        path: '.github/workflows/ci.yml',
      },
      workflow: { name: 'CI', path: '.github/workflows/ci.yml' },
    });
    expect(after?.jobs[0]?.log).toContain(`ci=success sha=${mainSha} event=push`);
    expect(after?.depth).toBe(1);

    // A PR whose head fails: CI on the PR head sha (push and pull_request), red check runs.
    const headSha = await e.push('feature', { 'test.js': FAILING });
    const pr = await e.api('POST', '/repos/o/r/pulls', e.pat, { title: 'Break it', head: 'feature', base: 'main' });
    expect(pr.status).toBe(201);
    await e.runner.idle();
    const prRuns = runsOf(e, 'CI').filter((r) => r.headSha === headSha);
    expect(prRuns.map((r) => r.event.name).sort()).toEqual(['pull_request', 'push']);
    for (const r of prRuns) expect(r.conclusion).toBe('failure');
    const prRun = prRuns.find((r) => r.event.name === 'pull_request')!;
    expect(prRun.headBranch).toBe('feature');
    expect(prRun.github.ref).toBe(`refs/pull/${pr.body.number}/merge`);
    const checks = await e.api('GET', `/repos/o/r/commits/${headSha}/check-runs`, e.pat);
    expect(checks.body.check_runs.map((c) => [c.name, c.status, c.conclusion])).toEqual([['test', 'completed', 'failure']]);

    // The job log is served by the job-logs API, with the runner's error line.
    const logs = await e.api('GET', `/repos/o/r/actions/jobs/${prRun.jobs[0]!.id}/logs`, e.pat);
    expect(logs.status).toBe(200);
    expect(logs.text).toContain('assertion failed: 1 + 1 !== 3');
    expect(logs.text).toContain('##[error]Process completed with exit code 1.');
    expect(logs.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z /m);

    // The runs API lists every run, completed.
    const listed = await e.api('GET', '/repos/o/r/actions/runs?per_page=100', e.pat);
    expect(listed.body.total_count).toBe(e.runner.runs.length);
    expect(listed.body.workflow_runs.every((r) => r.status === 'completed')).toBe(true);
    const jobs = await e.api('GET', `/repos/o/r/actions/runs/${prRun.id}/jobs`, e.pat);
    expect(jobs.body.jobs[0]).toMatchObject({ name: 'test', conclusion: 'failure', head_sha: headSha });

    // Red CI on the PR reached the workflow_run listener too, with the PR attached.
    const red = runsOf(e, 'After CI').find((r) => get(r.payload, 'workflow_run', 'id') === prRun.id)!;
    expect(red.jobs[0]!.log).toContain(`ci=failure sha=${headSha} event=pull_request`);
    expect((red.payload.workflow_run as { pull_requests: { number: number }[] }).pull_requests.map((p) => p.number)).toEqual([
      pr.body.number,
    ]);

    // Observers saw queued → started → completed for every run.
    for (const r of e.runner.runs) {
      expect(e.events.filter((x) => x.run.id === r.id).map((x) => x.type)).toEqual(['queued', 'started', 'completed']);
    }
  });

  it('writes made with the automatic token start nothing; a dispatch with it does', async () => {
    const LABELED = `name: Labeled
on:
  issues:
    types: [labeled]
  workflow_dispatch:
    inputs:
      item:
        required: true
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "event=\${{ github.event_name }} label=\${{ github.event.label.name }} item=\${{ inputs.item }} actor=\${{ github.actor }}"
`;
    const PUSH_ONLY = `name: Push only
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo push
`;
    const e = await setup({ '.github/workflows/labeled.yml': LABELED, '.github/workflows/push.yml': PUSH_ONLY });
    const n = await openIssue(e);

    expect((await e.api('POST', `/repos/o/r/issues/${n}/labels`, e.auto, { labels: ['by-bot'] })).status).toBe(200);
    await e.runner.idle();
    expect(e.runner.runs).toEqual([]);

    expect((await e.api('POST', `/repos/o/r/issues/${n}/labels`, e.pat, { labels: ['by-maria'] })).status).toBe(200);
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.event.name, r.event.label, r.event.item, r.conclusion])).toEqual([
      ['issues', 'by-maria', n, 'success'],
    ]);
    expect(e.runner.runs[0]!.jobs[0]!.log).toContain(`event=issues label=by-maria item= actor=maria`);

    const dispatched = await e.api('POST', '/repos/o/r/actions/workflows/labeled.yml/dispatches', e.auto, {
      ref: 'main',
      inputs: { item: String(n) },
    });
    expect(dispatched.status).toBe(204);
    await e.runner.idle();
    const run = e.runner.runs[1]!;
    expect([run.event.name, run.event.item, run.event.automatic, run.conclusion]).toEqual(['workflow_dispatch', n, true, 'success']);
    expect(run.jobs[0]!.log).toContain(`event=workflow_dispatch label= item=${n} actor=github-actions[bot]`);
    expect(run.payload).toMatchObject({ inputs: { item: String(n) }, ref: 'refs/heads/main', workflow: '.github/workflows/labeled.yml' });

    // What GitHub refuses: a workflow without workflow_dispatch (422), an unknown file (404),
    // a missing required input (422), an unknown ref (422).
    expect((await e.api('POST', '/repos/o/r/actions/workflows/push.yml/dispatches', e.pat, { ref: 'main' })).status).toBe(422);
    expect((await e.api('POST', '/repos/o/r/actions/workflows/nope.yml/dispatches', e.pat, { ref: 'main' })).status).toBe(404);
    const missing = await e.api('POST', '/repos/o/r/actions/workflows/labeled.yml/dispatches', e.pat, { ref: 'main' });
    expect([missing.status, missing.body.message]).toEqual([422, "Required input 'item' not provided"]);
    expect(
      (await e.api('POST', '/repos/o/r/actions/workflows/labeled.yml/dispatches', e.pat, { ref: 'nope', inputs: { item: '1' } })).status,
    ).toBe(422);

    // A push made with the automatic token starts nothing either.
    const before = (await git.revParse(e.repo.gitDir, 'refs/heads/main'))!;
    const after = await git.commitFiles(e.repo.gitDir, 'main', { x: 'y' }, 'bot commit');
    await e.forge.afterPush(e.repo, [{ ref: 'refs/heads/main', before, after }], {
      login: 'github-actions[bot]',
      automatic: true,
      kind: 'workflow',
    });
    await e.runner.idle();
    expect(e.runner.runs).toHaveLength(2);
    e.forge.violations.length = 0; // the refused dispatches above are deliberate
  });

  const gated = (queue: string) => `name: Serial
on:
  workflow_dispatch:
    inputs:
      n:
        default: '0'
concurrency:
  group: g
  cancel-in-progress: false${queue}
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: node -e "const fs=require('fs');const t=setInterval(()=>{if(fs.existsSync(process.env.GATE))clearInterval(t)},10)"
`;

  async function fireFour(e: Env, gate: string): Promise<void> {
    for (const n of [1, 2, 3, 4]) {
      const r = await e.api('POST', '/repos/o/r/actions/workflows/serial.yml/dispatches', e.pat, { ref: 'main', inputs: { n: String(n) } });
      expect(r.status).toBe(204);
    }
    await waitFor('four runs', () => e.runner.runs.length === 4);
    await writeFile(gate, '');
    await e.runner.idle();
  }

  it('GitHub concurrency: one running, one pending, newer pending replaces older', async () => {
    const gate = join(tmpdir(), `gate-${process.pid}-${Date.now()}-a`);
    const e = await setup({ '.github/workflows/serial.yml': gated('') }, { env: { GATE: gate } });
    try {
      await fireFour(e, gate);
    } finally {
      await rm(gate, { force: true });
    }
    const runs = e.runner.runs;
    expect(runs.map((r) => [r.inputs.n, r.conclusion, r.cancelledByConcurrency])).toEqual([
      ['1', 'success', false],
      ['2', 'cancelled', true],
      ['3', 'cancelled', true],
      ['4', 'success', false],
    ]);
    expect(runs.every((r) => r.concurrencyGroup === 'g')).toBe(true);
    expect(runs[3]!.startedAt!).toBeGreaterThanOrEqual(runs[0]!.completedAt!);
    // Replaced runs never started: no jobs, no check runs; the runs API shows them cancelled.
    expect(runs[1]!.jobs).toEqual([]);
    expect(e.repo.runs.map((r) => r.conclusion)).toEqual(['success', 'cancelled', 'cancelled', 'success']);
    expect(e.events.filter((x) => x.run.id === runs[1]!.id).map((x) => x.type)).toEqual(['queued', 'cancelled', 'completed']);
  });

  it('GitHub concurrency with queue: max: every run waits its turn, in order', async () => {
    const gate = join(tmpdir(), `gate-${process.pid}-${Date.now()}-b`);
    const e = await setup({ '.github/workflows/serial.yml': gated('\n  queue: max') }, { env: { GATE: gate } });
    const statuses: string[] = [];
    try {
      for (const n of [1, 2, 3, 4])
        await e.api('POST', '/repos/o/r/actions/workflows/serial.yml/dispatches', e.pat, { ref: 'main', inputs: { n: String(n) } });
      await waitFor('four runs', () => e.runner.runs.length === 4);
      statuses.push(...e.repo.runs.map((r) => r.status));
      await writeFile(gate, '');
      await e.runner.idle();
    } finally {
      await rm(gate, { force: true });
    }
    expect(statuses).toEqual(['in_progress', 'pending', 'pending', 'pending']);
    const runs = e.runner.runs;
    expect(runs.map((r) => [r.inputs.n, r.conclusion])).toEqual([
      ['1', 'success'],
      ['2', 'success'],
      ['3', 'success'],
      ['4', 'success'],
    ]);
    for (let k = 1; k < 4; k++) expect(runs[k]!.startedAt!).toBeGreaterThanOrEqual(runs[k - 1]!.completedAt!);
  });

  it('if: false skips a job; continue-on-error; job and step timeout-minutes', async () => {
    const MISC = `name: Misc
on: workflow_dispatch
jobs:
  never:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  tolerant:
    runs-on: ubuntu-latest
    steps:
      - id: bad
        run: exit 3
        continue-on-error: true
      - run: echo "bad outcome=\${{ steps.bad.outcome }} conclusion=\${{ steps.bad.conclusion }}"
  hangs:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - run: sleep 30
      - if: always()
        run: echo cleanup ran
      - run: echo not reached
  slow-step:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
        timeout-minutes: 0.01
      - if: failure()
        run: echo after failure
`;
    const e = await setup({ '.github/workflows/misc.yml': MISC });
    const started = Date.now();
    expect((await e.api('POST', '/repos/o/r/actions/workflows/misc.yml/dispatches', e.pat, { ref: 'main' })).status).toBe(204);
    await e.runner.idle();
    expect(Date.now() - started).toBeLessThan(10_000);
    const [run] = e.runner.runs;
    const job = (key: string) => run!.jobs.find((j) => j.key === key)!;
    expect(run!.jobs.map((j) => [j.key, j.conclusion])).toEqual([
      ['never', 'skipped'],
      ['tolerant', 'success'],
      ['hangs', 'cancelled'],
      ['slow-step', 'failure'],
    ]);
    expect(run!.conclusion).toBe('failure');
    // Skipped jobs still get a (skipped) check run, as on GitHub.
    expect(e.repo.checkRuns.map((c) => [c.name, c.conclusion])).toEqual([
      ['never', 'skipped'],
      ['tolerant', 'success'],
      ['hangs', 'cancelled'],
      ['slow-step', 'failure'],
    ]);
    expect(job('tolerant').steps.map((s) => [s.outcome, s.conclusion])).toEqual([
      ['failure', 'success'],
      ['success', 'success'],
    ]);
    expect(job('tolerant').log).toContain('bad outcome=failure conclusion=success');
    expect(job('hangs').timedOut).toBe(true);
    expect(job('hangs').steps.map((s) => s.conclusion)).toEqual(['cancelled', 'success', 'skipped']);
    expect(job('hangs').log).toContain('cleanup ran');
    expect(job('hangs').log).toContain('has exceeded the maximum execution time of 0.02 minutes');
    expect(job('hangs').steps[0]!.killed).toBe('job-timeout');
    expect(job('slow-step').steps.map((s) => [s.killed, s.conclusion])).toEqual([
      ['timeout', 'failure'],
      [undefined, 'success'],
    ]);
    // groupAlive(undefined) is false: the steps that were killed must have a recorded process group to check.
    expect([job('hangs').steps[0]!.pid, job('slow-step').steps[0]!.pid]).toEqual([expect.any(Number), expect.any(Number)]);
    for (const j of run!.jobs) for (const s of j.steps) if (s.pid !== undefined) expect(groupAlive(s.pid)).toBe(false);
  });

  it('checkout: real git at the event sha; persist-credentials: false leaves no token; the step env is the Actions env', async () => {
    const INSPECT = `name: Inspect
on:
  issues:
    types: [opened]
jobs:
  inspect:
    runs-on: ubuntu-latest
    env:
      FROM_JOB: job-\${{ github.event.issue.number }}
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - uses: ${CHECKOUT}
        with:
          path: persisted
      - uses: some/other-action@v1
      - id: look
        env:
          FROM_STEP: step
        run: |
          echo "head=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
          echo "branch=$(git rev-parse --abbrev-ref HEAD)" >> "$GITHUB_OUTPUT"
          { echo "event<<EOF_EVENT"; cat "$GITHUB_EVENT_PATH"; echo; echo "EOF_EVENT"; } >> "$GITHUB_OUTPUT"
          { echo "env<<EOF_ENV"; env | sort; echo "EOF_ENV"; } >> "$GITHUB_OUTPUT"
          echo "## inspected" >> "$GITHUB_STEP_SUMMARY"
          echo "LATER=from-github-env" >> "$GITHUB_ENV"
      - id: later
        run: echo "later=$LATER" >> "$GITHUB_OUTPUT"
`;
    const emitted: ForgeEvent[] = [];
    const e = await setup(
      { '.github/workflows/inspect.yml': INSPECT, 'hello.txt': 'hi\n' },
      {
        keepWorkspaces: true,
        secrets: { SOME_SECRET: 'do-not-leak-me' },
        deliver: (ev) => {
          emitted.push(ev);
          return 'deliver';
        },
      },
    );
    process.env.EMBEDDED_RUNNER_PARENT_SECRET = 'parent-secret-value';
    try {
      await openIssue(e, 'Look around');
      await e.runner.idle();
    } finally {
      delete process.env.EMBEDDED_RUNNER_PARENT_SECRET;
    }
    const [run] = e.runner.runs;
    const job = run!.jobs[0]!;
    expect(run!.conclusion, job.log).toBe('success');
    const mainSha = await git.revParse(e.repo.gitDir, 'refs/heads/main');
    const look = job.steps.find((s) => s.id === 'look')!.outputs;
    expect(look.head).toBe(mainSha);
    expect(look.branch).toBe('main');
    expect(job.steps.find((s) => s.id === 'later')!.outputs).toEqual({ later: 'from-github-env' });
    expect(job.steps[2]!.kind).toBe('unsimulated');
    expect(job.log).toContain('some/other-action@v1: skipped (not simulated)');
    expect(job.summary).toContain('## inspected');

    // GITHUB_EVENT_PATH holds exactly the payload the forge delivered.
    const delivered = emitted.find((ev) => ev.name === 'issues' && ev.action === 'opened')!;
    expect(JSON.parse(look.event!)).toEqual(JSON.parse(JSON.stringify(delivered.payload)));

    const env = parseKeyValueFile(look.env!.split('\n').join('\n'));
    expect(env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_EVENT_NAME: 'issues',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_REPOSITORY_OWNER: 'o',
      GITHUB_API_URL: e.forge.urls.api,
      GITHUB_SERVER_URL: e.forge.urls.web,
      GITHUB_RUN_ID: String(run!.id),
      GITHUB_RUN_NUMBER: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'Inspect',
      GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/inspect.yml@refs/heads/main',
      GITHUB_JOB: 'inspect',
      GITHUB_ACTOR: 'maria',
      GITHUB_SHA: mainSha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_WORKSPACE: job.workspace,
      RUNNER_OS: 'Linux',
      FROM_JOB: expect.stringMatching(/^job-\d+$/),
      FROM_STEP: 'step',
    });
    for (const k of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH', 'RUNNER_TEMP', 'HOME', 'PATH'])
      expect(env[k], k).toBeTruthy();
    // No token and nothing of the parent's environment or secrets reaches a step unless mapped.
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(look.env).not.toContain('parent-secret-value');
    expect(look.env).not.toContain('do-not-leak-me');
    expect(look.env).not.toContain(run!.token);

    // persist-credentials: false → neither the token nor an auth header in .git/config; the origin URL is clean.
    const config = await readFile(join(job.workspace!, '.git', 'config'), 'utf8');
    const header = Buffer.from(`x-access-token:${run!.token}`).toString('base64');
    expect(config).toContain(`url = ${e.forge.urls.web}/o/r`);
    expect(config).not.toContain(run!.token);
    expect(config).not.toContain(header);
    expect(config).not.toContain('extraheader');
    // Default (persist) → the auth header actions/checkout writes, for later git commands.
    const persisted = await readFile(join(job.workspace!, 'persisted', '.git', 'config'), 'utf8');
    expect(persisted).toContain(`extraheader = AUTHORIZATION: basic ${header}`);
    expect(existsSync(join(job.workspace!, 'persisted', 'hello.txt'))).toBe(true);
    // The token never shows in the log.
    expect(job.log).not.toContain(run!.token);
  });

  it('checkout of a pull_request run gets the PR head, detached; fetch-depth: 0 brings every branch', async () => {
    const PR = `name: PR
on: pull_request
jobs:
  look:
    runs-on: ubuntu-latest
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
          fetch-depth: 0
      - id: git
        run: |
          echo "head=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
          echo "detached=$(git symbolic-ref -q HEAD || echo yes)" >> "$GITHUB_OUTPUT"
          echo "main=$(git rev-parse refs/remotes/origin/main)" >> "$GITHUB_OUTPUT"
          echo "file=$(cat change.txt)" >> "$GITHUB_OUTPUT"
`;
    const e = await setup({ '.github/workflows/pr.yml': PR });
    const head = await e.push('topic', { 'change.txt': 'topic change' });
    expect((await e.api('POST', '/repos/o/r/pulls', e.pat, { title: 'Topic', head: 'topic', base: 'main' })).status).toBe(201);
    await e.runner.idle();
    const [run] = e.runner.runs;
    expect(run!.conclusion, run!.jobs[0]!.log).toBe('success');
    expect(run!.headSha).toBe(head);
    expect(run!.jobs[0]!.steps[1]!.outputs).toEqual({
      head,
      detached: 'yes',
      main: await git.revParse(e.repo.gitDir, 'refs/heads/main'),
      file: 'topic change',
    });
  });

  it('killStep kills the running step and its whole process group; the run fails', async () => {
    const VICTIM = `name: Victim
on: workflow_dispatch
jobs:
  victim:
    runs-on: ubuntu-latest
    steps:
      - run: |
          sleep 30 &
          echo "child=$!"
          sleep 30
`;
    const e = await setup(
      { '.github/workflows/victim.yml': VICTIM },
      { killStep: (_run, job, step) => (job === 'victim' && step.number === 1 ? { afterMs: 300 } : undefined) },
    );
    await e.api('POST', '/repos/o/r/actions/workflows/victim.yml/dispatches', e.pat, { ref: 'main' });
    await e.runner.idle();
    const [run] = e.runner.runs;
    const step = run!.jobs[0]!.steps[0]!;
    expect([run!.conclusion, run!.jobs[0]!.conclusion, step.conclusion, step.killed]).toEqual([
      'failure',
      'failure',
      'failure',
      'killStep',
    ]);
    expect(step.signal).toBe('SIGKILL');
    expect(step.pid).toEqual(expect.any(Number)); // groupAlive(undefined) is false whatever happened
    expect(groupAlive(step.pid)).toBe(false);
    const child = Number(/child=(\d+)/.exec(run!.jobs[0]!.log)?.[1]);
    expect(child).toBeGreaterThan(0);
    expect(processAlive(child)).toBe(false);
    expect(e.repo.checkRuns[0]).toMatchObject({ name: 'victim', status: 'completed', conclusion: 'failure' });
  });

  it('deliver: drop loses an event, duplicate delivers it twice', async () => {
    const LABELED = `name: Labeled
on:
  issues:
    types: [labeled]
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.label.name }}"
`;
    const e = await setup(
      { '.github/workflows/labeled.yml': LABELED },
      {
        deliver: (ev) => {
          const label = get(ev.payload, 'label', 'name');
          return label === 'drop-me' ? 'drop' : label === 'twice' ? 'duplicate' : 'deliver';
        },
      },
    );
    const n = await openIssue(e);
    await e.api('POST', `/repos/o/r/issues/${n}/labels`, e.pat, { labels: ['drop-me'] });
    await e.runner.idle();
    expect(e.runner.runs).toEqual([]);
    await e.api('POST', `/repos/o/r/issues/${n}/labels`, e.pat, { labels: ['twice'] });
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.event.label, r.conclusion])).toEqual([
      ['twice', 'success'],
      ['twice', 'success'],
    ]);
    expect(new Set(e.runner.runs.map((r) => r.id)).size).toBe(2);
  });

  describe('the agentloop step', () => {
    const ACTION_YML = `name: agentloop (stub)
inputs:
  token:
    required: false
    default: \${{ github.token }}
  lane:
    required: false
  agent command:
    required: false
  with-default:
    required: false
    default: fallback-\${{ github.event_name }}
runs:
  using: node24
  main: dist/index.js
`;
    const STUB = `const fs = require('fs');
const inputs = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INPUT_')).sort());
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'seen=' + JSON.stringify(inputs) + '\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'transition<<ghadelimiter_1\\nplan\\nghadelimiter_1\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'reason=because\\n');
fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, '| transition | \`plan\` |\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'cwd=' + process.cwd() + '\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'action_path=' + process.env.GITHUB_ACTION_PATH + '\\n');
console.log('using token ' + process.env.INPUT_TOKEN);
`;
    const PLAN = (uses: string) => `name: agentloop plan
on:
  issues:
    types: [labeled]
concurrency:
  group: agentloop-plan-\${{ github.event.issue.number }}
  cancel-in-progress: false
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses}
        with:
          token: \${{ secrets.AGENTLOOP_TOKEN || github.token }}
          lane: plan
          agent command: node agent.js
`;

    async function withAction(secrets: Record<string, string>, uses: string): Promise<{ e: Env; run: RunRecord }> {
      const e = await setup({ '.github/workflows/plan.yml': PLAN(uses) }, { secrets });
      await mkdir(join(e.dir, 'action', 'dist'), { recursive: true });
      await writeFile(join(e.dir, 'action', 'action.yml'), ACTION_YML);
      await writeFile(join(e.dir, 'action', 'dist', 'index.js'), STUB);
      const n = await openIssue(e);
      await e.api('POST', `/repos/o/r/issues/${n}/labels`, e.pat, { labels: ['loop/plan'] });
      await e.runner.idle();
      expect(e.runner.runs).toHaveLength(1);
      const run = e.runner.runs[0]!;
      expect(run.conclusion, run.jobs[0]!.log).toBe('success');
      expect(run.concurrencyGroup).toBe(`agentloop-plan-${n}`);
      expect(run.event).toMatchObject({ name: 'issues', action: 'labeled', label: 'loop/plan', item: n });
      return { e, run };
    }

    it('gets its inputs evaluated: the secret over github.token, declared defaults applied', async () => {
      const pat = 'ghp_agentloop_bot_pat_123';
      const { e, run } = await withAction({ AGENTLOOP_TOKEN: pat }, 'agentloop/agentloop@0000000000000000000000000000000000000000');
      expect(JSON.parse(run.outputs.seen!)).toEqual({
        INPUT_TOKEN: pat,
        INPUT_LANE: 'plan',
        INPUT_AGENT_COMMAND: 'node agent.js',
        'INPUT_WITH-DEFAULT': 'fallback-issues',
      });
      expect(run.outputs.transition).toBe('plan');
      expect(run.outputs.reason).toBe('because');
      expect(run.summary).toBe('| transition | `plan` |\n');
      expect(run.outputs.cwd).toBe(run.jobs[0]!.workspace);
      expect(run.outputs.action_path).toBe(join(e.dir, 'action'));
      expect(run.jobs[0]!.steps[0]!.kind).toBe('agentloop');
      // Secrets are masked in the log.
      expect(run.jobs[0]!.log).toContain('using token ***');
      expect(run.jobs[0]!.log).not.toContain(pat);
    });

    it('without the secret, `uses: ./` falls back to the run token (github.token)', async () => {
      const { run } = await withAction({}, './');
      const seen = JSON.parse(run.outputs.seen!) as Record<string, string>;
      expect(seen.INPUT_TOKEN).toBe(run.token);
      expect(seen.INPUT_TOKEN).toMatch(/^ghs_/);
      expect(seen['INPUT_WITH-DEFAULT']).toBe('fallback-issues');
    });
  });

  it('never chains workflow_run more than 3 levels deep', async () => {
    const SELF = `name: Loop
on:
  workflow_dispatch:
  workflow_run:
    workflows: [Loop]
    types: [completed]
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "depth"
`;
    const e = await setup({ '.github/workflows/loop.yml': SELF });
    await e.api('POST', '/repos/o/r/actions/workflows/loop.yml/dispatches', e.pat, { ref: 'main' });
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.event.name, r.depth])).toEqual([
      ['workflow_dispatch', 0],
      ['workflow_run', 1],
      ['workflow_run', 2],
      ['workflow_run', 3],
    ]);
  });

  it('tickSchedule starts scheduled workflows on the default branch', async () => {
    const SWEEP = `name: Sweep
on:
  schedule:
    - cron: '*/15 * * * *'
jobs:
  sweep:
    runs-on: ubuntu-latest
    steps:
      - run: echo "cron=\${{ github.event.schedule }}"
`;
    const e = await setup({ '.github/workflows/sweep.yml': SWEEP });
    e.runner.tickSchedule(e.repo);
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.event.name, r.conclusion])).toEqual([['schedule', 'success']]);
    expect(e.runner.runs[0]!.jobs[0]!.log).toContain('cron=*/15 * * * *');
  });
});

describe('WorkflowRunner (Forgejo flavor)', () => {
  it('records commit statuses instead of check runs, sets GITEA_ACTIONS, and has no workflow_run', async () => {
    const e = await setup(
      {
        '.forgejo/workflows/ci.yml': CI.replace(
          'run: node test.js',
          'run: node test.js && echo "gitea=$GITEA_ACTIONS forgejo=$FORGEJO_ACTIONS"',
        ),
        '.github/workflows/ignored.yml': AFTER_CI,
        '.forgejo/workflows/after.yml': AFTER_CI,
        'test.js': PASSING,
      },
      { flavor: 'forgejo' },
    );
    const sha = await e.push('main', { 'README.md': 'x\n' });
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.workflow.name, r.conclusion])).toEqual([['CI', 'success']]);
    expect(e.repo.checkRuns).toEqual([]);
    expect(e.repo.statuses.map((s) => [s.sha, s.context, s.state])).toEqual([
      [sha, 'CI / test (push)', 'pending'],
      [sha, 'CI / test (push)', 'success'],
    ]);
    expect(e.runner.runs[0]!.jobs[0]!.log).toContain('gitea=true forgejo=true');
  });
});

describe('steps helpers', () => {
  it('parses GITHUB_OUTPUT in both forms', () => {
    expect(parseKeyValueFile('a=1\nb<<EOF\nline 1\nline=2\nEOF\nc=x=y\n')).toEqual({ a: '1', b: 'line 1\nline=2', c: 'x=y' });
  });

  it('classifies uses: and names inputs as the runner does', () => {
    expect(usesKind('actions/checkout@v4')).toBe('checkout');
    expect(usesKind('agentloop/agentloop@0123')).toBe('agentloop');
    expect(usesKind('someone/agentloop@v1')).toBe('agentloop');
    expect(usesKind('./')).toBe('agentloop');
    expect(usesKind('actions/setup-node@v4')).toBe('unsimulated');
    expect(usesKind('agentloop/agentloop-extra@v1')).toBe('unsimulated');
    expect(inputEnvName('agent command')).toBe('INPUT_AGENT_COMMAND');
    expect(inputEnvName('dry-run')).toBe('INPUT_DRY-RUN');
  });

  it('never puts the token in the checkout URL', () => {
    const plan = checkoutCommands({
      with: { 'persist-credentials': 'false' },
      workspace: '/w',
      serverUrl: 'http://h:1',
      repository: 'o/r',
      ref: 'refs/heads/main',
      sha: 'a'.repeat(40),
      token: 'ghs_secret',
    });
    const all = [...plan.setup, ...plan.attempts.flat(), ...plan.finish].map((c) => c.join(' ')).join('\n');
    expect(all).toContain('remote add origin http://h:1/o/r');
    expect(all).not.toContain('ghs_secret');
    expect(plan.finish).toEqual([]);
  });
});
