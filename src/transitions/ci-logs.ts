// The failing jobs of a PR head and the tail of their logs, for the fix-ci prompt.
import type { CheckData } from '../core/model.js';
import type { RunContext } from '../services/context.js';

const TAIL_LINES = 120;
const MAX_JOBS = 4;
export const NO_LOGS =
  "(No log is available through the forge's API. Reproduce the failure by running the failing checks' commands from the repository's CI workflow files.)";

export interface FailingJobs {
  failing: string;
  logs: string;
}

/** `known`: the head's checks as this run already read them (the code snapshot's), else they are read. */
export async function failingJobs(
  rc: RunContext,
  headSha: string,
  failingNames: readonly string[],
  known?: readonly CheckData[],
): Promise<FailingJobs> {
  const checks = (known ?? (await rc.forge.listChecks(headSha))).filter((c) => c.conclusion === 'failure' && failingNames.includes(c.name));
  const lines: string[] = [];
  const logs: string[] = [];
  const seenRuns = new Set<number>();
  for (const check of checks) {
    if (check.runId === undefined || seenRuns.has(check.runId)) {
      if (check.runId === undefined) lines.push(`- ${check.name} (${check.url || 'no link'})`);
      continue;
    }
    seenRuns.add(check.runId);
    const jobs = (await rc.forge.listRunJobs(check.runId)).filter((j) => j.conclusion === 'failure');
    // Forgejo (v15) serves no jobs or logs through its API: name the check and its page instead.
    if (jobs.length === 0) lines.push(`- ${check.name} (${check.url || 'no link'})`);
    for (const job of jobs.slice(0, MAX_JOBS)) {
      lines.push(`- job "${job.name}"${job.failedSteps.length ? `, failed step(s): ${job.failedSteps.join(', ')}` : ''}`);
      const tail = await rc.forge.getJobLogTail(job.id, TAIL_LINES);
      if (tail) logs.push(`==> ${job.name} <==\n${tail}`);
    }
  }
  return {
    failing: lines.join('\n') || failingNames.map((n) => `- ${n}`).join('\n'),
    logs: logs.join('\n\n') || NO_LOGS,
  };
}
