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

/**
 * Said once per run (job summary) and on the item whose CI it judged: a fine-grained PAT cannot hold the
 * Checks permission, so check runs were read another way, and what to grant to see them all.
 */
export function checkRunsHiddenNotice(): string {
  return (
    'This token may not read check runs (GitHub answered 403: fine-grained personal access tokens cannot hold the Checks permission, and a GitHub App needs it granted). ' +
    'agentloop read CI from the commit statuses and the GitHub Actions jobs of the head commit instead, so a check that another app reports only as a check run is invisible to it. ' +
    'For full check runs, give agentloop a GitHub App token with Checks: read (README: Tokens).'
  );
}

/**
 * Whether a check is agentloop running: a check run named by one of its jobs (GitHub), or a commit status
 * Forgejo sets for one of its jobs' runs, `<workflow name> / <job> (<event>)` — Forgejo sets one on the PR
 * head for runs of PR events, review events included, so a killed agentloop run read as red CI and was
 * "fixed" (the crash matrix found it with Forgejo's semantics).
 */
export function isOwnCheck(name: string): boolean {
  if (OWN_CHECK_NAMES.includes(name)) return true;
  const m = /^(.+) \/ (.+) \([a-z_]+\)$/.exec(name);
  return !!m && OWN_WORKFLOW_NAMES.includes(m[1]!) && OWN_CHECK_NAMES.includes(m[2]!);
}

export function summarizeChecks(
  sha: string,
  checks: readonly CheckData[],
  opts: { requiredChecks: readonly string[]; ownRunIds?: readonly number[] },
): CiSummary {
  const own = new Set(opts.ownRunIds ?? []);
  const relevant = checks.filter((c) => !isOwnCheck(c.name) && !(c.runId !== undefined && own.has(c.runId)));
  // The forges list the latest run per check name; a name both failing and passing counts as failing.
  // action_required waits for a maintainer (approving a run, acting on the check): never red — agentloop
  // must not "fix" it — and never green — nothing merges on it.
  const STATE = {
    failure: 'failure',
    pending: 'pending',
    action_required: 'waiting',
    success: 'success',
    neutral: 'success',
    skipped: 'success',
  } as const;
  const rank = { failure: 4, waiting: 3, pending: 2, success: 1 } as const;
  type State = keyof typeof rank;
  const byName = new Map<string, State>();
  for (const c of relevant) {
    const state: State = STATE[c.conclusion];
    const prev = byName.get(c.name);
    if (!prev || rank[state] > rank[prev]) byName.set(c.name, state);
  }
  const required = opts.requiredChecks;
  const considered = required.length ? [...byName].filter(([n]) => required.includes(n)) : [...byName];
  const named = (state: State) => considered.filter(([, c]) => c === state).map(([n]) => n);
  const failing = named('failure');
  const pending = named('pending');
  const waiting = named('waiting');
  const missing = required.filter((n) => !byName.has(n));
  let status: CiSummary['status'];
  if (failing.length) status = 'failure';
  else if (considered.length === 0) status = 'none';
  else if (pending.length || waiting.length || missing.length) status = 'pending';
  else status = 'success';
  return { sha, status, failing, pending, missing, ...(waiting.length ? { waiting } : {}) };
}
