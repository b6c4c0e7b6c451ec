// The embedded forge's workflow runner: turns forge events into workflow runs with each forge's REAL
// semantics and executes them — real `git` for actions/checkout, real processes for `run:` steps,
// and agentloop itself (`node <actionDir>/dist/index.js`) with the Actions environment.
//
// Events caused by a workflow's automatic token start nothing, except workflow_dispatch and
// repository_dispatch (docs.github.com "Triggering a workflow from a workflow"; Forgejo: same rule).
// The parts: triggers.ts (event → planned runs, which commit's workflow files), scheduler.ts
// (run lifecycle and per-repository concurrency), run-exec.ts (jobs, `needs`, job slots),
// job-exec.ts (a job: env, steps, timeouts), step-exec.ts (a step's process and file commands),
// reporting.ts (check runs, statuses, workflow_run events), activity.ts (idle()).
//
// Each job's automatic token carries its `permissions:` (job-exec.ts). Assumptions (stated where they
// matter): job-level `concurrency:` is not scheduled (only the workflow level); matrix, services, containers,
// reusable workflows, pre/post action steps and job outputs are not simulated; `uses:` other than
// actions/checkout and agentloop are no-ops that log "skipped (not simulated)". Invalid workflow files
// start no run (GitHub shows a failed run for them on push; they are listed in `invalidWorkflows`).
import { Activity } from './activity.js';
import type { ForgeEvent } from './events.js';
import { JobExecutor } from './job-exec.js';
import { Reporter } from './reporting.js';
import { RunExecutor } from './run-exec.js';
import { type RunnerHost, Slots } from './runner-host.js';
import type { RunnerOptions, RunRecord } from './runner-types.js';
import { RunScheduler } from './scheduler.js';
import type { EmbeddedForge } from './server.js';
import type { RepoState } from './state.js';
import { killGroup } from './step-process.js';
import { Triggers } from './triggers.js';
import { get } from './workflow-engine.js';

export type { Delivery, JobRecord, RunConclusion, RunEvent, RunnerOptions, RunRecord, StepConclusion, StepRecord } from './runner-types.js';
export { groupAlive, processAlive } from './step-process.js';

export class WorkflowRunner {
  readonly runs: RunRecord[] = [];
  /** Workflow files that failed validation, as seen while planning (path → errors). */
  readonly invalidWorkflows: Map<string, string[]>;
  private readonly liveGroups = new Set<number>();
  private readonly activity: Activity;
  private readonly triggers: Triggers;
  private readonly scheduler: RunScheduler;
  private started = false;
  private stopped = false;

  constructor(
    readonly forge: EmbeddedForge,
    readonly opts: RunnerOptions,
  ) {
    this.activity = new Activity(() => this.opts.settleMs ?? 100);
    const host: RunnerHost = {
      forge,
      opts,
      slots: new Slots(opts.maxParallelJobs ?? 2),
      liveGroups: this.liveGroups,
      stopped: () => this.stopped,
      fail: (err) => this.activity.fail(err),
    };
    const reporter = new Reporter(host);
    const runs = new RunExecutor(host, reporter, new JobExecutor(host, reporter));
    this.triggers = new Triggers(forge, opts);
    this.invalidWorkflows = this.triggers.invalidWorkflows;
    this.scheduler = new RunScheduler(host, reporter, this.activity, this.runs, (run, i) => runs.execute(run, i));
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
    this.forge.onDispatch = (repo, workflowPath, ref, inputs, token) => this.triggers.dispatch(repo, workflowPath, ref, inputs, token);
  }

  /** Stops reacting to events and kills every running step (for test teardown). */
  stop(): void {
    this.stopped = true;
    this.scheduler.cancelAll();
    for (const pid of this.liveGroups) killGroup(pid);
  }

  /** A schedule tick: one `schedule` event per distinct cron of the default branch's workflows. */
  tickSchedule(repo: RepoState): void {
    this.queue(repo, () => this.triggers.scheduleTick(repo));
  }

  /** Resolves when nothing is queued, pending or running, no event is being planned and the forge has no
   *  background work left (an update-branch that has not landed yet). */
  async idle(): Promise<void> {
    for (;;) {
      await this.forge.settled();
      await this.activity.idle();
      if (!this.forge.busy) return;
    }
  }

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
    const ctx = this.scheduler.repoCtx(repo);
    for (let i = 0; i < times; i++) {
      this.queue(repo, async () => {
        if (this.stopped) return;
        await this.triggers.plan(repo, ev, (t, p) => this.scheduler.createRun(ctx, ev, t, p, depth));
      });
    }
  }

  /** Events of a repository are planned one at a time, in arrival order. */
  private queue(repo: RepoState, work: () => Promise<void>): void {
    const ctx = this.scheduler.repoCtx(repo);
    this.activity.eventQueued();
    ctx.chain = ctx.chain
      .then(work)
      .catch((err) => this.activity.fail(err))
      .finally(() => this.activity.eventDone());
  }

  /** Depth of the run a workflow_run event would start: one more than the run that completed. */
  private workflowRunDepth(ev: ForgeEvent): number {
    const id = Number(get(ev.payload, 'workflow_run', 'id'));
    const parent = this.runs.find((r) => r.id === id);
    return (parent?.depth ?? 0) + 1;
  }
}

/** One line for progress output and transcripts. */
export function describeRun(r: RunRecord): string {
  const ev = [
    r.event.name,
    r.event.action,
    r.event.label ? `'${r.event.label}'` : undefined,
    r.event.item !== undefined ? `#${r.event.item}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const out = r.outputs.transition ? ` transition=${r.outputs.transition}${r.outputs.outcome ? ` outcome=${r.outputs.outcome}` : ''}` : '';
  const group = r.concurrencyGroup ? ` [${r.concurrencyGroup}]` : '';
  const result = r.status === 'completed' ? `${r.conclusion}${r.cancelledByConcurrency ? ' (concurrency)' : ''}` : r.status;
  return `run ${r.id} ${r.workflow.name} (${ev} by ${r.event.actor})${group}: ${result}${out}`;
}
