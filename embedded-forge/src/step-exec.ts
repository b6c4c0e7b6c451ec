// Executing one step of a job: evaluating its `env:` and `with:`, the Actions environment of its
// process, running it (a `run:` script in its shell; agentloop as `node <actionDir>/<runs.main>` with
// INPUT_*; actions/checkout with real git over the forge's smart HTTP; other actions are logged as not
// simulated), killing it on cancel, timeout or an injected fault (a step's `timeout-minutes` fails
// it), and reading its file commands.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkoutCommands } from './checkout-plan.js';
import * as git from './git-ops.js';
import { type JobLog, OutputSplitter } from './job-log.js';
import { message, type RunInternals, type RunnerHost, stepDisplayName } from './runner-host.js';
import type { JobRecord, RunRecord, StepConclusion, StepRecord } from './runner-types.js';
import { type StepProcess, shellCommand, spawnStep } from './step-process.js';
import { inputEnvName, parseKeyValueFile, parsePathFile, readActionManifest, readIfExists } from './steps.js';
import { type ExpressionContext, evaluateTemplate, type ParsedJob, type ParsedStep } from './workflow-engine.js';

/** The job's directories, as the runner lays them out. */
export interface JobDirs {
  workspace: string;
  home: string;
  temp: string;
  eventPath: string;
  toolCache: string;
}

/** What every step of a job shares. */
export interface JobContext {
  run: RunRecord;
  internals: RunInternals;
  job: ParsedJob;
  record: JobRecord;
  log: JobLog;
  dirs: JobDirs;
  /** Handed from step to step: GITHUB_ENV values, GITHUB_PATH entries, the process groups started. */
  carry: { fileEnv: Record<string, string>; extraPaths: string[]; pids: number[] };
}

/** One step to run: its definition, its record, and the contexts its expressions see. */
export interface StepInput {
  def: ParsedStep;
  record: StepRecord;
  expr: ExpressionContext;
  /** The job's env at this step (workflow, job and GITHUB_ENV values). */
  env: Record<string, string>;
}

type ExecResult = { ok: boolean; code: number | null; signal: string | null; killed?: StepRecord['killed'] };

/** Evaluates an `env:` map in order (later entries see earlier ones). */
export function evalMap(map: Record<string, string>, ctx: ExpressionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = evaluateTemplate(v, { ...ctx, env: { ...ctx.env, ...out } });
  return out;
}

export class StepExecutor {
  constructor(private readonly host: RunnerHost) {}

