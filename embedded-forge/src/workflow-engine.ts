// The embedded forge's workflow engine: given the repository's workflow files and an incoming
// event, decide which workflow runs and jobs happen, with which `if:` result and which concurrency
// group; ConcurrencyScheduler then orders the runs with each forge's real semantics. Executing
// steps is not done here.
//
// Modules: workflow-parse.ts (files → ParsedWorkflow), workflow-match.ts (`on:`),
// workflow-expr.ts (`${{ }}`, `if:`, the github context), concurrency.ts (the scheduler).
//
// Note: @actions/workflow-parser and @actions/expressions import JSON without import attributes;
// plain `node` 20 refuses them. They work bundled by esbuild, and under vitest only when inlined
// (`test.server.deps.inline` in vitest.config.ts).
import {
  type ExpressionContext,
  evaluateIf,
  type GithubContextExtra,
  githubContext,
  type RepoRef,
  type ResolvedConcurrency,
  resolveConcurrency,
} from './workflow-expr.js';
import { dispatchEventInputs, dispatchInputs, matchesOn, workflowEventNames } from './workflow-match.js';
import {
  type ForgeFlavor,
  type ParsedJob,
  type ParsedWorkflow,
  parseWorkflowFile,
  type TriggerEvent,
  type WorkflowFile,
} from './workflow-parse.js';

export * from './concurrency.js';
export * from './workflow-expr.js';
export * from './workflow-match.js';
export * from './workflow-parse.js';

export interface PlanOptions {
  vars?: Record<string, string>;
  /** Run id for each matched workflow (one run per workflow); default 1, 2, 3, … */
  allocateRunId?: (wf: ParsedWorkflow) => number;
  /** Extra github-context fields (server/api URLs, actor, token, …). */
  github?: Omit<GithubContextExtra, 'runId' | 'workflowName' | 'workflowPath'>;
}

export interface PlannedJob {
  job: ParsedJob;
  /** The job-level `if:` result (false also when it could not be evaluated). */
  runs: boolean;
  /** Evaluation error of `if:` or of the job-level concurrency (the real forge fails the job). */
  error?: string;
  /** Job-level concurrency (GitHub only; Forgejo ignores it), resolved. */
  concurrency?: ResolvedConcurrency;
}

export interface PlannedRun {
  workflow: ParsedWorkflow;
  runId: number;
  /** The event as this workflow sees it (workflow event name; dispatch inputs filled in). */
  event: TriggerEvent;
  github: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** Workflow-level concurrency, resolved — what the run is scheduled by. */
  concurrency: ResolvedConcurrency;
  /** Evaluation error of the workflow-level concurrency (the real forge fails the run). */
  error?: string;
  jobs: PlannedJob[];
}

export interface EventPlan {
  runs: PlannedRun[];
  /** Workflow files that failed validation (they never run). */
  invalid: { path: string; errors: string[] }[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The events a workflow may see for one delivered event: PR activity also fires pull_request_target;
 * Forgejo's review comment hook fires pull_request_review and pull_request_review_comment (a workflow
 * on both gets a run for each, as Forgejo's DetectWorkflows appends one per matching `on:` event).
 */
function candidateEvents(ev: TriggerEvent, flavor: ForgeFlavor): TriggerEvent[] {
  const names = workflowEventNames(ev, flavor);
  // Forgejo: the hook it came as decides its activity types (workflow-match.ts).
  const out: TriggerEvent[] = names.map((name) => ({ ...ev, name, ...(flavor === 'forgejo' ? { hook: ev.hook ?? ev.name } : {}) }));
  const name = names[0];
  if (name === 'pull_request') {
    const base = (ev.payload.pull_request as { base?: { ref?: string; sha?: string } } | undefined)?.base;
    out.push({
      ...ev,
      name: 'pull_request_target',
      ref: base?.ref ? `refs/heads/${base.ref}` : ev.ref,
      sha: base?.sha ?? ev.sha,
    });
  }
  return out;
}

/**
 * Parses the workflow files and decides, for one event, which runs happen: one PlannedRun per
 * matching workflow (and per matching event name), each with its jobs' `if:` results and the
 * resolved concurrency. Pass only the files the forge would read (see selectWorkflowPaths).
 */
export async function planEvent(
  files: WorkflowFile[],
  ev: TriggerEvent,
  flavor: ForgeFlavor,
  repo: RepoRef,
  opts: PlanOptions = {},
): Promise<EventPlan> {
  const plan: EventPlan = { runs: [], invalid: [] };
  let counter = 0;
  for (const file of files) {
    const wf = await parseWorkflowFile(file);
    if (wf.errors.length > 0) {
      plan.invalid.push({ path: wf.path, errors: wf.errors });
      continue;
    }
    for (const candidate of candidateEvents(ev, flavor)) {
      if (!matchesOn(wf, candidate, flavor)) continue;
      let event = candidate;
      let inputs: Record<string, unknown> = {};
      if (candidate.name === 'workflow_dispatch') {
        const given = (candidate.payload.inputs as Record<string, unknown> | undefined) ?? {};
        inputs = dispatchInputs(wf, given);
        event = { ...candidate, payload: { ...candidate.payload, inputs: dispatchEventInputs(wf, given) } };
      }
      const runId = opts.allocateRunId ? opts.allocateRunId(wf) : ++counter;
      const github = githubContext(event, repo, { ...opts.github, runId, workflowName: wf.name, workflowPath: wf.path }, flavor);
      // Contexts allowed in concurrency and job-level `if:` — no secrets, no env.
      const ctx: ExpressionContext = { github, inputs, vars: opts.vars ?? {}, needs: {} };
      const run: PlannedRun = { workflow: wf, runId, event, github, inputs, concurrency: { queueMax: false }, jobs: [] };
      try {
        run.concurrency = resolveConcurrency(wf.concurrency, ctx);
      } catch (err) {
        run.error = message(err);
      }
      for (const job of wf.jobs) {
        const planned: PlannedJob = { job, runs: false };
        try {
          planned.runs = evaluateIf(job.if, ctx);
          if (flavor === 'github' && job.concurrency) planned.concurrency = resolveConcurrency(job.concurrency, ctx);
        } catch (err) {
          planned.runs = false;
          planned.error = message(err);
        }
        run.jobs.push(planned);
      }
      plan.runs.push(run);
    }
  }
  return plan;
}
