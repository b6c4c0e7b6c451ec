// The workflow runner's public records: what a run, a job and a step did (tests and the demo read
// them), the run events it reports, and its options.
import type { ForgeEvent } from './events.js';
import type { WorkflowRunRec } from './state.js';
import type { UsesKind } from './steps.js';

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
  /** The `github` context (each job adds its own token). */
  github: Record<string, unknown>;
  /** The workflow token (github.token) of the job that started last ('' before any job ran). Each job
   *  gets its own, with its `permissions:`; it expires when the job ends. */
  token: string;
  /** A `pull_request` run for a pull request from a fork: read-only token, no secrets. */
  fromFork: boolean;
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
  /** Extra environment for one agentloop action step (e.g. a crash point), asked as the step starts. */
  agentloopEnv?: (run: RunRecord, job: string, step: StepRecord) => Record<string, string> | undefined;
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
