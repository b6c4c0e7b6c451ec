// The embedded forge's workflow runner: turns forge events into workflow runs with each forge's REAL
// semantics and executes them — real `git` for actions/checkout, real processes for `run:` steps,
// and agentloop itself (`node <actionDir>/dist/index.js`) with the Actions environment.
//
// What it does, per event (GitHub flavor unless noted):
// - Events caused by a workflow's automatic token start nothing, except workflow_dispatch and
//   repository_dispatch (docs.github.com "Triggering a workflow from a workflow"; Forgejo: same rule).
// - Workflow files are read from the commit the forge would use: the default branch for issues,
//   issue_comment, schedule, workflow_run, pull_request_target, repository_dispatch; the dispatched
//   ref for workflow_dispatch; the pushed sha for push; the PR head sha for pull_request (GitHub uses
//   the merge commit — the head is close enough here, and there are no refs/pull/* in this forge).
// - Each planned run (workflow-engine.ts planEvent) becomes a WorkflowRunRec (so the runs API sees
//   it) and goes through a per-repository ConcurrencyScheduler with the workflow-level group.
//   Status: queued → (pending while it waits for its group) → in_progress → completed.
// - Jobs run one after another (ordered by `needs`, a failed/cancelled need skips the job unless its
//   `if:` uses a status function); steps sequentially; a failed step skips the rest unless their
//   `if:` says otherwise (`always()`, `failure()`); `continue-on-error` is honoured.
// - Job `timeout-minutes` (default 360) cancels the job: the running step's process group is killed,
//   the job concludes `cancelled` (what GitHub records for a job that hit its timeout). Step
//   `timeout-minutes` fails the step. Fractional minutes are accepted (tests use 0.02).
// - GitHub: a check run per job on the run's head sha (PR head sha for pull_request), named by the
//   job's name, in_progress → completed; skipped jobs get a completed check run with conclusion
//   skipped. Forgejo: a commit status per job instead, context "<workflow> / <job> (<event>)".
// - GitHub: `workflow_run` events (requested, in_progress, completed) for every run, including runs
//   cancelled by concurrency; never for runs more than 3 workflow_run levels deep (GitHub's limit on
//   chaining). Forgejo has no workflow_run.
// - Parallelism: at most `maxParallelJobs` (default 2) jobs execute at once across all runs; the rest
//   wait in the order they became ready.
//
// Assumptions (stated where they matter): job-level `concurrency:` is not scheduled (only the
// workflow level); `permissions:` do not restrict the automatic token; matrix, services, containers,
// reusable workflows, pre/post action steps and job outputs are not simulated; `uses:` other than
// actions/checkout and agentloop are no-ops that log "skipped (not simulated)". Invalid workflow files
// start no run (GitHub shows a failed run for them on push; they are listed in `invalidWorkflows`).
import { get } from './workflow-expr.js';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ForgeEvent } from './events.js';
import * as git from './git-ops.js';
import { hashPath, repoJson, userJson, workflowRunJson } from './github-json.js';
import type { EmbeddedForge } from './server.js';
import type { CheckRunRec, JobRec, RepoState, StatusRec, TokenRec, WorkflowRunRec } from './state.js';
import {
  checkoutCommands,
  inputEnvName,
  JobLog,
  killGroup,
  OutputSplitter,
  parseKeyValueFile,
  parsePathFile,
  readActionManifest,
  readIfExists,
  shellCommand,
  spawnStep,
  usesKind,
  type StepProcess,
  type UsesKind,
} from './steps.js';
import {
  ConcurrencyScheduler,
  evaluateIf,
  evaluateTemplate,
  evaluateValue,
  parseWorkflowFile,
  planEvent,
  selectWorkflowPaths,
  truthy,
  validateDispatchInputs,
  type ExpressionContext,
  type JobStatus,
  type ParsedJob,
  type ParsedStep,
  type PlannedJob,
  type PlannedRun,
  type QueuedRun,
  type TriggerEvent,
  type WorkflowFile,
} from './workflow-engine.js';

export { groupAlive, processAlive } from './steps.js';

// ---------------------------------------------------------------------------------------------
// Public types.

export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'skipped';
export type StepConclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRecord {
  /** 1-based, as the jobs API numbers steps. */
  number: number;
  id?: string;
  /** Display name: `name:`, else `Run <uses>` / `Run <first script line>`. */
  name: string;
  kind: 'run' | UsesKind;
  uses?: string;
  status: 'queued' | 'in_progress' | 'completed';
  /** Result before continue-on-error. */
  outcome: StepConclusion | null;
  /** Result after continue-on-error. */
  conclusion: StepConclusion | null;
  exitCode: number | null;
  signal: string | null;
  /** Process group id of the step's (last) process, while it runs and after. */
  pid?: number;
  /** Why the runner killed it. */
  killed?: 'killStep' | 'timeout' | 'job-timeout' | 'cancelled';
  /** Parsed GITHUB_OUTPUT (and `::set-output`). */
  outputs: Record<string, string>;
  /** What the step wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Why the runner failed it without running it (expression errors). */
  error?: string;
  startedAt?: number;
  durationMs?: number;
}

export interface JobRecord {
  /** The job id in the workflow file (`jobs.<key>`). */
  key: string;
  /** The JobRec id (jobs API, job-logs API, check run jobId). */
  id: number;
  /** Evaluated `name:` (the check run's name). */
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: RunConclusion | null;
  steps: StepRecord[];
  /** The job log as the job-logs API serves it. */
  log: string;
  /** Step summaries, concatenated (the job summary). */
  summary: string;
  timedOut: boolean;
  workspace?: string;
  checkRunId?: number;
  error?: string;
  startedAt?: number;
  durationMs?: number;
}

