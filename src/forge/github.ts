// GitHub adapter of the Forge interface (DESIGN §7). Every call names its literal REST route so the
// contract test can check it against GitHub's OpenAPI description.
import type {
  Actor,
  CheckConclusion,
  CheckData,
  CommentData,
  IssueData,
  JobData,
  LabelData,
  LabelEvent,
  MergeableState,
  MergeMethod,
  Permission,
  PullData,
  RepoInfo,
  RepoRef,
  WorkflowRunData,
} from '../core/model.js';
import type { Forge, MergeOutcome, NewLabel, NewPull, RequestStats } from './forge.js';
import { createOctokit, type AgentloopOctokit, type CreateOctokitOptions } from './octokit.js';

const PER_PAGE = 100;

// ---- mapping helpers (loose input shapes: list and single endpoints return slightly different objects) ----

interface UserLike {
  login: string;
  type?: string;
}
type LabelLike = string | { name?: string | null };

function toActor(user: UserLike | null | undefined): Actor {
  // GitHub returns null for deleted accounts ("ghost").
  if (!user) return { login: 'ghost', type: 'User' };
  const type = user.type === 'Bot' ? 'Bot' : user.type === 'Organization' ? 'Organization' : 'User';
  return { login: user.login, type };
}

function labelNames(labels: LabelLike[] | undefined): string[] {
  return (labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter((n) => n !== '');
}

interface IssueLike {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  pull_request?: unknown;
  labels?: LabelLike[];
  user: UserLike | null;
  created_at: string;
  html_url: string;
}

function toIssue(i: IssueLike): IssueData {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: i.state === 'closed' ? 'closed' : 'open',
    isPull: i.pull_request !== undefined && i.pull_request !== null,
    labels: labelNames(i.labels),
    author: toActor(i.user),
    createdAt: i.created_at,
    htmlUrl: i.html_url,
  };
}

// Octokit parses ids beyond 2^53 as bigint; real ids are far below that, so Number() is exact.
interface CommentLike {
  id: number | bigint;
  body?: string;
  user: UserLike | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

function toComment(c: CommentLike): CommentData {
  return {
    id: Number(c.id),
    body: c.body ?? '',
    author: toActor(c.user),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    htmlUrl: c.html_url,
  };
}

const MERGEABLE_STATES: readonly MergeableState[] = ['clean', 'behind', 'dirty', 'blocked', 'unstable', 'has_hooks', 'draft', 'unknown'];

interface PullLike {
  number: number;
  title: string;
  body: string | null;
  state: string;
  merged?: boolean;
  merged_at: string | null;
  draft?: boolean;
  labels: LabelLike[];
  user: UserLike | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
  // Only on the single-PR endpoint; the list endpoint leaves them out.
  mergeable?: boolean | null;
  mergeable_state?: string;
  created_at: string;
  updated_at: string;
  html_url: string;
}

function toPull(p: PullLike): PullData {
  const state = p.mergeable_state as MergeableState | undefined;
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: p.merged ?? p.merged_at !== null,
    draft: p.draft ?? false,
    labels: labelNames(p.labels),
    author: toActor(p.user),
    headRef: p.head.ref,
    headSha: p.head.sha,
    // null when the fork was deleted.
    headRepoFullName: p.head.repo?.full_name ?? '',
    baseRef: p.base.ref,
    // null = GitHub has not computed it yet; never read it as false.
    mergeable: p.mergeable ?? null,
    mergeableState: state && MERGEABLE_STATES.includes(state) ? state : 'unknown',
    createdAt: p.created_at,
    updatedAt: p.updated_at,
    htmlUrl: p.html_url,
  };
}

