// Executing one job of a run: its directories (workspace, HOME, RUNNER_TEMP, the event file), its log
// (secrets masked), workflow- and job-level env, then its steps in order — a failed step skips the
// rest unless their `if:` says otherwise (`always()`, `failure()`), and `continue-on-error` is
// honoured. Each job gets its own workflow token (GITHUB_TOKEN) with the job's `permissions:` (else the
// workflow's, else the repository default), read-only and without secrets for a fork's pull request;
// it expires when the job ends. Job `timeout-minutes` (default 360; fractional minutes accepted, tests use 0.02) kills
// the running step and concludes the job `cancelled`, as GitHub records a job that hit its timeout.
// At the end every process group the steps started is killed (the runner's orphan-process cleanup).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JobLog } from './job-log.js';
import type { Reporter } from './reporting.js';
import { type PermissionSet, workflowTokenPermissions } from './route-permissions.js';
import { message, type RunInternals, type RunnerHost } from './runner-host.js';
import type { JobRecord, RunConclusion, RunRecord, StepConclusion, StepRecord } from './runner-types.js';
import type { JobRec } from './state.js';
import { evalMap, type JobContext, StepExecutor } from './step-exec.js';
import { killGroup } from './step-process.js';
import {
  type ExpressionContext,
  effectivePermissions,
  evaluateIf,
  evaluateValue,
  type JobStatus,
  type ParsedJob,
  truthy,
} from './workflow-engine.js';

export class JobExecutor {
  private readonly steps: StepExecutor;

  constructor(
    private readonly host: RunnerHost,
    private readonly reporter: Reporter,
  ) {
    this.steps = new StepExecutor(host);
  }

  /** Runs a job that got a slot; resolves with its conclusion. */
  async run(run: RunRecord, i: RunInternals, job: ParsedJob, record: JobRecord, rec: JobRec): Promise<RunConclusion> {
    const startMs = Date.now();
    record.status = 'in_progress';
    record.startedAt = startMs;
    rec.status = 'in_progress';
    rec.startedAt = this.host.forge.state.now();
    const check = this.reporter.jobStarted(run, record, rec);

    const log = new JobLog((text) => {
      record.log = text;
      rec.log = text;
      this.host.forge.logs.set(rec.id, text);
    });
    // A fork's pull_request run gets no secrets (GITHUB_TOKEN aside) and a read-only token.
    const secrets = run.fromFork ? {} : (this.host.opts.secrets ?? {});
    const permissions = this.tokenPermissions(run, i, job);
    const token = this.host.forge.workflowToken(i.repoState, permissions, this.host.opts.botLogin ?? 'github-actions[bot]');
    run.token = token;
    for (const s of Object.values(secrets)) log.addMask(s);
    log.addMask(token);

    const jobDir = path.join(this.host.opts.workRoot, `run-${run.id}-${job.id.replace(/[^\w.-]/g, '_')}-${rec.id}`);
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
    for (const [scope, access] of Object.entries(permissions)) log.line(`${permissionTitle(scope)}: ${access}`);
    log.line(`##[endgroup]`);
    log.flush();

    const github = { ...run.github, token, job: job.id, workspace, action_path: '' };
    const runner = {
      os: 'Linux',
      arch: 'X64',
      name: 'embedded-runner',
      temp,
      tool_cache: path.join(jobDir, 'toolcache'),
      environment: 'github-hosted',
    };
    const jobCtx: Record<string, unknown> = { status: 'success' };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const wf = i.planned.workflow;
    let wfEnv: Record<string, string> = {};
    let jobEnv: Record<string, string> = {};
    let jobFailed = false;
    let envError: string | undefined;
    try {
      wfEnv = evalMap(wf.env, this.baseContext(run, secrets, token, { github, env: {}, runner, job: jobCtx }));
      jobEnv = evalMap(job.env, this.baseContext(run, secrets, token, { github, env: wfEnv, runner, job: jobCtx }));
    } catch (err) {
      envError = message(err);
    }
    // Job timeout: cancel the job (the real runner's behaviour: conclusion cancelled).
    const timeoutMs = (job.timeoutMinutes ?? 360) * 60_000;
    const timer = setTimeout(() => {
      record.timedOut = true;
      i.killCurrent?.('job-timeout');
    }, timeoutMs);
    timer.unref();

    const carry: JobContext['carry'] = { fileEnv: {}, extraPaths: [], pids: [] };
    const jc: JobContext = {
      run,
      internals: i,
      job,
      record,
      log,
      dirs: { workspace, home, temp, eventPath, toolCache: runner.tool_cache },
      carry,
    };
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
        jobCtx.status = status;
        const env = { ...wfEnv, ...jobEnv, ...carry.fileEnv };
        const ctx = this.baseContext(run, secrets, token, { github, env, runner, job: jobCtx, steps, status });
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
        const outcome = await this.steps.run(jc, { def: step, record: sr, expr: ctx, env });
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
      // "The GITHUB_TOKEN expires when a job finishes."
      this.host.forge.revokeToken(token);
      // Orphan-process cleanup, as the runner does at the end of a job.
      for (const pid of carry.pids) {
        killGroup(pid);
        this.host.liveGroups.delete(pid);
      }
    }

