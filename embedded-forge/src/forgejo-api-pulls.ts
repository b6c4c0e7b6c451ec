// Forgejo-mode routes for pull requests (list, get, create — 409 when one is open for head→base, no
// drafts), merge (`POST …/merge` with `Do`, `head_commit_id`; empty 200), update (`POST …/update?style=`,
// synchronous, no SHA guard), branch deletion, commit statuses (combined and listed; `warning` exists)
// and Actions (v15 runs list filtered by `ref`; dispatch by workflow file name, 204).
// Behaviour from Forgejo's routers/api/v1/repo/pull.go, status.go, branch.go, action.go and
// models/issues/pull.go (ErrPullRequestAlreadyExists: "pull request already exists for these targets").
import { issueOf, num, pullOf } from './api-items.js';
import { newIssue } from './forgejo-api-issues.js';
import { forgejoReviewRoutes } from './forgejo-api-reviews.js';
import { forgejoEmit, forgejoPullJson } from './forgejo-events.js';
import { fRepo, fRun, fStatus, runStatus } from './forgejo-json.js';
import { forgejoRouteList } from './forgejo-router.js';
import * as git from './git-ops.js';
import { HttpError } from './http-util.js';
import { headRefOf } from './pull-state.js';
import type { PullRec, RepoState, StatusRec } from './state.js';
import { selectWorkflowPaths } from './workflow-parse.js';

const { routes, route } = forgejoRouteList();
const notFound = () => new HttpError(404, "The target couldn't be found.", { errors: [] });

route('GET', '/repos/{owner}/{repo}/pulls', 'read', async (forge, repo, req) => {
  const state = req.url.searchParams.get('state') ?? 'open';
  const out = [];
  for (const [n, pull] of [...repo.pulls].sort((a, b) => b[0] - a[0])) {
    const issue = issueOf(repo, n);
    if (state === 'all' || issue.state === state) out.push(await forgejoPullJson(forge, repo, issue, pull));
  }
  return { status: 200, list: out };
});

route('POST', '/repos/{owner}/{repo}/pulls', 'read', async (forge, repo, req) => {
  const body = req.body as { title?: string; body?: string; head?: string; base?: string; labels?: number[] };
  const head = (body.head ?? '').replace(/^[^:]*:/, '');
  const base = body.base ?? repo.defaultBranch;
  const headSha = await git.revParse(repo.gitDir, `refs/heads/${head}`);
  if (!headSha || !(await git.revParse(repo.gitDir, `refs/heads/${base}`))) throw notFound();
  for (const [n, p] of repo.pulls) {
    if (p.head === head && p.base === base && issueOf(repo, n).state === 'open') {
      const msg = `pull request already exists for these targets [id: ${n}, issue_id: ${n}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${head}, base_branch: ${base}]`;
      throw new HttpError(409, msg);
    }
  }
  const issue = newIssue(forge, repo, { title: body.title ?? head, body: body.body ?? '', user: req.token!.login, isPull: true });
  for (const id of body.labels ?? []) if (repo.labels.some((l) => l.id === id)) issue.labels.push(String(id));
  const pull: PullRec = {
    number: issue.number,
    head,
    base,
    headSha,
    headRepo: `${repo.owner}/${repo.name}`,
    draft: false,
    merged: false,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
  };
  repo.pulls.set(issue.number, pull);
  await forgejoEmit(forge, repo, issue, 'opened', req.token!);
  return { status: 201, body: await forgejoPullJson(forge, repo, issue, pull) };
});

route('GET', '/repos/{owner}/{repo}/pulls/{index}', 'read', async (forge, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.index));
  return { status: 200, body: await forgejoPullJson(forge, repo, issue, pull) };
});