/** Actions URLs look like …/actions/runs/<run>/job/<job>; other CI apps' URLs carry neither. */
function actionsIds(url: string | null | undefined): { runId?: number; detailsId?: number } {
  const run = /\/actions\/runs\/(\d+)/.exec(url ?? '');
  const job = /\/job\/(\d+)/.exec(url ?? '');
  return { ...(run ? { runId: Number(run[1]) } : {}), ...(job ? { detailsId: Number(job[1]) } : {}) };
}

function checkRunConclusion(status: string, conclusion: string | null): CheckConclusion {
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success' || conclusion === 'neutral' || conclusion === 'skipped') return conclusion;
  // failure, cancelled, timed_out, action_required, startup_failure, stale (and anything new) are not green.
  return 'failure';
}

function statusConclusion(state: string): CheckConclusion {
  if (state === 'success' || state === 'pending') return state;
  return 'failure';
}

const RUN_STATUSES: readonly WorkflowRunData['status'][] = ['queued', 'in_progress', 'completed', 'waiting', 'pending', 'requested'];

interface RunLike {
  id: number | bigint;
  name?: string | null;
  workflow_id: number;
  head_branch: string | null;
  head_sha: string;
  event: string;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
  path?: string;
}

function toRun(r: RunLike): WorkflowRunData {
  const status = r.status as WorkflowRunData['status'] | null;
  return {
    id: Number(r.id),
    name: r.name ?? '',
    workflowId: r.workflow_id,
    headBranch: r.head_branch ?? '',
    headSha: r.head_sha,
    event: r.event,
    status: status && RUN_STATUSES.includes(status) ? status : 'queued',
    conclusion: r.conclusion,
    htmlUrl: r.html_url,
    createdAt: r.created_at,
    path: r.path ?? '',
  };
}

const PERMISSIONS: readonly Permission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

function asPermission(value: string | null | undefined): Permission | undefined {
  return PERMISSIONS.find((p) => p === value);
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Run a request whose listed HTTP statuses mean "nothing to do" (already gone, already exists …). */
async function tolerate(statuses: number[], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!statuses.includes(httpStatus(error) ?? -1)) throw error;
  }
}

function lastLines(text: string, maxLines: number): string {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return maxLines > 0 ? lines.slice(-maxLines).join('\n') : '';
}

// ---- the adapter ----

/** A create that failed with 5xx may still have happened: retrying blindly could duplicate it. */
const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

export class GitHubForge implements Forge {
  readonly kind = 'github' as const;

  constructor(
    private readonly octokit: AgentloopOctokit,
    private readonly requestStats: () => RequestStats,
    readonly repoRef: RepoRef,
  ) {}

  stats(): RequestStats {
    return this.requestStats();
  }

  private get r(): { owner: string; repo: string } {
    return { owner: this.repoRef.owner, repo: this.repoRef.repo };
  }

