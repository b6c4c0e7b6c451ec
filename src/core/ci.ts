// CI on a PR head (DESIGN §3): check runs + statuses, agentloop's own runs excluded, unknown ≠ green.
// And whose CI is the default branch's (DESIGN §8 "Forks and foreign runs"). Pure.
import type { LoopEvent } from './event.js';
import type { CheckData } from './model.js';
import type { CiSummary } from './snapshot.js';

/**
 * The job names of agentloop's own workflows (workflows-templates/github): a check run is named by its
 * job, and these checks are agentloop running, not CI. Exact names only — a check merely called
 * `agentloop-lint` is somebody's CI and counts.
 */
export const OWN_CHECK_NAMES: readonly string[] = ['agentloop-plan', 'agentloop-code', 'agentloop-sweep'];

/** The names (`name:`) and files of agentloop's own workflows, for telling their runs from CI runs. */
export const OWN_WORKFLOW_NAMES: readonly string[] = ['agentloop plan', 'agentloop code', 'agentloop sweep'];
export const SWEEP_WORKFLOW_FILE = 'agentloop-sweep.yml';

/** The only run events that run the default branch's own code: a fork cannot start any of them. */
export const DEFAULT_BRANCH_EVENTS: readonly string[] = ['push', 'schedule', 'workflow_dispatch'];

/** Where a workflow run came from, as the forge reports it. */
export interface RunOrigin {
  /** push, schedule, workflow_dispatch, pull_request, … */
  event: string;
  /** owner/name of the repository the head came from ('' when unknown). */
  headRepo: string;
  headBranch: string;
}

/**
 * A workflow run is the default branch's CI only when this repository's push, schedule or dispatch ran
 * it, on the default branch. A fork's pull request may name its head branch `main` and bring its own
 * workflow files: its runs never open, update or close a ci-failure issue. Unknown fields fail closed.
 */
export function countsForDefaultBranch(run: RunOrigin, repo: { fullName: string; defaultBranch: string }): boolean {
  return (
    DEFAULT_BRANCH_EVENTS.includes(run.event) &&
    run.headRepo !== '' &&
    run.headRepo.toLowerCase() === repo.fullName.toLowerCase() &&
    repo.defaultBranch !== '' &&
    run.headBranch === repo.defaultBranch
  );
}

/** The same rule for a `workflow_run` event (the repository is the one the payload was sent for). */
export function isDefaultBranchCi(event: Extract<LoopEvent, { kind: 'ci' }>, defaultBranch: string): boolean {
  return countsForDefaultBranch(
    { event: event.runEvent, headRepo: event.headRepo, headBranch: event.headBranch },
    { fullName: event.repo, defaultBranch },
  );
}

/** A run whose head is another repository's (a fork's): never agentloop's business. Unknown is not foreign. */
export function isForeignCi(event: Extract<LoopEvent, { kind: 'ci' }>): boolean {
  return event.headRepo !== '' && event.repo !== '' && event.headRepo.toLowerCase() !== event.repo.toLowerCase();
}

export function summarizeChecks(
  sha: string,
  checks: readonly CheckData[],
  opts: { requiredChecks: readonly string[]; ownRunIds?: readonly number[] },
): CiSummary {
  const own = new Set(opts.ownRunIds ?? []);
  const relevant = checks.filter((c) => !OWN_CHECK_NAMES.includes(c.name) && !(c.runId !== undefined && own.has(c.runId)));
  // The forges list the latest run per check name; a name both failing and passing counts as failing.
  const rank = { failure: 3, pending: 2, success: 1, neutral: 1, skipped: 1 } as const;
  const byName = new Map<string, 'failure' | 'pending' | 'success'>();
  for (const c of relevant) {
    const state = rank[c.conclusion] === 1 ? 'success' : (c.conclusion as 'failure' | 'pending');
    const prev = byName.get(c.name);
    if (!prev || rank[state] > rank[prev]) byName.set(c.name, state);
  }
  const required = opts.requiredChecks;
  const considered = required.length ? [...byName].filter(([n]) => required.includes(n)) : [...byName];
  const failing = considered.filter(([, c]) => c === 'failure').map(([n]) => n);
  const pending = considered.filter(([, c]) => c === 'pending').map(([n]) => n);
  const missing = required.filter((n) => !byName.has(n));
  let status: CiSummary['status'];
  if (failing.length) status = 'failure';
  else if (considered.length === 0) status = 'none';
  else if (pending.length || missing.length) status = 'pending';
  else status = 'success';
  return { sha, status, failing, pending, missing };
}