export interface RunRecord {
  id: number;
  /** owner/name */
  repo: string;
  /** The forge's record (what the runs API serves). */
  rec: WorkflowRunRec;
  workflow: { name: string; path: string };
  event: {
    /** As the workflow sees it (e.g. pull_request_target). */
    name: string;
    action?: string;
    /** `label.name` of labeled/unlabeled events. */
    label?: string;
    /** Issue/PR number the event is about (dispatch: the `item`/`issue`/`number` input). */
    item?: number;
    actor: string;
    automatic: boolean;
    ref: string;
    sha: string;
  };
  payload: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** The `github` context (its token is the run's automatic token). */
  github: Record<string, unknown>;
  /** The run's automatic token (github.token). */
  token: string;
  headSha: string;
  headBranch: string;
  /** Evaluated workflow-level concurrency group (undefined = none). */
  concurrencyGroup?: string;
  status: 'queued' | 'pending' | 'in_progress' | 'completed';
  conclusion: RunConclusion | null;
  /** Cancelled by a newer run of its concurrency group (replaced while pending, or cancel-in-progress). */
  cancelledByConcurrency: boolean;
  /** workflow_run chain depth (0 = not triggered by workflow_run). */
  depth: number;
  /** Evaluation error that failed the run before any job. */
  error?: string;
  jobs: JobRecord[];
  /** The agentloop step's parsed GITHUB_OUTPUT (transition, reason, item, outcome, …); {} if none ran. */
  outputs: Record<string, string>;
  /** The agentloop step's step-summary text. */
  summary: string;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  /** createdAt → startedAt (waiting for the concurrency group). */
  queuedMs?: number;
  /** startedAt → completedAt. */
  durationMs?: number;
}

export interface RunEvent {
  /** queued: created; started: got its concurrency group; cancelled: cancelled by concurrency
   *  (followed by `completed` once it has stopped); completed: finished (any conclusion). */
  type: 'queued' | 'started' | 'cancelled' | 'completed';
  run: RunRecord;
}

export type Delivery = 'drop' | 'duplicate' | 'deliver';

export interface RunnerOptions {
  flavor: 'github' | 'forgejo';
  /** Directory holding agentloop's package (dist/index.js): `uses: <anything>/agentloop@<ref>` and `uses: ./`
   *  run `node <actionDir>/<runs.main of its action.yml, default dist/index.js>`. */
  actionDir: string;
  /** Temp dir for workspaces, RUNNER_TEMP, HOME, outputs. */
  workRoot: string;
  /** secrets.* (GITHUB_TOKEN is added per run: the run's automatic token). */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Extra environment for every step process (values replace the defaults; pass a full PATH to
   *  extend it). The parent's environment is NOT inherited (only PATH). */
  env?: Record<string, string>;
  onRunEvent?: (e: RunEvent) => void;
  /** Fault injection: kill a step's process group (SIGKILL) `afterMs` after it starts. */
  killStep?: (run: RunRecord, job: string, step: StepRecord) => { afterMs: number } | undefined;
  /** Fault injection on event delivery. */
  deliver?: (e: ForgeEvent) => Delivery;
  /** Jobs executing at once across all runs (default 2: the machine has 2 cores). */
  maxParallelJobs?: number;
  /** Keep each job's directory (workspace, HOME, RUNNER_TEMP) after the job (default: removed). */
  keepWorkspaces?: boolean;
  /** idle(): how long nothing must happen before it resolves (default 100 ms) — the forge emits
   *  push events asynchronously after a push has returned. */
  settleMs?: number;
  /** Login of the automatic token (default github-actions[bot]). */
  botLogin?: string;
}

// ---------------------------------------------------------------------------------------------
// Internals.

interface RepoCtx {
  repo: RepoState;
  scheduler: ConcurrencyScheduler<RunRecord>;
  chain: Promise<void>;
}

interface RunInternals {
  planned: PlannedRun;
  repoState: RepoState;
  cancelRequested: boolean;
  started: boolean;
  /** Kills the running step (with the reason recorded on the step). */
  killCurrent?: (reason: NonNullable<StepRecord['killed']>) => void;
  /** Withdraws a job waiting for a slot. */
  cancelWait?: () => void;
}

/** FIFO slots for executing jobs. */
class Slots {
  private free: number;
  private readonly waiting: ((granted: boolean) => void)[] = [];
  constructor(n: number) {
    this.free = Math.max(1, n);
  }
  /** `ready` resolves true once the slot is held (release() it), false when withdrawn by cancel(). */
  acquire(): { ready: Promise<boolean>; cancel: () => void } {
    if (this.free > 0) {
      this.free--;
      return { ready: Promise.resolve(true), cancel: () => {} };
    }
    let settle!: (granted: boolean) => void;
    const ready = new Promise<boolean>((r) => (settle = r));
    this.waiting.push(settle);
    return {
      ready,
      cancel: () => {
        const i = this.waiting.indexOf(settle);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          settle(false);
        }
      },
    };
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.free++;
  }
}

const SHA_RE = /^[0-9a-f]{40}$/;
const ZERO = /^0+$/;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}


/** Jobs ordered by `needs` (stable: file order among the ready ones). */
function orderJobs(jobs: PlannedJob[]): PlannedJob[] {
  const out: PlannedJob[] = [];
  const done = new Set<string>();
  const rest = [...jobs];
  while (rest.length > 0) {
    const i = rest.findIndex((j) => j.job.needs.every((n) => done.has(n) || !jobs.some((x) => x.job.id === n)));
    const next = rest.splice(i >= 0 ? i : 0, 1)[0]!;
    out.push(next);
    done.add(next.job.id);
  }
  return out;
}