  async getRepo(): Promise<RepoInfo> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}', this.r);
    return { ...this.r, defaultBranch: data.default_branch, fullName: data.full_name, htmlUrl: data.html_url };
  }

  async getSelf(): Promise<Actor | null> {
    try {
      const { data } = await this.octokit.request('GET /user');
      return toActor(data);
    } catch (error) {
      // GITHUB_TOKEN (an installation token) may not ask who it is.
      const status = httpStatus(error);
      if (status === 401 || status === 403) return null;
      throw error;
    }
  }

  async getFileText(path: string, ref: string): Promise<string | null> {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...this.r, path, ref });
      // A directory answers with an array; only a file has text.
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return null;
      return Buffer.from(data.content, 'base64').toString('utf8');
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  }

  async getIssue(number: number): Promise<IssueData> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...this.r, issue_number: number });
    return toIssue(data);
  }

  async listOpenIssuesWithLabel(label: string): Promise<IssueData[]> {
    const items = await this.octokit.paginate('GET /repos/{owner}/{repo}/issues', {
      ...this.r,
      labels: label,
      state: 'open',
      per_page: PER_PAGE,
    });
    return items.map(toIssue);
  }

  async createIssue(title: string, body: string, labels: string[]): Promise<IssueData> {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/issues', { ...this.r, title, body, labels, ...NO_BLIND_RETRY });
    return toIssue(data);
  }

  async closeIssue(number: number): Promise<void> {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      ...this.r,
      issue_number: number,
      state: 'closed',
      state_reason: 'completed',
    });
  }

  async updateIssueBody(number: number, body: string): Promise<void> {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...this.r, issue_number: number, body });
  }

  async listComments(number: number): Promise<CommentData[]> {
    const items = await this.octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...this.r,
      issue_number: number,
      per_page: PER_PAGE,
    });
    return items.map(toComment);
  }

  async createComment(number: number, body: string): Promise<CommentData> {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...this.r,
      issue_number: number,
      body,
      ...NO_BLIND_RETRY,
    });
    return toComment(data);
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...this.r, comment_id: commentId, body });
  }

  async listLabelEvents(number: number): Promise<LabelEvent[]> {
    const items = await this.octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/events', {
      ...this.r,
      issue_number: number,
      per_page: PER_PAGE,
    });
    // The event list is a union of many shapes; only label events carry `label`.
    const events = items as unknown as { event: string; label?: { name?: string }; actor: UserLike | null; created_at: string }[];
    return events.flatMap((e): LabelEvent[] =>
      (e.event === 'labeled' || e.event === 'unlabeled') && e.label?.name
        ? [{ action: e.event, label: e.label.name, actor: toActor(e.actor), createdAt: e.created_at }]
        : [],
    );
  }

  async listRepoLabels(): Promise<LabelData[]> {
    const items = await this.octokit.paginate('GET /repos/{owner}/{repo}/labels', { ...this.r, per_page: PER_PAGE });
    return items.map((l) => ({ id: l.id, name: l.name, color: l.color, description: l.description ?? '' }));
  }

  async createLabel(label: NewLabel): Promise<void> {
    try {
      await this.octokit.request('POST /repos/{owner}/{repo}/labels', { ...this.r, ...label });
    } catch (error) {
      // Another run created it first: the goal is reached.
      const errors = (error as { response?: { data?: { errors?: { code?: string }[] } } }).response?.data?.errors;
      if (httpStatus(error) === 422 && errors?.some((e) => e.code === 'already_exists')) return;
      throw error;
    }
  }

  async addLabels(number: number, names: string[]): Promise<void> {
    await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { ...this.r, issue_number: number, labels: names });
  }

  async removeLabel(number: number, name: string): Promise<void> {
    // 404: the label is not on the item (any more) — already the wanted state.
    await tolerate([404], () =>
      this.octokit.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { ...this.r, issue_number: number, name }),
    );
  }

  async getPermission(login: string): Promise<Permission> {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
        ...this.r,
        username: login,
      });
      // role_name distinguishes maintain/triage; custom roles fall back to their base `permission`.
      return asPermission(data.role_name) ?? asPermission(data.permission) ?? 'none';
    } catch (error) {
      if (httpStatus(error) === 404) return 'none';
      throw error; // callers fail closed
    }
  }

  async listOpenPulls(): Promise<PullData[]> {
    const items = await this.octokit.paginate('GET /repos/{owner}/{repo}/pulls', { ...this.r, state: 'open', per_page: PER_PAGE });
    return items.map(toPull);
  }

  async getPull(number: number): Promise<PullData> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...this.r, pull_number: number });
    return toPull(data);
  }

  async createPull(pull: NewPull): Promise<PullData> {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/pulls', { ...this.r, ...pull, ...NO_BLIND_RETRY });
    return toPull(data);
  }

  async mergePull(number: number, sha: string, method: MergeMethod): Promise<MergeOutcome> {
    try {
      const { data } = await this.octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        ...this.r,
        pull_number: number,
        sha,
        merge_method: method,
        // A 5xx on merge may still have merged: never retry blindly, the caller re-reads the PR.
        request: { retries: 0 },
      });
      return data.merged ? { merged: true, sha: data.sha } : { merged: false, status: 200, message: data.message };
    } catch (error) {
      const status = httpStatus(error);
      if (status === undefined) throw error;
      // GitHub's own words ("Base branch was modified …", "Head branch was modified …") tell the caller what to do.
      const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
      const message = typeof data?.message === 'string' ? data.message : error instanceof Error ? error.message : String(error);
      return { merged: false, status, message };
    }
  }

  async updatePullBranch(number: number, expectedHeadSha: string): Promise<void> {
    await this.octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch', {
      ...this.r,
      pull_number: number,
      expected_head_sha: expectedHeadSha,
    });
  }

  async deleteBranch(branch: string): Promise<void> {
    // 404/422 ("Reference does not exist"): already deleted, e.g. by the repository's auto-delete setting.
    await tolerate([404, 422], () =>
      this.octokit.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { ...this.r, ref: `heads/${branch}` }),
    );
  }

  async listChecks(sha: string): Promise<CheckData[]> {
    const runs = await this.octokit.paginate('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...this.r, ref: sha, per_page: PER_PAGE });
    const { data: combined } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...this.r,
      ref: sha,
      per_page: PER_PAGE,
    });
    const fromRuns = runs.map((c): CheckData => {
      const url = c.html_url ?? c.details_url ?? '';
      return {
        name: c.name,
        conclusion: checkRunConclusion(c.status, c.conclusion),
        source: 'check-run',
        url,
        ...actionsIds(c.details_url ?? c.html_url),
      };
    });
    const fromStatuses = combined.statuses.map(
      (s): CheckData => ({
        name: s.context,
        conclusion: statusConclusion(s.state),
        source: 'status',
        url: s.target_url ?? '',
        ...actionsIds(s.target_url),
      }),
    );
    return [...fromRuns, ...fromStatuses];
  }

  async listWorkflowRuns(filter: { branch?: string; status?: string; event?: string }): Promise<WorkflowRunData[]> {
    // Only the filters that are set: an empty query parameter would filter on "".
    const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''));
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs', { ...this.r, ...query, per_page: PER_PAGE });
    return data.workflow_runs.map(toRun);
  }

  async getWorkflowRun(runId: number): Promise<WorkflowRunData> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...this.r, run_id: runId });
    return toRun(data);
  }

  async listRunJobs(runId: number): Promise<JobData[]> {
    const jobs = await this.octokit.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', {
      ...this.r,
      run_id: runId,
      per_page: PER_PAGE,
    });
    return jobs.map((j) => ({
      id: j.id,
      name: j.name,
      conclusion: j.conclusion,
      failedSteps: (j.steps ?? []).filter((s) => s.conclusion === 'failure').map((s) => s.name),
      htmlUrl: j.html_url ?? '',
    }));
  }

  async getJobLogTail(jobId: number, maxLines: number): Promise<string> {
    try {
      // Answers 302 to a short-lived download URL; fetch follows it.
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', { ...this.r, job_id: jobId });
      const raw: unknown = data;
      const text =
        typeof raw === 'string' ? raw : raw instanceof ArrayBuffer ? new TextDecoder().decode(raw) : '';
      return lastLines(text, maxLines);
    } catch {
      // Logs expire or are not ready yet; a missing tail must not fail the transition.
      return '';
    }
  }

  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    await this.octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      ...this.r,
      workflow_id: workflow,
      ref,
      inputs,
    });
  }
}

export interface CreateGitHubForgeOptions extends CreateOctokitOptions {
  owner: string;
  repo: string;
}

export function createGitHubForge(opts: CreateGitHubForgeOptions): GitHubForge {
  const { owner, repo, ...clientOptions } = opts;
  const { octokit, stats } = createOctokit(clientOptions);
  return new GitHubForge(octokit, stats, { owner, repo });
}