  /** Runs a step; resolves with its outcome (before continue-on-error). */
  async run(jc: JobContext, s: StepInput): Promise<StepConclusion> {
    const { run, internals: i, job, record, log, dirs, carry } = jc;
    const { def: step, record: sr } = s;
    const cancelledBefore = i.cancelRequested;
    const timedOutBefore = record.timedOut;
    const kind = sr.kind;
    const files = path.join(dirs.temp, '_runner_file_commands');
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
    const withValues: Record<string, string> = {};
    let script = '';
    try {
      stepEnv = evalMap(step.env, { ...s.expr, env: s.env });
      const ctx = { ...s.expr, env: { ...s.env, ...stepEnv } };
      for (const [k, v] of Object.entries(step.with)) withValues[k] = evaluateTemplate(v, ctx);
      if (step.run !== undefined) script = evaluateTemplate(step.run, ctx);
    } catch (err) {
      log.line(`##[error]${message(err)}`);
      return 'failure';
    }

    const processEnv = this.processEnv(jc, s, { outputFile, envFile, pathFile, summaryFile, stateFile }, stepEnv);

    const cwd = step.workingDirectory ? path.resolve(dirs.workspace, evaluateSafe(step.workingDirectory, s.expr)) : dirs.workspace;
    log.line(`##[group]${sr.name}`);
    if (kind !== 'run') {
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
    const exec = async (cmd: string, args: string[], env: Record<string, string>, dir: string): Promise<ExecResult> => {
      const splitter = new OutputSplitter({ log, setOutput: (k, v) => (setOutputs[k] = v) });
      const proc: StepProcess = spawnStep(cmd, args, { cwd: dir, env, onData: (t) => splitter.write(t) });
      let killed: StepRecord['killed'];
      if (proc.pid !== undefined) {
        sr.pid = proc.pid;
        carry.pids.push(proc.pid);
        this.host.liveGroups.add(proc.pid);
      }
      const kill = (reason: NonNullable<StepRecord['killed']>): void => {
        killed ??= reason;
        proc.kill();
      };
      i.killCurrent = kill;
      // A cancellation or job timeout that happened after this step began (while it was being set up).
      if (i.cancelRequested && !cancelledBefore) kill('cancelled');
      else if (record.timedOut && !timedOutBefore) kill('job-timeout');
      const timers: NodeJS.Timeout[] = [];
      if (step.timeoutMinutes !== undefined) timers.push(setTimeout(() => kill('timeout'), step.timeoutMinutes * 60_000));
      const fault = this.host.opts.killStep?.(run, job.id, sr);
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
        const { cmd, args } = shellCommand(step.shell, path.join(dirs.temp, `${id}.sh`));
        await writeFile(path.join(dirs.temp, `${id}.sh`), script);
        log.line(`${cmd === process.execPath ? 'node' : cmd} ${args.join(' ')}`);
        const r = await exec(cmd, args, processEnv, cwd);
        outcome = this.processOutcome(r, log, step);
      } else if (kind === 'agentloop') {
        const manifest = await readActionManifest(this.host.opts.actionDir);
        const inputs: Record<string, string> = {};
        const defaultsCtx = { ...s.expr, env: { ...s.env, ...stepEnv }, secrets: {} };
        for (const [name, spec] of Object.entries(manifest.inputs)) {
          if (spec.default !== undefined) inputs[name] = evaluateTemplate(spec.default, defaultsCtx);
        }
        for (const [k, v] of Object.entries(withValues)) {
          const declared = Object.keys(manifest.inputs).find((n) => n.toLowerCase() === k.toLowerCase());
          if (!declared && Object.keys(manifest.inputs).length > 0)
            log.line(
              `##[warning]Unexpected input(s) '${k}', valid inputs are [${Object.keys(manifest.inputs)
                .map((n) => `'${n}'`)
                .join(', ')}]`,
            );
          inputs[declared ?? k] = v;
        }
        const env = { ...processEnv, ...this.host.opts.agentloopEnv?.(run, job.id, sr) };
        for (const [k, v] of Object.entries(inputs)) env[inputEnvName(k)] = v;
        const uses = (step.uses ?? '').replace(/^https?:\/\/[^/]+\//i, '');
        env.GITHUB_ACTION_PATH = this.host.opts.actionDir;
        env.GITHUB_ACTION_REPOSITORY =
          uses === './' || uses === '.' ? run.repo : (uses.split('@')[0] ?? '').split('/').slice(0, 2).join('/');
        env.GITHUB_ACTION_REF = uses.includes('@') ? (uses.split('@')[1] ?? '') : '';
        const r = await exec(process.execPath, [path.resolve(this.host.opts.actionDir, manifest.main)], env, cwd);
        outcome = this.processOutcome(r, log, step);
      } else if (kind === 'checkout') {
        outcome = await this.checkout(run, withValues, dirs.workspace, dirs.home, log, exec);
      } else if (kind === 'unresolvable') {
        log.line(
          this.host.opts.flavor === 'github'
            ? `##[error]${step.uses}: a URL is not a valid \`uses:\` on GitHub (owner/repo@ref, ./path or docker://)`
            : `##[error]${step.uses}: not found on the action mirror (short names resolve against it; use the action's full URL)`,
        );
        outcome = 'failure';
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
    Object.assign(carry.fileEnv, parseKeyValueFile(await readIfExists(envFile)));
    for (const p of parsePathFile(await readIfExists(pathFile))) carry.extraPaths.unshift(p);
    sr.summary = await readIfExists(summaryFile);
    if (kind === 'agentloop') {
      run.outputs = outputs;
      run.summary = sr.summary;
    }
    if (i.cancelRequested && sr.killed === 'cancelled') outcome = 'cancelled';
    if (sr.killed === 'job-timeout') outcome = 'cancelled';
    return outcome;
  }

  /** The step process's environment: the Actions variables, then the runner's `env` option, the job's and the step's env. */
  private processEnv(
    jc: JobContext,
    s: StepInput,
    files: { outputFile: string; envFile: string; pathFile: string; summaryFile: string; stateFile: string },
    stepEnv: Record<string, string>,
  ): Record<string, string> {
    const { run, job, dirs, carry } = jc;
    const { def: step, record: sr } = s;
    const repo = run.repo;
    const basePath = this.host.opts.env?.PATH ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    const env: Record<string, string> = {
      PATH: [...carry.extraPaths, basePath].join(path.delimiter),
      HOME: dirs.home,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ...(this.host.opts.flavor === 'forgejo' ? { GITEA_ACTIONS: 'true', FORGEJO_ACTIONS: 'true' } : {}),
      GITHUB_EVENT_NAME: run.event.name,
      GITHUB_EVENT_PATH: dirs.eventPath,
      GITHUB_REPOSITORY: repo,
      GITHUB_REPOSITORY_OWNER: repo.split('/')[0] ?? '',
      GITHUB_API_URL: this.host.forge.urls.api,
      GITHUB_SERVER_URL: this.host.forge.urls.web,
      GITHUB_GRAPHQL_URL: String(run.github.graphql_url ?? ''),
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.github.run_number ?? run.id),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: run.workflow.name,
      GITHUB_WORKFLOW_REF: String(run.github.workflow_ref ?? ''),
      GITHUB_WORKFLOW_SHA: String(run.github.workflow_sha ?? ''),
      GITHUB_JOB: job.id,
      GITHUB_ACTOR: String(run.github.actor ?? ''),
      GITHUB_TRIGGERING_ACTOR: String(run.github.triggering_actor ?? ''),
      GITHUB_SHA: String(run.github.sha ?? ''),
      GITHUB_REF: String(run.github.ref ?? ''),
      GITHUB_REF_NAME: String(run.github.ref_name ?? ''),
      GITHUB_REF_TYPE: String(run.github.ref_type ?? ''),
      GITHUB_REF_PROTECTED: 'false',
      GITHUB_HEAD_REF: String(run.github.head_ref ?? ''),
      GITHUB_BASE_REF: String(run.github.base_ref ?? ''),
      GITHUB_WORKSPACE: dirs.workspace,
      GITHUB_OUTPUT: files.outputFile,
      GITHUB_ENV: files.envFile,
      GITHUB_PATH: files.pathFile,
      GITHUB_STEP_SUMMARY: files.summaryFile,
      GITHUB_STATE: files.stateFile,
      GITHUB_ACTION: step.id ?? `__run_${sr.number}`,
      GITHUB_RETENTION_DAYS: '90',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'embedded-runner',
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TEMP: dirs.temp,
      RUNNER_TOOL_CACHE: dirs.toolCache,
      ...(this.host.opts.env ?? {}),
      ...s.env,
      ...stepEnv,
    };
    env.PATH = [...carry.extraPaths, basePath].join(path.delimiter);
    return env;
  }

  private processOutcome(r: ExecResult, log: JobLog, step: ParsedStep): StepConclusion {
    if (r.ok) return 'success';
    if (r.killed === 'timeout')
      log.line(`##[error]The action '${stepDisplayName(step)}' has timed out after ${step.timeoutMinutes} minutes.`);
    else if (r.killed === 'cancelled' || r.killed === 'job-timeout') log.line('##[error]The operation was canceled.');
    else if (r.killed === 'killStep')
      log.line(
        '##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.',
      );
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
    exec: (cmd: string, args: string[], env: Record<string, string>, dir: string) => Promise<ExecResult>,
  ): Promise<StepConclusion> {
    const token = withValues.token || run.token;
    log.addMask(token);
    log.addMask(Buffer.from(`x-access-token:${token}`).toString('base64'));
    const plan = checkoutCommands({
      with: withValues,
      workspace,
      serverUrl: this.host.forge.urls.web,
      repository: run.repo,
      ref: String(run.github.ref ?? ''),
      sha: String(run.github.sha ?? ''),
      token,
    });
    const env = stringEnv(git.hermeticGitEnv({ HOME: home, GIT_CONFIG_GLOBAL: '/dev/null' }));
    const runAll = async (cmds: string[][]): Promise<{ ok: boolean; killed?: StepRecord['killed'] }> => {
      for (const args of cmds) {
        const r = await exec('git', args, env, workspace);
        if (!r.ok) return r;
      }
      return { ok: true };
    };
    log.line(`Syncing repository: ${String(withValues.repository || run.repo)}`);
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
    log.line(`##[error]${r.killed ? 'The checkout was killed.' : "The process '/usr/bin/git' failed."}`);
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