    if (record.timedOut)
      log.line(
        `##[error]The job running on runner embedded-runner has exceeded the maximum execution time of ${job.timeoutMinutes ?? 360} minutes.`,
      );
    if (i.cancelRequested) log.line('##[error]The operation was canceled.');
    const conclusion: RunConclusion = i.cancelRequested || record.timedOut ? 'cancelled' : jobFailed ? 'failure' : 'success';
    log.line(`Cleaning up orphan processes`);
    log.flush();
    const at = this.host.forge.state.now();
    record.status = 'completed';
    record.conclusion = conclusion;
    record.durationMs = Date.now() - startMs;
    record.summary = record.steps.map((s) => s.summary).join('');
    rec.status = 'completed';
    rec.conclusion = conclusion;
    rec.completedAt = at;
    this.reporter.jobCompleted(run, record, check, conclusion, at, startMs);
    if (!this.host.opts.keepWorkspaces) await rm(jobDir, { recursive: true, force: true });
    return conclusion;
  }

  /** The job token's permissions (GitHub: `permissions:` of the job, else the workflow, else the repository default). */
  private tokenPermissions(run: RunRecord, i: RunInternals, job: ParsedJob): PermissionSet {
    // Forgejo's automatic token does not honour `permissions:`: it may write to its repository.
    if (this.host.opts.flavor === 'forgejo') return workflowTokenPermissions('write-all', 'write');
    const declared = effectivePermissions(i.planned.workflow, job, this.host.opts.flavor);
    return workflowTokenPermissions(declared, i.repoState.actions.defaultWorkflowPermissions, run.fromFork);
  }

  private baseContext(
    run: RunRecord,
    secrets: Record<string, string>,
    token: string,
    extra: Partial<ExpressionContext>,
  ): ExpressionContext {
    return {
      github: run.github,
      inputs: run.inputs,
      vars: this.host.opts.vars ?? {},
      secrets: { ...secrets, GITHUB_TOKEN: token },
      matrix: {},
      strategy: {},
      ...extra,
    };
  }

  private endStep(sr: StepRecord, apiStep: JobRec['steps'][number], outcome: StepConclusion, conclusion: StepConclusion): void {
    sr.status = 'completed';
    sr.outcome = outcome;
    sr.conclusion = conclusion;
    apiStep.status = 'completed';
    apiStep.conclusion = conclusion;
  }
}

/** `pull_requests` → `PullRequests`, as the runner's "GITHUB_TOKEN Permissions" group names scopes. */
function permissionTitle(scope: string): string {
  return scope
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
