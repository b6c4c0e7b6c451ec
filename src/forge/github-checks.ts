// CI on a commit, the GitHub way: check runs plus commit statuses. A token that may not read check runs —
// a fine-grained PAT cannot hold the Checks permission, so GitHub answers 403 — gets the commit statuses
// plus the GitHub Actions jobs of the head SHA instead (each Actions job is also a check run of the same
// name), and the adapter remembers the refusal so the run asks once and can say so.
import { OWN_WORKFLOW_NAMES } from '../core/ci.js';
import type { CheckData } from '../core/model.js';
import { actionsIds, checkRunConclusion, httpStatus, PER_PAGE, statusConclusion } from './github-json.js';
import type { AgentloopOctokit } from './octokit.js';

type Repo = { owner: string; repo: string };

/** Whether a 403 is GitHub refusing the permission (not a rate limit, which also answers 403). */
export function isPermissionRefusal(error: unknown): boolean {
  if (httpStatus(error) !== 403) return false;
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message = typeof data?.message === 'string' ? data.message : error instanceof Error ? error.message : '';
  return !/rate limit/i.test(message);
}

export async function checkRuns(octokit: AgentloopOctokit, r: Repo, sha: string): Promise<CheckData[]> {
  const runs = await octokit.paginate('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...r, ref: sha, per_page: PER_PAGE });
  return runs.map((c): CheckData => {
    const url = c.html_url ?? c.details_url ?? '';
    return {
      name: c.name,
      conclusion: checkRunConclusion(c.status, c.conclusion),
      source: 'check-run',
      url,
      ...actionsIds(c.details_url ?? c.html_url),
    };
  });
}

/**
 * The Actions jobs of every workflow run on `sha`, as checks. A run without jobs yet (queued, or waiting
 * for a maintainer to approve it) stands for itself under its workflow's name, so it counts as CI that
 * has not finished rather than as no CI at all. agentloop's own runs (a label event on the PR starts one
 * on its head) are not CI: their jobs are not even asked for.
 */
export async function actionsJobChecks(octokit: AgentloopOctokit, r: Repo, sha: string): Promise<CheckData[]> {
  const runs = await octokit.paginate('GET /repos/{owner}/{repo}/actions/runs', { ...r, head_sha: sha, per_page: PER_PAGE });
  const out: CheckData[] = [];
  for (const run of runs) {
    if (OWN_WORKFLOW_NAMES.includes(run.name ?? '')) continue;
    const runId = Number(run.id);
    const jobs = await octokit.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', {
      ...r,
      run_id: runId,
      per_page: PER_PAGE,
    });
    if (jobs.length === 0) {
      out.push({
        name: run.name ?? String(runId),
        conclusion: checkRunConclusion(run.status ?? 'queued', run.conclusion),
        source: 'actions-job',
        url: run.html_url,
        runId,
      });
      continue;
    }
    for (const job of jobs)
      out.push({
        name: job.name,
        conclusion: checkRunConclusion(job.status, job.conclusion),
        source: 'actions-job',
        url: job.html_url ?? '',
        runId,
        detailsId: job.id,
      });
  }
  return out;
}

export async function commitStatuses(octokit: AgentloopOctokit, r: Repo, sha: string): Promise<CheckData[]> {
  const { data: combined } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
    ...r,
    ref: sha,
    per_page: PER_PAGE,
  });
  return combined.statuses.map(
    (s): CheckData => ({
      name: s.context,
      conclusion: statusConclusion(s.state),
      source: 'status',
      url: s.target_url ?? '',
      ...actionsIds(s.target_url),
    }),
  );
}
