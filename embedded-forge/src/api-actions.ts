// REST routes for CI: commit statuses, check runs, workflow runs and jobs, job logs, workflow dispatch.

import { now, num } from './api-items.js';
import { type ApiHost, routeList } from './api-router.js';
import * as git from './git-ops.js';
import { checkRunJson, hashPath, jobJson, repoJson, statusJson, workflowRunJson } from './github-json.js';
import { HttpError, notFound } from './http-util.js';
import type { RepoState } from './state.js';

const { routes, route } = routeList();

async function shaOf(repo: RepoState, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  const sha = (await git.revParse(repo.gitDir, `refs/heads/${ref}`)) ?? (await git.revParse(repo.gitDir, ref));
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

route('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', async (host, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const runs = repo.checkRuns.filter((c) => c.sha === sha);
  // filter=latest (the default): the newest check run per name.
  const latest = new Map<string, (typeof runs)[number]>();
  for (const c of runs) latest.set(c.name, c);
  const items = [...latest.values()].map((c) => checkRunJson(repo, c, host.urls));
  return { status: 200, body: { total_count: items.length, check_runs: items }, list: undefined };
});

route('GET', '/repos/{owner}/{repo}/commits/{ref}/status', async (host, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const latest = new Map<string, (typeof repo.statuses)[number]>();
  for (const s of repo.statuses.filter((x) => x.sha === sha)) latest.set(s.context, s);
  const statuses = [...latest.values()];
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
    ? 'failure'
    : statuses.every((s) => s.state === 'success') && statuses.length
      ? 'success'
      : 'pending';
  return {
    status: 200,
    body: {
      state,
      sha,
      total_count: statuses.length,
      statuses: statuses.map((s) => statusJson(host.state, s, host.urls)),
      repository: repoJson(host.state, repo, host.urls),
      commit_url: '',
      url: '',
    },
  };
});

route('POST', '/repos/{owner}/{repo}/statuses/{sha}', (host, repo, req) => {
  const body = req.body as {
    state: 'pending' | 'success' | 'failure' | 'error';
    context?: string;
    description?: string;
    target_url?: string;
  };
  const s = {
    id: host.state.id(),
    sha: req.params.sha!,
    context: body.context ?? 'default',
    state: body.state,
    description: body.description ?? '',
    targetUrl: body.target_url ?? '',
    createdAt: now(host),
  };
  repo.statuses.push(s);
  return { status: 201, body: statusJson(host.state, s, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/actions/runs', (host, repo, req) => {
  const q = req.url.searchParams;
  const runs = repo.runs
    .filter((r) => !q.get('branch') || r.headBranch === q.get('branch'))
    .filter((r) => !q.get('event') || r.event === q.get('event'))
    .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
    .filter((r) => {
      const s = q.get('status');
      if (!s) return true;
      return s === r.status || s === r.conclusion;
    })
    .sort((a, b) => b.id - a.id)
    .map((r) => workflowRunJson(host.state, repo, r, host.urls));
  const perPage = Math.min(Number(q.get('per_page') ?? 30) || 30, 100);
  return { status: 200, body: { total_count: runs.length, workflow_runs: runs.slice(0, perPage) } };
});

route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', (host, repo, req) => {
  const run = repo.runs.find((r) => r.id === num(req.params.run_id));
  if (!run) throw notFound();
  return { status: 200, body: workflowRunJson(host.state, repo, run, host.urls) };
});

route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', (host, repo, req) => {
  const run = repo.runs.find((r) => r.id === num(req.params.run_id));
  if (!run) throw notFound();
  const jobs = run.jobs.map((j) => jobJson(repo, run, j, host.urls));
  return { status: 200, body: { total_count: jobs.length, jobs } };
});

route('GET', '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', (host, repo, req) => {
  const log = host.readLog(repo, num(req.params.job_id));
  if (log === undefined) throw notFound();
  return { status: 200, body: log, headers: { 'content-type': 'text/plain; charset=utf-8' } };
});

route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', async (host, repo, req) => {
  const id = req.params.workflow_id!;
  const path = /^\d+$/.test(id) ? undefined : id.includes('/') ? id : `.github/workflows/${id}`;
  const workflowPath = path ?? repoWorkflowById(host, repo, Number(id));
  if (!workflowPath) throw notFound();
  const body = req.body as { ref: string; inputs?: Record<string, unknown> };
  const accepted = await host.dispatch(repo, workflowPath, body.ref, body.inputs ?? {}, req.token!);
  if (accepted === false) throw notFound();
  if (typeof accepted === 'string') throw new HttpError(422, accepted);
  return { status: 204 };
});

function repoWorkflowById(_host: ApiHost, repo: RepoState, id: number): string | undefined {
  return repo.runs.find((r) => hashPath(r.workflowPath) === id)?.workflowPath;
}

export function workflowIdOf(path: string): number {
  return hashPath(path);
}

export const ciRoutes = routes;
