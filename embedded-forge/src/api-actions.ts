// REST routes for CI: commit statuses, check runs, workflow runs and jobs, job logs (302 to a short-lived
// download URL), workflow dispatch (by workflow id or file name), and the repository's workflow
// permissions setting.

import { now, num } from './api-items.js';
import { routeList } from './api-router.js';
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
  // "Gets a redirect URL to download a plain text file of logs … This link expires after 1 minute."
  const location = host.logDownloadUrl(repo, num(req.params.job_id));
  if (location === undefined) throw notFound();
  return { status: 302, headers: { location } };
});

route('GET', '/repos/{owner}/{repo}/actions/workflows', async (host, repo) => {
  // The workflow files on the default branch (GitHub lists every workflow the repository has had; a
  // deleted file keeps its entry, which this forge does not model).
  const files = ((await git.listFiles(repo.gitDir, repo.defaultBranch, '.github/workflows')) ?? []).filter((f) => /\.ya?ml$/.test(f.path));
  const workflows = [];
  for (const f of files) {
    const text = (await git.readFile(repo.gitDir, repo.defaultBranch, f.path)) ?? '';
    const name = /^name:\s*["']?(.+?)["']?\s*$/m.exec(text)?.[1] ?? f.path;
    const id = hashPath(f.path);
    const api = `${host.urls.api}/repos/${repo.owner}/${repo.name}/actions/workflows/${id}`;
    const web = `${host.urls.web}/${repo.owner}/${repo.name}`;
    const at = now(host);
    workflows.push({
      id,
      node_id: `W_${id}`,
      name,
      path: f.path,
      state: 'active',
      created_at: at,
      updated_at: at,
      url: api,
      html_url: `${web}/blob/${repo.defaultBranch}/${f.path}`,
      badge_url: `${web}/workflows/${encodeURIComponent(name)}/badge.svg`,
    });
  }
  return { status: 200, body: { total_count: workflows.length, workflows } };
});

route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', async (host, repo, req) => {
  // "The ID of the workflow. You can also pass the workflow file name as a string." A path is neither.
  const id = req.params.workflow_id!;
  const workflowPath = /^\d+$/.test(id)
    ? await workflowById(repo, Number(id))
    : /^[^/]+\.ya?ml$/.test(id)
      ? `.github/workflows/${id}`
      : undefined;
  if (!workflowPath) throw notFound();
  const body = req.body as { ref: string; inputs?: Record<string, unknown> };
  const accepted = await host.dispatch(repo, workflowPath, body.ref, body.inputs ?? {}, req.token!);
  if (accepted === false) throw notFound();
  if (typeof accepted === 'string') throw new HttpError(422, accepted);
  return { status: 204 };
});

/** The workflow file with this id: one on the default branch, or one that has run. */
async function workflowById(repo: RepoState, id: number): Promise<string | undefined> {
  const files = (await git.listFiles(repo.gitDir, repo.defaultBranch, '.github/workflows')) ?? [];
  const paths = [...files.map((f) => f.path), ...repo.runs.map((r) => r.workflowPath)];
  return paths.find((p) => hashPath(p) === id);
}

// ---- Settings → Actions → General → Workflow permissions ----

route('GET', '/repos/{owner}/{repo}/actions/permissions/workflow', (_host, repo) => ({
  status: 200,
  body: {
    default_workflow_permissions: repo.actions.defaultWorkflowPermissions,
    can_approve_pull_request_reviews: repo.actions.canApprovePullRequestReviews,
  },
}));

route('PUT', '/repos/{owner}/{repo}/actions/permissions/workflow', (_host, repo, req) => {
  const body = req.body as { default_workflow_permissions?: 'read' | 'write'; can_approve_pull_request_reviews?: boolean };
  if (body.default_workflow_permissions !== undefined) repo.actions.defaultWorkflowPermissions = body.default_workflow_permissions;
  if (body.can_approve_pull_request_reviews !== undefined)
    repo.actions.canApprovePullRequestReviews = body.can_approve_pull_request_reviews;
  return { status: 204 };
});

export function workflowIdOf(path: string): number {
  return hashPath(path);
}

export const ciRoutes = routes;
