// Executing a started run: its jobs one after another, ordered by `needs`. A failed or cancelled need
// skips the job unless its `if:` uses a status function (a skipped need too: GitHub's rule).
// At most `maxParallelJobs` jobs execute at once across all runs (Slots); the rest wait in the order
// they became ready. A job's steps run in job-exec.ts.
import type { JobExecutor } from './job-exec.js';
import { JobLog } from './job-log.js';
import type { Reporter } from './reporting.js';
import { message, type RunInternals, type RunnerHost, stepDisplayName } from './runner-host.js';
import type { JobRecord, RunConclusion, RunRecord } from './runner-types.js';
import type { JobRec } from './state.js';
import { usesKind } from './steps.js';
import { evaluateIf, evaluateTemplate, type JobStatus, type PlannedJob, type PlannedRun } from './workflow-engine.js';

/** Jobs ordered by `needs` (stable: file order among the ready ones). */
function orderJobs(jobs: PlannedJob[]): PlannedJob[] {
  const out: PlannedJob[] = [];
  const done = new Set<string>();
  const rest = [...jobs];
  while (rest.length > 0) {
    const i = rest.findIndex((j) => j.job.needs.every((n) => done.has(n) || !jobs.some((x) => x.job.id === n)));
    const next = rest.splice(Math.max(i, 0), 1)[0]!;
    out.push(next);
    done.add(next.job.id);
  }
  return out;
}

function usesStatusFunction(cond: string | undefined): boolean {
  return /\b(always|failure|cancelled|success)\s*\(/.test(cond ?? '');
}

export class RunExecutor {
  constructor(
    private readonly host: RunnerHost,
    private readonly reporter: Reporter,
    private readonly jobExec: JobExecutor,
  ) {}

  /** Runs the jobs of a started run; resolves with the run's conclusion. */
  async execute(run: RunRecord, i: RunInternals): Promise<RunConclusion> {
    const planned = orderJobs(i.planned.jobs);
    const jobs = new Map<string, { record: JobRecord; rec: JobRec }>();
    for (const pj of planned) {
      const name = this.jobName(pj, i.planned);
      const rec: JobRec = {
        id: this.host.forge.state.id(),
        runId: run.id,
        name,
        status: 'queued',
        conclusion: null,
        steps: pj.job.steps.map((s, n) => ({ name: stepDisplayName(s), number: n + 1, status: 'queued', conclusion: null })),
        log: '',
        startedAt: this.host.forge.state.now(),
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
          kind: s.uses !== undefined ? usesKind(s.uses, this.host.opts.flavor) : 'run',
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
      const status: JobStatus =
        i.cancelRequested || needed.includes('cancelled') ? 'cancelled' : needed.includes('failure') ? 'failure' : 'success';
      let runs = pj.runs;
      let error = pj.error;
      if (error === undefined && (pj.job.needs.length > 0 || i.cancelRequested)) {
        try {
          runs = evaluateIf(pj.job.if, {
            github: run.github,
            inputs: run.inputs,
            vars: this.host.opts.vars ?? {},
            needs: needsCtx,
            status,
          });
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
        const slot = this.host.slots.acquire();
        i.cancelWait = slot.cancel;
        const granted = await slot.ready;
        i.cancelWait = undefined;
        let go = granted;
        if (i.cancelRequested) {
          // Cancelled while waiting for a runner: only a job whose `if:` holds under cancelled() runs.
          try {
            go = evaluateIf(pj.job.if, {
              github: run.github,
              inputs: run.inputs,
              vars: this.host.opts.vars ?? {},
              needs: needsCtx,
              status: 'cancelled',
            });
          } catch {
            go = false;
          }
        }
        if (!go) {
          if (granted) this.host.slots.release();
          conclusion = 'cancelled';
          this.finishJobWithoutRunning(run, record, rec, 'cancelled');
        } else {
          if (!granted) await this.host.slots.acquire().ready;
          try {
            conclusion = await this.jobExec.run(run, i, pj.job, record, rec);
          } finally {
            this.host.slots.release();
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
    return conclusion;
  }

  private jobName(pj: PlannedJob, p: PlannedRun): string {
    try {
      return evaluateTemplate(pj.job.name, {
        github: p.github,
        inputs: p.inputs,
        vars: this.host.opts.vars ?? {},
        matrix: {},
        strategy: {},
      });
    } catch {
      return pj.job.name;
    }
  }

  private finishJobWithoutRunning(run: RunRecord, record: JobRecord, rec: JobRec, conclusion: RunConclusion, logLine?: string): void {
    const at = this.host.forge.state.now();
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
    this.host.forge.logs.set(rec.id, record.log);
    // GitHub shows skipped (and never-started cancelled) jobs as completed check runs.
    this.reporter.jobNotRun(run, record, rec, conclusion, at);
  }
}
