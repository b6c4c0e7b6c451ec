// Run lifecycle in the workflow runner: each planned run becomes a WorkflowRunRec (so the runs API sees
// it) and goes through a per-repository ConcurrencyScheduler with its workflow-level group.
// Status: queued → (pending while it waits for its group) → in_progress → completed. A run cancelled by
// a newer one of its group stops its running step; one that never started completes at once.
import type { Activity } from './activity.js';
import type { ForgeEvent } from './events.js';
import type { Reporter } from './reporting.js';
import type { RunInternals, RunnerHost } from './runner-host.js';
import type { RunConclusion, RunRecord } from './runner-types.js';
import type { RepoState, WorkflowRunRec } from './state.js';
import type { Target } from './triggers.js';
import { ConcurrencyScheduler, get, type PlannedRun, type QueuedRun } from './workflow-engine.js';

/** Per repository: its concurrency groups, and the chain that plans its events one at a time. */
export interface RepoCtx {
  repo: RepoState;
  scheduler: ConcurrencyScheduler<RunRecord>;
  chain: Promise<void>;
}

const REVIEW_EVENTS = ['pull_request_review', 'pull_request_review_comment'];

export class RunScheduler {
  private readonly repos = new Map<string, RepoCtx>();
  private readonly internals = new Map<number, RunInternals>();
  private readonly runNumbers = new Map<string, number>();

  constructor(
    private readonly host: RunnerHost,
    private readonly reporter: Reporter,
    private readonly activity: Activity,
    private readonly runs: RunRecord[],
    /** Executes a started run's jobs; resolves with the run's conclusion. */
    private readonly execute: (run: RunRecord, i: RunInternals) => Promise<RunConclusion>,
  ) {}

  repoCtx(repo: RepoState): RepoCtx {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    let c = this.repos.get(key);
    if (!c) {
      c = { repo, scheduler: new ConcurrencyScheduler<RunRecord>(this.host.opts.flavor), chain: Promise.resolve() };
      this.repos.set(key, c);
    }
    return c;
  }

  /** Cancels every live run and withdraws its waiting jobs (stop()). */
  cancelAll(): void {
    for (const i of this.internals.values()) {
      i.cancelRequested = true;
      i.killCurrent?.('cancelled');
      i.cancelWait?.();
    }
  }

  /** Records a planned run, then starts it, queues it behind its group or completes it (evaluation error). */
  createRun(ctx: RepoCtx, ev: ForgeEvent, t: Target, p: PlannedRun, depth: number): void {
    const repo = ctx.repo;
    const state = this.host.forge.state;
    const numberKey = `${repo.owner}/${repo.name}/${p.workflow.path}`.toLowerCase();
    const runNumber = (this.runNumbers.get(numberKey) ?? 0) + 1;
    this.runNumbers.set(numberKey, runNumber);
    const github = { ...p.github, run_number: String(runNumber) };
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
    // GitHub: a `pull_request` run for a fork's pull request (pull_request_target runs as the base), and a
    // review event's run on one (docs: "Workflows in forked repositories"). Forgejo marks only pull request
    // events as from a fork (services/actions/notifier_helper.go: a review's notify input has no PR).
    const forkable = p.event.name === 'pull_request' || (this.host.opts.flavor === 'github' && REVIEW_EVENTS.includes(p.event.name));
    const headRepo = forkable && item !== undefined ? repo.pulls.get(item)?.headRepo : undefined;
    const fromFork = headRepo !== undefined && headRepo.toLowerCase() !== `${repo.owner}/${repo.name}`.toLowerCase();
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
      token: '',
      fromFork,
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
    this.activity.runQueued();
    this.reporter.notify('queued', run);
    this.reporter.emitWorkflowRun(run, 'requested');

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
    this.reporter.notify('cancelled', run);
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
    void this.run(ctx, run, i).catch((err) => {
      this.host.fail(err);
      if (run.status !== 'completed') this.complete(ctx, run, 'failure');
    });
  }

  private async run(ctx: RepoCtx, run: RunRecord, i: RunInternals): Promise<void> {
    const now = Date.now();
    run.status = 'in_progress';
    run.rec.status = 'in_progress';
    run.rec.updatedAt = this.host.forge.state.now();
    run.startedAt = now;
    run.queuedMs = now - run.createdAt;
    this.reporter.notify('started', run);
    this.reporter.emitWorkflowRun(run, 'in_progress');
    this.complete(ctx, run, await this.execute(run, i));
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
    run.rec.updatedAt = this.host.forge.state.now();
    this.internals.delete(run.id);
    this.reporter.notify('completed', run);
    // Emitted before the run stops counting as live, so idle() cannot slip in between.
    this.reporter.emitWorkflowRun(run, 'completed');
    const { start } = ctx.scheduler.finish(run.id);
    for (const s of start) this.launch(ctx, s.data);
    this.activity.runDone();
  }
}
