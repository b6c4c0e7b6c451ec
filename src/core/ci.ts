// CI on a PR head (DESIGN §3): check runs + statuses, agentloop's own runs excluded, unknown ≠ green.
import type { CheckData } from './model.js';
import type { CiSummary } from './snapshot.js';

/** agentloop's own workflow jobs are named `agentloop…` in the templates; their checks are not CI. */
export const OWN_CHECK_PREFIX = 'agentloop';

export function summarizeChecks(
  sha: string,
  checks: readonly CheckData[],
  opts: { requiredChecks: readonly string[]; ownRunIds?: readonly number[] },
): CiSummary {
  const own = new Set(opts.ownRunIds ?? []);
  const relevant = checks.filter((c) => !c.name.toLowerCase().startsWith(OWN_CHECK_PREFIX) && !(c.runId !== undefined && own.has(c.runId)));
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