route('POST', '/repos/{owner}/{repo}/pulls/{index}/merge', 'write', async (forge, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.index));
  const body = req.body as {
    Do: string;
    head_commit_id?: string;
    MergeTitleField?: string;
    MergeMessageField?: string;
    delete_branch_after_merge?: boolean;
  };
  if (pull.merged) throw new HttpError(405, 'The PR is already merged');
  if (issue.state !== 'open') throw new HttpError(405, 'The PR is closed');
  if (body.head_commit_id && body.head_commit_id !== pull.headSha) throw new HttpError(409, 'head out of date');
  const method = ({ merge: 'merge', squash: 'squash', rebase: 'rebase', 'rebase-merge': 'merge' } as const)[body.Do as 'merge'];
  if (!method) throw new HttpError(405, `merge style ${body.Do} is not supported by the embedded forge`);
  const state = await forge.mergeState(repo, pull);
  if (state.mergeable !== true) throw new HttpError(405, 'Please try again later');
  const before = await git.revParse(repo.gitDir, `refs/heads/${pull.base}`);
  let sha: string;
  try {
    const title =
      body.MergeTitleField ??
      (method === 'merge'
        ? `Merge pull request '${issue.title}' (#${issue.number}) from ${pull.head} into ${pull.base}`
        : `${issue.title} (#${issue.number})`);
    ({ sha } = await git.mergePull(repo.gitDir, {
      base: pull.base,
      head: headRefOf(pull),
      method,
      title,
      message: body.MergeMessageField ?? '',
    }));
  } catch (err) {
    if (err instanceof git.MergeConflictError || err instanceof git.NothingToMergeError || err instanceof git.RefChangedError)
      throw new HttpError(409, String((err as Error).message));
    throw err;
  }
  const at = forge.state.now();
  Object.assign(pull, { merged: true, mergedAt: at, mergeCommitSha: sha, mergedBy: req.token!.login });
  Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
  repo.events.push({ id: forge.state.id(), issue: issue.number, event: 'merged', actor: req.token!.login, createdAt: at });
  await forgejoEmit(forge, repo, issue, 'closed', req.token!);
  forge.branchMoved(repo, `refs/heads/${pull.base}`, before, sha, req.token);
  if (body.delete_branch_after_merge) await deleteBranch(forge, repo, pull.head, req.token);
  return { status: 200 };
});

route('POST', '/repos/{owner}/{repo}/pulls/{index}/update', 'write', async (forge, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.index));
  if (pull.merged || issue.state !== 'open') throw new HttpError(422, 'pull request is closed');
  // No SHA guard; synchronous. style=rebase is updated like style=merge here (a gap of the embedded forge).
  const before = pull.headSha;
  let sha: string;
  try {
    sha = await git.updateBranch(repo.gitDir, { base: pull.base, head: pull.head });
  } catch (err) {
    if (err instanceof git.MergeConflictError) throw new HttpError(409, 'merge failed because of conflict');
    throw err;
  }
  if (sha !== before) {
    forge.branchMoved(repo, `refs/heads/${pull.head}`, before, sha, req.token);
    await forge.settled();
  }
  return { status: 200 };
});

route('DELETE', '/repos/{owner}/{repo}/branches/{branch}', 'write', async (forge, repo, req) => {
  const branch = req.params.branch!;
  if (branch === repo.defaultBranch) throw new HttpError(403, 'can not delete default branch');
  if (!(await deleteBranch(forge, repo, branch, req.token))) throw notFound();
  return { status: 204 };
});

async function deleteBranch(
  forge: Parameters<typeof forgejoEmit>[0],
  repo: RepoState,
  branch: string,
  token: Parameters<typeof forge.branchMoved>[4],
) {
  const ref = `refs/heads/${branch}`;
  const before = await git.revParse(repo.gitDir, ref);
  if (!before) return false;
  await git.deleteRef(repo.gitDir, ref);
  forge.branchMoved(repo, ref, before, null, token);
  return true;
}

// ---- commit statuses ----

async function shaOf(repo: RepoState, ref: string): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  const sha = (await git.revParse(repo.gitDir, `refs/heads/${ref}`)) ?? (await git.revParse(repo.gitDir, `refs/tags/${ref}`));
  if (!sha) throw notFound();
  return sha;
}

/** The newest status per context, newest first. */
function latest(repo: RepoState, sha: string): StatusRec[] {
  const byContext = new Map<string, StatusRec>();
  for (const s of repo.statuses.filter((x) => x.sha === sha)) byContext.set(s.context, s);
  return [...byContext.values()].sort((a, b) => b.id - a.id);
}

// The combined state is the worst one: error < failure < warning < pending < success (models/git/commit_status.go).
const RANK: Record<StatusRec['state'], number> = { error: 0, failure: 1, warning: 2, pending: 3, success: 4 };

route('GET', '/repos/{owner}/{repo}/commits/{ref}/status', 'read', async (forge, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const statuses = latest(repo, sha);
  // Nothing reported: Forgejo answers an empty CombinedStatus (no state, statuses null).
  if (statuses.length === 0)
    return { status: 200, body: { state: '', sha: '', total_count: 0, statuses: null, repository: null, commit_url: '', url: '' } };
  const state = statuses.reduce((worst, s) => (RANK[s.state] < RANK[worst] ? s.state : worst), 'success' as StatusRec['state']);
  const full = `${repo.owner}/${repo.name}`;
  return {
    status: 200,
    body: {
      state,
      sha,
      total_count: statuses.length,
      statuses: statuses.map((s) => fStatus(forge.state, repo, s, forge.urls)),
      repository: fRepo(forge.state, repo, forge.urls),
      commit_url: `${forge.urls.api}/repos/${full}/commits/${sha}`,
      url: `${forge.urls.api}/repos/${full}/commits/${sha}/status`,
    },
  };
});