function stepDisplayName(step: ParsedStep): string {
  if (step.name) return step.name;
  if (step.uses) return `Run ${step.uses}`;
  const first = (step.run ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return `Run ${first.trim()}`;
}

function usesStatusFunction(cond: string | undefined): boolean {
  return /\b(always|failure|cancelled|success)\s*\(/.test(cond ?? '');
}

/** One event target: which commit's workflows to read and which event to plan. */
interface Target {
  filesSha: string;
  trigger: TriggerEvent;
  /** Keep only runs for this workflow event name (pull_request: the head plan excludes pull_request_target). */
  keep?: string;
  headSha: string;
  headBranch: string;
}

// ---------------------------------------------------------------------------------------------

export class WorkflowRunner {
  readonly runs: RunRecord[] = [];
  /** Workflow files that failed validation, as seen while planning (path → errors). */
  readonly invalidWorkflows = new Map<string, string[]>();
  private readonly repos = new Map<string, RepoCtx>();
  private readonly internals = new Map<number, RunInternals>();
  private readonly slots: Slots;
  private readonly fileCache = new Map<string, WorkflowFile[]>();
  private readonly runNumbers = new Map<string, number>();
  private readonly liveGroups = new Set<number>();
  private pendingEvents = 0;
  private liveRuns = 0;
  private failure: Error | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private settleTimer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(
    readonly forge: EmbeddedForge,
    readonly opts: RunnerOptions,
  ) {
    this.slots = new Slots(opts.maxParallelJobs ?? 2);
  }

  private get botLogin(): string {
    return this.opts.botLogin ?? 'github-actions[bot]';
  }

  /** Subscribes to forge events and answers workflow dispatches. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.forge.state.user(this.botLogin).type = 'Bot';
    this.forge.on((ev) => this.receive(ev));
    this.forge.onDispatch = (repo, workflowPath, ref, inputs, token) => this.dispatch(repo, workflowPath, ref, inputs, token);
  }

  /** Stops reacting to events and kills every running step (for test teardown). */
  stop(): void {
    this.stopped = true;
    for (const i of this.internals.values()) {
      i.cancelRequested = true;
      i.killCurrent?.('cancelled');
      i.cancelWait?.();
    }
    for (const pid of this.liveGroups) killGroup(pid);
  }

  /** A schedule tick: one `schedule` event per distinct cron of the default branch's workflows. */
  tickSchedule(repo: RepoState): void {
    const ctx = this.ctx(repo);
    this.pendingEvents++;
    ctx.chain = ctx.chain
      .then(async () => {
        const sha = await git.revParse(repo.gitDir, git.branchRef(repo.defaultBranch));
        if (!sha) return;
        const crons = new Set<string>();
        for (const file of await this.workflowFiles(repo, sha)) {
          const wf = await parseWorkflowFile(file);
          for (const s of wf.on.schedule ?? []) crons.add(s.cron);
        }
        for (const cron of crons) {
          this.forge.emit(
            {
              name: 'schedule',
              payload: { schedule: cron, repository: repoJson(this.forge.state, repo, this.forge.urls) },
              actor: repo.owner,
              automatic: false,
              ref: git.branchRef(repo.defaultBranch),
              sha,
            },
            repo,
          );
        }
      })
      .catch((err) => this.fail(err))
      .finally(() => this.eventDone());
  }

  /** Resolves when nothing is queued, pending or running and no event is being planned. */
  idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.checkIdle();
    });
  }

  // ---- events ----

  private receive(ev: ForgeEvent): void {
    if (this.stopped) return;
    const delivery = this.opts.deliver?.(ev) ?? 'deliver';
    if (delivery === 'drop') return;
    const times = delivery === 'duplicate' ? 2 : 1;
    const repo = this.forge.state.repos.get(ev.repo.toLowerCase());
    if (!repo) return;
    // The automatic-token rule (GitHub and Forgejo): only dispatches start runs.
    if (ev.automatic && ev.name !== 'workflow_dispatch' && ev.name !== 'repository_dispatch') return;
    if (ev.name === 'workflow_run' && this.opts.flavor !== 'github') return;
    const depth = ev.name === 'workflow_run' ? this.workflowRunDepth(ev) : 0;
    if (depth > 3) return;
    const ctx = this.ctx(repo);
    for (let i = 0; i < times; i++) {
      this.pendingEvents++;
      ctx.chain = ctx.chain
        .then(() => this.plan(ctx, ev, depth))
        .catch((err) => this.fail(err))
        .finally(() => this.eventDone());
    }
  }

  /** Depth of the run a workflow_run event would start: one more than the run that completed. */
  private workflowRunDepth(ev: ForgeEvent): number {
    const id = Number(get(ev.payload, 'workflow_run', 'id'));
    const parent = this.runs.find((r) => r.id === id);
    return (parent?.depth ?? 0) + 1;
  }

  private ctx(repo: RepoState): RepoCtx {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    let c = this.repos.get(key);
    if (!c) {
      c = { repo, scheduler: new ConcurrencyScheduler<RunRecord>(this.opts.flavor), chain: Promise.resolve() };
      this.repos.set(key, c);
    }
    return c;
  }

  private eventDone(): void {
    this.pendingEvents--;
    this.checkIdle();
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.failure) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.reject(this.failure);
      return;
    }
    if (this.waiters.length === 0 || this.busy() || this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this.failure) return this.checkIdle();
      if (this.busy()) return;
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.resolve();
    }, this.opts.settleMs ?? 100);
  }

  private busy(): boolean {
    return this.pendingEvents > 0 || this.liveRuns > 0;
  }

  // ---- dispatch ----

  /** forge.onDispatch: validates like GitHub (404 unknown workflow, 422 no trigger / bad inputs / bad ref). */
  private async dispatch(repo: RepoState, workflowPath: string, ref: string, inputs: Record<string, unknown>, token: TokenRec): Promise<boolean | string> {
    const fullRef = ref.startsWith('refs/') ? ref : SHA_RE.test(ref) ? ref : `refs/heads/${ref}`;
    const sha = await git.revParse(repo.gitDir, fullRef);
    if (!sha) return `No ref found for: ${ref}`;
    const text = await git.readFile(repo.gitDir, sha, workflowPath);
    if (text === null) return false;
    const wf = await parseWorkflowFile({ path: workflowPath, text });
    const problems = wf.errors.length > 0 ? wf.errors : validateDispatchInputs(wf, inputs);
    if (problems.length > 0) return problems.join('; ');
    this.forge.emit(
      {
        name: 'workflow_dispatch',
        payload: {
          inputs,
          ref: fullRef,
          repository: repoJson(this.forge.state, repo, this.forge.urls),
          sender: userJson(this.forge.state, token.login, this.forge.urls),
          workflow: workflowPath,
        },
        actor: token.login,
        automatic: token.automatic,
        ref: fullRef,
        sha,
        workflowPath,
      },
      repo,
    );
    return true;
  }

  // ---- planning ----

  /** Workflow files at a commit, as the forge looks for them (cached: commits are immutable). */
  private async workflowFiles(repo: RepoState, sha: string): Promise<WorkflowFile[]> {
    const key = `${repo.gitDir}@${sha}`;
    const cached = this.fileCache.get(key);
    if (cached) return cached;
    const dirs = this.opts.flavor === 'github' ? ['.github/workflows'] : ['.forgejo/workflows', '.gitea/workflows', '.github/workflows'];
    const paths: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of (await git.listFiles(repo.gitDir, sha, dir)) ?? []) {
        if (e.type === 'file' || e.type === 'symlink') paths.push(e.path);
        else if (e.type === 'dir' && this.opts.flavor === 'forgejo') await walk(e.path);
      }
    };
    for (const d of dirs) await walk(d);
    const files: WorkflowFile[] = [];
    for (const p of selectWorkflowPaths(paths, this.opts.flavor)) {
      const text = await git.readFile(repo.gitDir, sha, p);
      if (text !== null) files.push({ path: p, text });
    }
    this.fileCache.set(key, files);
    return files;
  }

  private async changedFiles(repo: RepoState, base: string, head: string, threeDot: boolean): Promise<string[] | undefined> {
    try {
      const r = await git.git(repo.gitDir, ['diff', '--name-only', '-z', threeDot ? `${base}...${head}` : `${base}..${head}`]);
      return r.stdout.split('\0').filter((p) => p !== '');
    } catch {
      return undefined;
    }
  }

  private async targets(repo: RepoState, ev: ForgeEvent): Promise<Target[]> {
    const defaultRef = git.branchRef(repo.defaultBranch);
    const defaultSha = await git.revParse(repo.gitDir, defaultRef);
    const base: Omit<TriggerEvent, 'ref' | 'sha'> = { name: ev.name, payload: ev.payload, ...(ev.action !== undefined ? { action: ev.action } : {}) };
    const onDefault = (): Target[] =>
      defaultSha ? [{ filesSha: defaultSha, trigger: { ...base, ref: defaultRef, sha: defaultSha }, headSha: defaultSha, headBranch: repo.defaultBranch }] : [];

    switch (ev.name) {
      case 'push': {
        const sha = ev.sha || String(get(ev.payload, 'after') ?? '');
        if (!SHA_RE.test(sha) || ZERO.test(sha)) return [];
        const before = String(get(ev.payload, 'before') ?? '');
        const changed = SHA_RE.test(before) && !ZERO.test(before) ? await this.changedFiles(repo, before, sha, false) : undefined;
        const ref = ev.ref || String(get(ev.payload, 'ref') ?? '');
        return [
          {
            filesSha: sha,
            trigger: { ...base, ref, sha, ...(changed ? { changedFiles: changed } : {}) },
            headSha: sha,
            headBranch: ref.replace(/^refs\/(heads|tags)\//, ''),
          },
        ];
      }
      case 'pull_request': {
        const number = Number(get(ev.payload, 'number') ?? get(ev.payload, 'pull_request', 'number'));
        const pull = repo.pulls.get(number);
        const headSha = (SHA_RE.test(ev.sha) ? ev.sha : undefined) ?? (get(ev.payload, 'pull_request', 'head', 'sha') as string | undefined) ?? pull?.headSha ?? '';
        const headBranch = pull?.head ?? String(get(ev.payload, 'pull_request', 'head', 'ref') ?? '');
        const baseBranch = pull?.base ?? String(get(ev.payload, 'pull_request', 'base', 'ref') ?? repo.defaultBranch);
        const baseSha = await git.revParse(repo.gitDir, git.branchRef(baseBranch));
        const out: Target[] = [];
        const changed = baseSha && headSha ? await this.changedFiles(repo, baseSha, headSha, true) : undefined;
        const extra = changed ? { changedFiles: changed } : {};
        if (SHA_RE.test(headSha)) {
          out.push({
            filesSha: headSha,
            trigger: { ...base, ref: `refs/pull/${number}/merge`, sha: headSha, ...extra },
            keep: 'pull_request',
            headSha,
            headBranch,
          });
        }
        if (baseSha) {
          // pull_request_target: the base branch's workflows, at the base branch's head.
          out.push({
            filesSha: baseSha,
            trigger: { ...base, name: 'pull_request_target', ref: git.branchRef(baseBranch), sha: baseSha, ...extra },
            keep: 'pull_request_target',
            headSha: baseSha,
            headBranch,
          });
        }
        return out;
      }
      case 'workflow_dispatch': {
        const ref = ev.ref || defaultRef;
        const sha = (SHA_RE.test(ev.sha) ? ev.sha : null) ?? (await git.revParse(repo.gitDir, ref));
        if (!sha) return [];
        return [
          {
            filesSha: sha,
            trigger: { ...base, ref, sha, ...(ev.workflowPath ? { workflowPath: ev.workflowPath } : {}) },
            headSha: sha,
            headBranch: ref.replace(/^refs\/(heads|tags)\//, ''),
          },
        ];
      }
      default:
        // issues, issue_comment, schedule, workflow_run, repository_dispatch, …: the default branch.
        return onDefault();
    }
  }

  private async plan(ctx: RepoCtx, ev: ForgeEvent, depth: number): Promise<void> {
    if (this.stopped) return;
    const repo = ctx.repo;
    for (const t of await this.targets(repo, ev)) {
      const files = await this.workflowFiles(repo, t.filesSha);
      if (files.length === 0) continue;
      const plan = await planEvent(files, t.trigger, this.opts.flavor, { owner: repo.owner, name: repo.name, defaultBranch: repo.defaultBranch }, {
        vars: this.opts.vars ?? {},
        allocateRunId: () => this.forge.state.id(),
        github: { serverUrl: this.forge.urls.web, apiUrl: this.forge.urls.api, actor: ev.actor },
      });
      for (const bad of plan.invalid) this.invalidWorkflows.set(bad.path, bad.errors);
      for (const p of plan.runs) {
        if (t.keep && p.event.name !== t.keep) continue;
        this.createRun(ctx, ev, t, p, depth);
      }
    }
  }

  private createRun(ctx: RepoCtx, ev: ForgeEvent, t: Target, p: PlannedRun, depth: number): void {
    const repo = ctx.repo;
    const state = this.forge.state;
    const token = this.forge.token(this.botLogin, true);
    const numberKey = `${repo.owner}/${repo.name}/${p.workflow.path}`.toLowerCase();
    const runNumber = (this.runNumbers.get(numberKey) ?? 0) + 1;
    this.runNumbers.set(numberKey, runNumber);
    const github = { ...p.github, token, run_number: String(runNumber) };
    const at = state.now();
    const rec: WorkflowRunRec = {
      id: p.runId,
      workflowPath: p.workflow.path,
      name: p.workflow.name,
      event: p.event.name,
      headBranch: t.headBranch,
      headSha: t.headSha,
      status: 'queued',
      conclusion: null,
      createdAt: at,
      updatedAt: at,
      actor: ev.actor,
      runAttempt: 1,
      jobs: [],
    };
    repo.runs.push(rec);
    const label = get(p.event.payload, 'label', 'name');
    const item = this.itemOf(p);
    const run: RunRecord = {
      id: p.runId,
      repo: `${repo.owner}/${repo.name}`,
      rec,
      workflow: { name: p.workflow.name, path: p.workflow.path },
      event: {
        name: p.event.name,
        ...(p.event.action !== undefined ? { action: p.event.action } : {}),
        ...(typeof label === 'string' ? { label } : {}),
        ...(item !== undefined ? { item } : {}),
        actor: ev.actor,
        automatic: ev.automatic,
        ref: p.event.ref,
        sha: p.event.sha,
      },
      payload: p.event.payload,
      inputs: p.inputs,
      github,
      token,
      headSha: t.headSha,
      headBranch: t.headBranch,
      ...(p.concurrency.group !== undefined ? { concurrencyGroup: p.concurrency.group } : {}),
      status: 'queued',
      conclusion: null,
      cancelledByConcurrency: false,
      depth,
      jobs: [],
      outputs: {},
      summary: '',
      createdAt: Date.now(),
    };
    this.runs.push(run);
    this.internals.set(run.id, { planned: p, repoState: repo, cancelRequested: false, started: false });
    this.liveRuns++;
    this.notify('queued', run);
    this.emitWorkflowRun(run, 'requested');

    if (p.error !== undefined) {
      run.error = p.error;
      this.complete(ctx, run, 'failure');
      return;
    }
    const queued: QueuedRun<RunRecord> = {
      runId: run.id,
      ...(p.concurrency.group !== undefined ? { group: p.concurrency.group } : {}),
      ...(p.concurrency.cancelInProgress !== undefined ? { cancelInProgress: p.concurrency.cancelInProgress } : {}),
      queueMax: p.concurrency.queueMax,
      data: run,
    };
    const { start, cancelled } = ctx.scheduler.submit(queued);
    if (!start.some((s) => s.runId === run.id) && !cancelled.some((c) => c.runId === run.id)) {
      run.status = 'pending';
      rec.status = 'pending';
    }
    for (const c of cancelled) this.cancelByConcurrency(ctx, c.data);
    for (const s of start) this.launch(ctx, s.data);
  }

  private itemOf(p: PlannedRun): number | undefined {
    const n = get(p.event.payload, 'issue', 'number') ?? get(p.event.payload, 'pull_request', 'number') ?? get(p.event.payload, 'number');
    if (typeof n === 'number') return n;
    for (const k of ['item', 'issue', 'number', 'pr']) {
      const v = Number(p.inputs[k]);
      if (p.inputs[k] !== undefined && p.inputs[k] !== '' && Number.isInteger(v) && v > 0) return v;
    }
    return undefined;
  }

  private cancelByConcurrency(ctx: RepoCtx, run: RunRecord): void {
    const i = this.internals.get(run.id);
    if (!i || run.status === 'completed') return;
    run.cancelledByConcurrency = true;
    this.notify('cancelled', run);
    if (!i.started) {
      this.complete(ctx, run, 'cancelled');
      return;
    }
    i.cancelRequested = true;
    i.killCurrent?.('cancelled');
    i.cancelWait?.();
  }

  private launch(ctx: RepoCtx, run: RunRecord): void {
    const i = this.internals.get(run.id);
    if (!i || i.started || run.status === 'completed') return;
    i.started = true;
    void this.execute(ctx, run, i).catch((err) => {
      this.fail(err);
      if (run.status !== 'completed') this.complete(ctx, run, 'failure');
    });
  }

  // ---- runs ----

  private notify(type: RunEvent['type'], run: RunRecord): void {
    try {
      this.opts.onRunEvent?.({ type, run });
    } catch (err) {
      this.fail(err);
    }
  }

  private complete(ctx: RepoCtx, run: RunRecord, conclusion: RunConclusion): void {
    if (run.status === 'completed') return;
    const now = Date.now();
    run.status = 'completed';
    run.conclusion = conclusion;
    run.completedAt = now;
    if (run.startedAt !== undefined) run.durationMs = now - run.startedAt;
    run.rec.status = 'completed';
    run.rec.conclusion = conclusion;
    run.rec.updatedAt = this.forge.state.now();
    this.internals.delete(run.id);
    this.notify('completed', run);
    // Emitted before the run stops counting as live, so idle() cannot slip in between.
    this.emitWorkflowRun(run, 'completed');
    const { start } = ctx.scheduler.finish(run.id);
    for (const s of start) this.launch(ctx, s.data);
    this.liveRuns--;
    this.checkIdle();
  }

  /** GitHub's workflow_run event (not on Forgejo; not beyond 3 chained levels). */
  private emitWorkflowRun(run: RunRecord, action: 'requested' | 'in_progress' | 'completed'): void {
    if (this.opts.flavor !== 'github' || this.stopped || run.depth >= 3) return;
    const repo = this.forge.state.repos.get(run.repo.toLowerCase());
    if (!repo) return;
    const state = this.forge.state;
    const urls = this.forge.urls;
    const pulls = [...repo.pulls.values()]
      .filter((p) => p.head === run.headBranch && p.headSha === run.headSha && !p.merged)
      .map((p) => ({
        id: p.number,
        number: p.number,
        url: `${urls.api}/repos/${run.repo}/pulls/${p.number}`,
        head: { ref: p.head, sha: p.headSha, repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${run.repo}` } },
        base: { ref: p.base, sha: '', repo: { id: repo.id, name: repo.name, url: `${urls.api}/repos/${run.repo}` } },
      }));
    const runJson = workflowRunJson(state, repo, run.rec, urls);
    const payload = {
      action,
      workflow_run: {
        ...runJson,
        display_title: run.workflow.name,
        pull_requests: pulls,
        run_started_at: run.rec.createdAt,
        triggering_actor: userJson(state, run.rec.actor, urls),
        jobs_url: `${runJson.url}/jobs`,
        logs_url: `${runJson.url}/logs`,
        workflow_url: `${urls.api}/repos/${run.repo}/actions/workflows/${hashPath(run.workflow.path)}`,
      },
      workflow: {
        id: hashPath(run.workflow.path),
        node_id: `W_${hashPath(run.workflow.path)}`,
        name: run.workflow.name,
        path: run.workflow.path,
        state: 'active',
        url: `${urls.api}/repos/${run.repo}/actions/workflows/${hashPath(run.workflow.path)}`,
        html_url: `${urls.web}/${run.repo}/blob/${repo.defaultBranch}/${run.workflow.path}`,
      },
      repository: repoJson(state, repo, urls),
      sender: userJson(state, run.rec.actor, urls),
    };
    this.forge.emit({ name: 'workflow_run', action, payload, actor: run.rec.actor, automatic: false }, repo);
  }

  private async execute(ctx: RepoCtx, run: RunRecord, i: RunInternals): Promise<void> {
    const now = Date.now();
    run.status = 'in_progress';
    run.rec.status = 'in_progress';
    run.rec.updatedAt = this.forge.state.now();
    run.startedAt = now;
    run.queuedMs = now - run.createdAt;
    this.notify('started', run);
    this.emitWorkflowRun(run, 'in_progress');

    const planned = orderJobs(i.planned.jobs);
    const jobs = new Map<string, { record: JobRecord; rec: JobRec }>();
    for (const pj of planned) {
      const name = this.jobName(pj, i.planned);
      const rec: JobRec = {
        id: this.forge.state.id(),
        runId: run.id,
        name,
        status: 'queued',
        conclusion: null,
        steps: pj.job.steps.map((s, n) => ({ name: stepDisplayName(s), number: n + 1, status: 'queued', conclusion: null })),
        log: '',
        startedAt: this.forge.state.now(),
        completedAt: null,
      };
      run.rec.jobs.push(rec);
      const record: JobRecord = {
        key: pj.job.id,
        id: rec.id,
        name,
        status: 'queued',
        conclusion: null,
        steps: pj.job.steps.map((s, n) => ({
          number: n + 1,
          ...(s.id !== undefined ? { id: s.id } : {}),
          name: stepDisplayName(s),
          kind: s.uses !== undefined ? usesKind(s.uses) : 'run',
          ...(s.uses !== undefined ? { uses: s.uses } : {}),
          status: 'queued',
          outcome: null,
          conclusion: null,
          exitCode: null,
          signal: null,
          outputs: {},
          summary: '',
        })),
        log: '',
        summary: '',
        timedOut: false,
      };
      run.jobs.push(record);
      jobs.set(pj.job.id, { record, rec });
    }

    const needsCtx: Record<string, { result: string; outputs: Record<string, string> }> = {};
    for (const pj of planned) {
      const { record, rec } = jobs.get(pj.job.id)!;
      const needed = pj.job.needs.map((n) => needsCtx[n]?.result ?? 'success');
      const status: JobStatus = i.cancelRequested || needed.includes('cancelled') ? 'cancelled' : needed.includes('failure') ? 'failure' : 'success';
      let runs = pj.runs;
      let error = pj.error;
      if (error === undefined && (pj.job.needs.length > 0 || i.cancelRequested)) {
        try {
          runs = evaluateIf(pj.job.if, { github: run.github, inputs: run.inputs, vars: this.opts.vars ?? {}, needs: needsCtx, status });
        } catch (err) {
          runs = false;
          error = message(err);
        }
        // A skipped need skips dependants with a plain condition too (GitHub's rule).
        if (!usesStatusFunction(pj.job.if) && needed.includes('skipped')) runs = false;
      }
      let conclusion: RunConclusion;
      if (error !== undefined) {
        record.error = error;
        conclusion = 'failure';
        this.finishJobWithoutRunning(run, record, rec, 'failure', `##[error]${error}`);
      } else if (!runs) {
        conclusion = i.cancelRequested ? 'cancelled' : 'skipped';
        this.finishJobWithoutRunning(run, record, rec, conclusion);
      } else {
        const slot = this.slots.acquire();
        i.cancelWait = slot.cancel;
        const granted = await slot.ready;
        i.cancelWait = undefined;
        let go = granted;
        if (i.cancelRequested) {
          // Cancelled while waiting for a runner: only a job whose `if:` holds under cancelled() runs.
          try {
            go = evaluateIf(pj.job.if, { github: run.github, inputs: run.inputs, vars: this.opts.vars ?? {}, needs: needsCtx, status: 'cancelled' });
          } catch {
            go = false;
          }
        }
        if (!go) {
          if (granted) this.slots.release();
          conclusion = 'cancelled';
          this.finishJobWithoutRunning(run, record, rec, 'cancelled');
        } else {
          if (!granted) await this.slots.acquire().ready;
          try {
            conclusion = await this.runJob(run, i, pj.job, record, rec);
          } finally {
            this.slots.release();
          }
        }
      }
      needsCtx[pj.job.id] = { result: conclusion, outputs: {} };
    }

    const results = run.jobs.map((j) => j.conclusion);
    const conclusion: RunConclusion = i.cancelRequested
      ? 'cancelled'
      : results.includes('failure')
        ? 'failure'
        : results.includes('cancelled')
          ? 'cancelled'
          : results.length > 0 && results.every((r) => r === 'skipped')
            ? 'skipped'
            : 'success';
    this.complete(ctx, run, conclusion);
  }

  private jobName(pj: PlannedJob, p: PlannedRun): string {
    try {
      return evaluateTemplate(pj.job.name, { github: p.github, inputs: p.inputs, vars: this.opts.vars ?? {}, matrix: {}, strategy: {} });
    } catch {
      return pj.job.name;
    }
  }

  private finishJobWithoutRunning(run: RunRecord, record: JobRecord, rec: JobRec, conclusion: RunConclusion, logLine?: string): void {
    const at = this.forge.state.now();
    record.status = 'completed';
    record.conclusion = conclusion;
    rec.status = 'completed';
    rec.conclusion = conclusion;
    rec.completedAt = at;
    for (const s of record.steps) {
      s.status = 'completed';
      s.outcome = s.conclusion = 'skipped';
    }
    for (const s of rec.steps) {
      s.status = 'completed';
      s.conclusion = 'skipped';
    }
    if (logLine) {
      const log = new JobLog();
      log.line(logLine);
      record.log = rec.log = log.toString();
    }
    this.forge.logs.set(rec.id, record.log);
    // GitHub shows skipped (and never-started cancelled) jobs as completed check runs.
    if (this.opts.flavor === 'github') {
      const check = this.createCheckRun(run, record, rec);
      check.status = 'completed';
      check.conclusion = conclusion;
      check.completedAt = at;
    } else if (conclusion !== 'skipped') {
      this.recordStatus(run, record, 'failure', conclusion === 'cancelled' ? 'Has been cancelled' : 'Failing');
    }
  }

  private createCheckRun(run: RunRecord, record: JobRecord, rec: JobRec): CheckRunRec {
    const repo = this.internalsRepo(run);
    const check: CheckRunRec = {
      id: this.forge.state.id(),
      sha: run.headSha,
      name: record.name,
      status: 'in_progress',
      conclusion: null,
      runId: run.id,
      jobId: rec.id,
      startedAt: this.forge.state.now(),
      completedAt: null,
    };
    repo.checkRuns.push(check);
    record.checkRunId = check.id;
    return check;
  }

  private internalsRepo(run: RunRecord): RepoState {
    const repo = this.forge.state.repos.get(run.repo.toLowerCase());
    if (!repo) throw new Error(`unknown repository ${run.repo}`);
    return repo;
  }

  /** Forgejo: a commit status per job, context "<workflow> / <job> (<event>)". */
  private recordStatus(run: RunRecord, record: JobRecord, state: StatusRec['state'], description?: string): void {
    const repo = this.internalsRepo(run);
    repo.statuses.push({
      id: this.forge.state.id(),
      sha: run.headSha,
      context: `${run.workflow.name} / ${record.name} (${run.event.name})`,
      state,
      description: description ?? (state === 'pending' ? 'Has started running' : state === 'success' ? 'Successful' : 'Failing'),
      targetUrl: `${this.forge.urls.web}/${run.repo}/actions/runs/${run.id}/jobs/${record.id}`,
      createdAt: this.forge.state.now(),
    });
  }

  // ---- jobs ----

  private baseContext(run: RunRecord, extra: Partial<ExpressionContext>): ExpressionContext {
    return {
      github: run.github,
      inputs: run.inputs,
      vars: this.opts.vars ?? {},
      secrets: { ...this.opts.secrets, GITHUB_TOKEN: run.token },
      matrix: {},
      strategy: {},
      ...extra,
    };
  }

  private evalMap(map: Record<string, string>, ctx: ExpressionContext): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(map)) out[k] = evaluateTemplate(v, { ...ctx, env: { ...ctx.env, ...out } });
    return out;
  }

  private async runJob(run: RunRecord, i: RunInternals, job: ParsedJob, record: JobRecord, rec: JobRec): Promise<RunConclusion> {
    const startMs = Date.now();
    record.status = 'in_progress';
    record.startedAt = startMs;
    rec.status = 'in_progress';
    rec.startedAt = this.forge.state.now();
    const check = this.opts.flavor === 'github' ? this.createCheckRun(run, record, rec) : undefined;
    if (!check) this.recordStatus(run, record, 'pending');

    const log = new JobLog((text) => {
      record.log = text;
      rec.log = text;
      this.forge.logs.set(rec.id, text);
    });
    for (const s of Object.values(this.opts.secrets ?? {})) log.addMask(s);
    log.addMask(run.token);

    const jobDir = path.join(this.opts.workRoot, `run-${run.id}-${job.id.replace(/[^\w.-]/g, '_')}-${rec.id}`);
    const repoName = run.repo.split('/')[1] ?? 'repo';
    const workspace = path.join(jobDir, 'work', repoName, repoName);
    const home = path.join(jobDir, 'home');
    const temp = path.join(jobDir, 'temp');
    const eventPath = path.join(temp, '_github_workflow', 'event.json');
    await mkdir(workspace, { recursive: true });
    await mkdir(home, { recursive: true });
    await mkdir(path.dirname(eventPath), { recursive: true });
    await writeFile(eventPath, JSON.stringify(run.payload, null, 2));
    record.workspace = workspace;

    log.line(`Current runner version: 'embedded'`);
    log.line(`Runner name: 'embedded-runner'`);
    log.line(`##[group]GITHUB_TOKEN Permissions`);
    log.line(`##[endgroup]`);
    log.flush();

    const github = { ...run.github, job: job.id, workspace, action_path: '' };
    const runner = { os: 'Linux', arch: 'X64', name: 'embedded-runner', temp, tool_cache: path.join(jobDir, 'toolcache'), environment: 'github-hosted' };
    const jobCtx: Record<string, unknown> = { status: 'success' };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const wf = i.planned.workflow;
    let wfEnv: Record<string, string> = {};
    let jobEnv: Record<string, string> = {};
    let jobFailed = false;
    let envError: string | undefined;
    try {
      wfEnv = this.evalMap(wf.env, this.baseContext(run, { github, env: {}, runner, job: jobCtx }));
      jobEnv = this.evalMap(job.env, this.baseContext(run, { github, env: wfEnv, runner, job: jobCtx }));
    } catch (err) {
      envError = message(err);
    }
    const fileEnv: Record<string, string> = {};
    const extraPaths: string[] = [];

    // Job timeout: cancel the job (the real runner's behaviour: conclusion cancelled).
    const timeoutMs = (job.timeoutMinutes ?? 360) * 60_000;
    const timer = setTimeout(() => {
      record.timedOut = true;
      i.killCurrent?.('job-timeout');
    }, timeoutMs);
    timer.unref();

    const pids: number[] = [];
    try {
      if (envError !== undefined) {
        log.line(`##[error]${envError}`);
        jobFailed = true;
      }
      if (job.uses !== undefined) log.line(`${job.uses}: reusable workflow skipped (not simulated)`);
      for (const [n, step] of job.steps.entries()) {
        const sr = record.steps[n]!;
        const apiStep = rec.steps[n]!;
        const cancelled = i.cancelRequested || record.timedOut;
        const status: JobStatus = cancelled ? 'cancelled' : jobFailed ? 'failure' : 'success';
        jobCtx['status'] = status;
        const env = { ...wfEnv, ...jobEnv, ...fileEnv };
        const ctx = this.baseContext(run, { github, env, runner, job: jobCtx, steps, status });
        let go: boolean;
        try {
          go = envError === undefined && evaluateIf(step.if, ctx);
        } catch (err) {
          go = false;
          sr.error = message(err);
        }
        if (sr.error !== undefined) {
          log.line(`##[error]${sr.error}`);
          this.endStep(sr, apiStep, 'failure', 'failure');
          jobFailed = true;
          if (step.id) steps[step.id] = { outputs: {}, outcome: 'failure', conclusion: 'failure' };
          continue;
        }
        if (!go) {
          this.endStep(sr, apiStep, 'skipped', 'skipped');
          if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
          continue;
        }

        sr.status = 'in_progress';
        apiStep.status = 'in_progress';
        sr.startedAt = Date.now();
        const outcome = await this.runStep({ run, i, job, record, step, sr, log, ctx, github, runner, env, fileEnv, extraPaths, workspace, home, temp, eventPath, pids });
        let conclusion = outcome;
        if (outcome === 'failure' && step.continueOnError !== undefined) {
          try {
            if (truthy(evaluateValue(step.continueOnError, ctx))) conclusion = 'success';
          } catch (err) {
            log.line(`##[error]${message(err)}`);
          }
        }
        sr.durationMs = Date.now() - sr.startedAt;
        this.endStep(sr, apiStep, outcome, conclusion);
        if (step.id) steps[step.id] = { outputs: sr.outputs, outcome, conclusion };
        if (conclusion === 'failure') jobFailed = true;
        log.flush();
      }
    } finally {
      clearTimeout(timer);
      i.killCurrent = undefined;
      // Orphan-process cleanup, as the runner does at the end of a job.
      for (const pid of pids) {
        killGroup(pid);
        this.liveGroups.delete(pid);
      }
    }

    if (record.timedOut) log.line(`##[error]The job running on runner embedded-runner has exceeded the maximum execution time of ${job.timeoutMinutes ?? 360} minutes.`);
    if (i.cancelRequested) log.line('##[error]The operation was canceled.');
    const conclusion: RunConclusion = i.cancelRequested || record.timedOut ? 'cancelled' : jobFailed ? 'failure' : 'success';
    log.line(`Cleaning up orphan processes`);
    log.flush();
    const at = this.forge.state.now();
    record.status = 'completed';
    record.conclusion = conclusion;
    record.durationMs = Date.now() - startMs;
    record.summary = record.steps.map((s) => s.summary).join('');
    rec.status = 'completed';
    rec.conclusion = conclusion;
    rec.completedAt = at;
    if (check) {
      check.status = 'completed';
      check.conclusion = conclusion;
      check.completedAt = at;
    } else {
      const secs = Math.round((Date.now() - startMs) / 1000);
      // Forgejo (Gitea) maps cancelled jobs to a failure status too.
      const desc = conclusion === 'success' ? `Successful in ${secs}s` : conclusion === 'cancelled' ? 'Has been cancelled' : `Failing after ${secs}s`;
      this.recordStatus(run, record, conclusion === 'success' ? 'success' : 'failure', desc);
    }
    if (!this.opts.keepWorkspaces) await rm(jobDir, { recursive: true, force: true });
    return conclusion;
  }

  private endStep(sr: StepRecord, apiStep: JobRec['steps'][number], outcome: StepConclusion, conclusion: StepConclusion): void {
    sr.status = 'completed';
    sr.outcome = outcome;
    sr.conclusion = conclusion;
    apiStep.status = 'completed';
    apiStep.conclusion = conclusion;
  }

  // ---- steps ----

  private async runStep(a: {
    run: RunRecord;
    i: RunInternals;
    job: ParsedJob;
    record: JobRecord;
    step: ParsedStep;
    sr: StepRecord;
    log: JobLog;
    ctx: ExpressionContext;
    github: Record<string, unknown>;
    runner: Record<string, unknown>;
    env: Record<string, string>;
    fileEnv: Record<string, string>;
    extraPaths: string[];
    workspace: string;
    home: string;
    temp: string;
    eventPath: string;
    pids: number[];
  }): Promise<StepConclusion> {
    const { run, i, job, step, sr, log } = a;
    const cancelledBefore = i.cancelRequested;
    const timedOutBefore = a.record.timedOut;
    const kind = sr.kind;
    const files = path.join(a.temp, '_runner_file_commands');
    await mkdir(files, { recursive: true });
    const id = randomUUID();
    const outputFile = path.join(files, `set_output_${id}`);
    const envFile = path.join(files, `set_env_${id}`);
    const pathFile = path.join(files, `add_path_${id}`);
    const summaryFile = path.join(files, `step_summary_${id}`);
    const stateFile = path.join(files, `save_state_${id}`);
    for (const f of [outputFile, envFile, pathFile, summaryFile, stateFile]) await writeFile(f, '');

    // Evaluate the step's env and with.
    let stepEnv: Record<string, string>;
    let withValues: Record<string, string> = {};
    let script = '';
    try {
      stepEnv = this.evalMap(step.env, { ...a.ctx, env: a.env });
      const ctx = { ...a.ctx, env: { ...a.env, ...stepEnv } };
      for (const [k, v] of Object.entries(step.with)) withValues[k] = evaluateTemplate(v, ctx);
      if (step.run !== undefined) script = evaluateTemplate(step.run, ctx);
    } catch (err) {
      log.line(`##[error]${message(err)}`);
      return 'failure';
    }

    const repo = run.repo;
    const basePath = this.opts.env?.['PATH'] ?? process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin';
    const processEnv: Record<string, string> = {
      PATH: [...a.extraPaths, basePath].join(path.delimiter),
      HOME: a.home,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ...(this.opts.flavor === 'forgejo' ? { GITEA_ACTIONS: 'true', FORGEJO_ACTIONS: 'true' } : {}),
      GITHUB_EVENT_NAME: run.event.name,
      GITHUB_EVENT_PATH: a.eventPath,
      GITHUB_REPOSITORY: repo,
      GITHUB_REPOSITORY_OWNER: repo.split('/')[0] ?? '',
      GITHUB_API_URL: this.forge.urls.api,
      GITHUB_SERVER_URL: this.forge.urls.web,
      GITHUB_GRAPHQL_URL: String(run.github['graphql_url'] ?? ''),
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.github['run_number'] ?? run.id),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: run.workflow.name,
      GITHUB_WORKFLOW_REF: String(run.github['workflow_ref'] ?? ''),
      GITHUB_WORKFLOW_SHA: String(run.github['workflow_sha'] ?? ''),
      GITHUB_JOB: job.id,
      GITHUB_ACTOR: String(run.github['actor'] ?? ''),
      GITHUB_TRIGGERING_ACTOR: String(run.github['triggering_actor'] ?? ''),
      GITHUB_SHA: String(run.github['sha'] ?? ''),
      GITHUB_REF: String(run.github['ref'] ?? ''),
      GITHUB_REF_NAME: String(run.github['ref_name'] ?? ''),
      GITHUB_REF_TYPE: String(run.github['ref_type'] ?? ''),
      GITHUB_REF_PROTECTED: 'false',
      GITHUB_HEAD_REF: String(run.github['head_ref'] ?? ''),
      GITHUB_BASE_REF: String(run.github['base_ref'] ?? ''),
      GITHUB_WORKSPACE: a.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      GITHUB_PATH: pathFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_STATE: stateFile,
      GITHUB_ACTION: step.id ?? `__run_${sr.number}`,
      GITHUB_RETENTION_DAYS: '90',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'embedded-runner',
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TEMP: a.temp,
      RUNNER_TOOL_CACHE: String(a.runner['tool_cache']),
      ...(this.opts.env ?? {}),
      ...a.env,
      ...stepEnv,
    };
    processEnv['PATH'] = [...a.extraPaths, basePath].join(path.delimiter);

    const cwd = step.workingDirectory ? path.resolve(a.workspace, evaluateSafe(step.workingDirectory, a.ctx)) : a.workspace;
    log.line(`##[group]${sr.name}`);
    if (kind === 'checkout' || kind === 'agentloop' || kind === 'unsimulated') {
      if (Object.keys(withValues).length > 0) {
        log.line('with:');
        for (const [k, v] of Object.entries(withValues)) log.line(`  ${k}: ${v}`);
      }
    } else {
      for (const l of script.replace(/\n$/, '').split('\n')) log.line(l);
    }
    if (Object.keys(stepEnv).length > 0) {
      log.line('env:');
      for (const [k, v] of Object.entries(stepEnv)) log.line(`  ${k}: ${v}`);
    }
    log.line('##[endgroup]');
    log.flush();

    const setOutputs: Record<string, string> = {};
    // Runs one process of this step, killable (run cancel, timeouts, fault injection).
    const exec = async (cmd: string, args: string[], env: Record<string, string>, dir: string): Promise<{ ok: boolean; code: number | null; signal: string | null; killed?: StepRecord['killed'] }> => {
      const splitter = new OutputSplitter({ log, setOutput: (k, v) => (setOutputs[k] = v) });
      const proc: StepProcess = spawnStep(cmd, args, { cwd: dir, env, onData: (t) => splitter.write(t) });
      let killed: StepRecord['killed'];
      if (proc.pid !== undefined) {
        sr.pid = proc.pid;
        a.pids.push(proc.pid);
        this.liveGroups.add(proc.pid);
      }
      const kill = (reason: NonNullable<StepRecord['killed']>): void => {
        killed ??= reason;
        proc.kill();
      };
      i.killCurrent = kill;
      // A cancellation or job timeout that happened after this step began (while it was being set up).
      if (i.cancelRequested && !cancelledBefore) kill('cancelled');
      else if (a.record.timedOut && !timedOutBefore) kill('job-timeout');
      const timers: NodeJS.Timeout[] = [];
      if (step.timeoutMinutes !== undefined) timers.push(setTimeout(() => kill('timeout'), step.timeoutMinutes * 60_000));
      const fault = this.opts.killStep?.(run, job.id, sr);
      if (fault) timers.push(setTimeout(() => kill('killStep'), fault.afterMs));
      const result = await proc.done;
      for (const t of timers) clearTimeout(t);
      i.killCurrent = undefined;
      splitter.end();
      if (result.error) log.line(`##[error]${result.error}`);
      if (killed) sr.killed = killed;
      sr.exitCode = result.code;
      sr.signal = result.signal;
      return { ok: result.code === 0 && !killed, code: result.code, signal: result.signal, ...(killed ? { killed } : {}) };
    };

    let outcome: StepConclusion;
    try {
      if (kind === 'run') {
        const { cmd, args } = shellCommand(step.shell, path.join(a.temp, `${id}.sh`));
        await writeFile(path.join(a.temp, `${id}.sh`), script);
        log.line(`${cmd === process.execPath ? 'node' : cmd} ${args.join(' ')}`);
        const r = await exec(cmd, args, processEnv, cwd);
        outcome = this.processOutcome(r, log, step);
      } else if (kind === 'agentloop') {
        const manifest = await readActionManifest(this.opts.actionDir);
        const inputs: Record<string, string> = {};
        const defaultsCtx = { ...a.ctx, env: { ...a.env, ...stepEnv }, secrets: {} };
        for (const [name, spec] of Object.entries(manifest.inputs)) {
          if (spec.default !== undefined) inputs[name] = evaluateTemplate(spec.default, defaultsCtx);
        }
        for (const [k, v] of Object.entries(withValues)) {
          const declared = Object.keys(manifest.inputs).find((n) => n.toLowerCase() === k.toLowerCase());
          if (!declared && Object.keys(manifest.inputs).length > 0) log.line(`##[warning]Unexpected input(s) '${k}', valid inputs are [${Object.keys(manifest.inputs).map((n) => `'${n}'`).join(', ')}]`);
          inputs[declared ?? k] = v;
        }
        const env = { ...processEnv };
        for (const [k, v] of Object.entries(inputs)) env[inputEnvName(k)] = v;
        const uses = step.uses ?? '';
        env['GITHUB_ACTION_PATH'] = this.opts.actionDir;
        env['GITHUB_ACTION_REPOSITORY'] = uses === './' || uses === '.' ? run.repo : (uses.split('@')[0] ?? '').split('/').slice(0, 2).join('/');
        env['GITHUB_ACTION_REF'] = uses.includes('@') ? (uses.split('@')[1] ?? '') : '';
        const r = await exec(process.execPath, [path.resolve(this.opts.actionDir, manifest.main)], env, cwd);
        outcome = this.processOutcome(r, log, step);
      } else if (kind === 'checkout') {
        outcome = await this.checkout(run, withValues, a.workspace, a.home, log, exec);
      } else {
        log.line(`${step.uses}: skipped (not simulated)`);
        outcome = 'success';
      }
    } catch (err) {
      log.line(`##[error]${message(err)}`);
      outcome = 'failure';
    }

    // File commands.
    const outputs = { ...setOutputs, ...parseKeyValueFile(await readIfExists(outputFile)) };
    sr.outputs = outputs;
    Object.assign(a.fileEnv, parseKeyValueFile(await readIfExists(envFile)));
    for (const p of parsePathFile(await readIfExists(pathFile))) a.extraPaths.unshift(p);
    sr.summary = await readIfExists(summaryFile);
    if (kind === 'agentloop') {
      run.outputs = outputs;
      run.summary = sr.summary;
    }
    if (i.cancelRequested && sr.killed === 'cancelled') outcome = 'cancelled';
    if (sr.killed === 'job-timeout') outcome = 'cancelled';
    return outcome;
  }

  private processOutcome(r: { ok: boolean; code: number | null; signal: string | null; killed?: StepRecord['killed'] }, log: JobLog, step: ParsedStep): StepConclusion {
    if (r.ok) return 'success';
    if (r.killed === 'timeout') log.line(`##[error]The action '${stepDisplayName(step)}' has timed out after ${step.timeoutMinutes} minutes.`);
    else if (r.killed === 'cancelled' || r.killed === 'job-timeout') log.line('##[error]The operation was canceled.');
    else if (r.killed === 'killStep') log.line('##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.');
    else if (r.code !== null) log.line(`##[error]Process completed with exit code ${r.code}.`);
    else log.line(`##[error]Process terminated by signal ${r.signal ?? 'unknown'}.`);
    return r.killed === 'cancelled' || r.killed === 'job-timeout' ? 'cancelled' : 'failure';
  }

  /** actions/checkout with real git over the forge's smart HTTP. */
  private async checkout(
    run: RunRecord,
    withValues: Record<string, string>,
    workspace: string,
    home: string,
    log: JobLog,
    exec: (cmd: string, args: string[], env: Record<string, string>, dir: string) => Promise<{ ok: boolean; code: number | null; signal: string | null; killed?: StepRecord['killed'] }>,
  ): Promise<StepConclusion> {
    const token = withValues['token'] || run.token;
    log.addMask(token);
    log.addMask(Buffer.from(`x-access-token:${token}`).toString('base64'));
    const plan = checkoutCommands({
      with: withValues,
      workspace,
      serverUrl: this.forge.urls.web,
      repository: run.repo,
      ref: String(run.github['ref'] ?? ''),
      sha: String(run.github['sha'] ?? ''),
      token,
    });
    const env = stringEnv(git.hermeticGitEnv({ HOME: home, GIT_CONFIG_GLOBAL: '/dev/null' }));
    const runAll = async (cmds: string[][]): Promise<{ ok: boolean; killed?: StepRecord['killed'] } > => {
      for (const args of cmds) {
        const r = await exec('git', args, env, workspace);
        if (!r.ok) return r;
      }
      return { ok: true };
    };
    log.line(`Syncing repository: ${String(withValues['repository'] || run.repo)}`);
    let r = await runAll(plan.setup);
    if (r.ok) {
      for (const attempt of plan.attempts) {
        r = await runAll(attempt);
        if (r.ok || r.killed) break;
      }
    }
    if (r.ok) r = await runAll(plan.finish);
    if (r.ok) return 'success';
    if (r.killed === 'cancelled' || r.killed === 'job-timeout') {
      log.line('##[error]The operation was canceled.');
      return 'cancelled';
    }
    log.line(`##[error]${r.killed ? 'The checkout was killed.' : 'The process \'/usr/bin/git\' failed.'}`);
    return 'failure';
  }
}

function evaluateSafe(text: string, ctx: ExpressionContext): string {
  try {
    return evaluateTemplate(text, ctx);
  } catch {
    return text;
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** One line for progress output and transcripts. */
export function describeRun(r: RunRecord): string {
  const ev = [r.event.name, r.event.action, r.event.label ? `'${r.event.label}'` : undefined, r.event.item !== undefined ? `#${r.event.item}` : undefined]
    .filter(Boolean)
    .join(' ');
  const out = r.outputs['transition'] ? ` transition=${r.outputs['transition']}${r.outputs['outcome'] ? ` outcome=${r.outputs['outcome']}` : ''}` : '';
  const group = r.concurrencyGroup ? ` [${r.concurrencyGroup}]` : '';
  const result = r.status === 'completed' ? `${r.conclusion}${r.cancelledByConcurrency ? ' (concurrency)' : ''}` : r.status;
  return `run ${r.id} ${r.workflow.name} (${ev} by ${r.event.actor})${group}: ${result}${out}`;
}