route('GET', '/repos/{owner}/{repo}/commits/{ref}/statuses', 'read', async (forge, repo, req) => {
  const sha = await shaOf(repo, req.params.ref!);
  const wanted = req.url.searchParams.get('state');
  const items = repo.statuses
    .filter((s) => s.sha === sha && (!wanted || s.state === wanted))
    .sort((a, b) => b.id - a.id)
    .map((s) => fStatus(forge.state, repo, s, forge.urls));
  return { status: 200, list: items };
});

route('POST', '/repos/{owner}/{repo}/statuses/{sha}', 'write', (forge, repo, req) => {
  const body = req.body as { state?: string; context?: string; description?: string; target_url?: string };
  if (!['pending', 'success', 'error', 'failure', 'warning'].includes(body.state ?? ''))
    throw new HttpError(400, `invalid state ${body.state}`);
  const s: StatusRec = {
    id: forge.state.id(),
    sha: req.params.sha!,
    context: body.context || 'default',
    state: body.state as StatusRec['state'],
    description: body.description ?? '',
    targetUrl: body.target_url ?? '',
    createdAt: forge.state.now(),
    creator: req.token!.login,
  };
  repo.statuses.push(s);
  return { status: 201, body: fStatus(forge.state, repo, s, forge.urls) };
});

// ---- Actions ----

route('GET', '/repos/{owner}/{repo}/actions/runs', 'read', (forge, repo, req) => {
  const q = req.url.searchParams;
  const events = q.getAll('event').flatMap((e) => e.split(','));
  const statuses = q.getAll('status').flatMap((e) => e.split(','));
  const runs = repo.runs
    .filter((r) => !q.get('ref') || q.get('ref') === (r.headBranch.startsWith('refs/') ? r.headBranch : `refs/heads/${r.headBranch}`))
    .filter((r) => events.length === 0 || events.includes(r.event))
    .filter((r) => statuses.length === 0 || statuses.includes(runStatus(r)))
    .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
    .filter((r) => !q.get('workflow_id') || r.workflowPath.endsWith(`/${q.get('workflow_id')}`))
    .sort((a, b) => b.id - a.id);
  const limit = Math.min(Number.parseInt(q.get('limit') ?? '', 10) || 30, 50);
  const page = Math.max(Number.parseInt(q.get('page') ?? '', 10) || 1, 1);
  const items = runs.slice((page - 1) * limit, page * limit).map((r) => fRun(forge.state, repo, r, forge.urls));
  return { status: 200, body: { total_count: runs.length, workflow_runs: items } };
});

route('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}', 'read', (forge, repo, req) => {
  const run = repo.runs.find((r) => r.id === Number(req.params.run_id));
  if (!run) throw notFound();
  return { status: 200, body: fRun(forge.state, repo, run, forge.urls) };
});

route('POST', '/repos/{owner}/{repo}/actions/workflows/{workflowfilename}/dispatches', 'write', async (forge, repo, req) => {
  const name = req.params.workflowfilename!;
  const body = req.body as { ref: string; inputs?: Record<string, unknown> };
  const ref = body.ref.replace(/^refs\/heads\//, '');
  // The file in the first of .forgejo/workflows, .gitea/workflows, .github/workflows that has workflows.
  const paths: string[] = [];
  for (const dir of ['.forgejo/workflows', '.gitea/workflows', '.github/workflows'])
    for (const f of (await git.listFiles(repo.gitDir, ref, dir)) ?? []) paths.push(f.path);
  const path = selectWorkflowPaths(paths, 'forgejo').find((p) => p.split('/').at(-1) === name);
  if (!path) throw notFound();
  const accepted = await forge.dispatch(repo, path, ref, body.inputs ?? {}, req.token!);
  if (accepted === false) throw notFound();
  if (typeof accepted === 'string') throw new HttpError(422, accepted);
  return { status: 204 };
});

// Reviews (forgejo-api-reviews.ts) are pull request routes too.
export const forgejoPullRoutes = [...routes, ...forgejoReviewRoutes];
