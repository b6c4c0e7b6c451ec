// GitHub adapter of the Forge interface (DESIGN §7). Every call names its literal REST route so the
// contract test can check it against GitHub's OpenAPI description.

import { hasLabel } from '../core/labels.js';
import type {
  Actor,
  CheckData,
  CommentData,
  ForgeLimit,
  IssueData,
  JobData,
  LabelData,
  LabelEvent,
  MergeMethod,
  Permission,
  PullData,
  RepoInfo,
  RepoRef,
  WorkflowRunData,
} from '../core/model.js';
import type { Forge, MergeOutcome, NewLabel, NewPull, RequestStats, UpdateBranchOutcome } from './forge.js';
import { actionsJobChecks, checkRuns, commitStatuses, isPermissionRefusal } from './github-checks.js';
import {
  asPermission,
  httpStatus,
  lastLines,
  PER_PAGE,
  toActor,
  toComment,
  toIssue,
  tolerate,
  toPull,
  toRun,
  type UserLike,
} from './github-json.js';
import * as reviews from './github-reviews.js';
import { openItemsWithAnyLabel } from './github-search.js';
import { type AgentloopOctokit, type CreateOctokitOptions, createOctokit, type ForgeLogger, noopLogger } from './octokit.js';

// ---- the adapter ----

/**
 * The login GitHub's workflow token (GITHUB_TOKEN, `github.token`) acts as. It may not ask `GET /user`
 * who it is, so agentloop knows it from here (services/identity.ts).
 */
export const GITHUB_WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

/** A create that failed with 5xx may still have happened: retrying blindly could duplicate it. */
const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

export class GitHubForge implements Forge {
  readonly kind = 'github' as const;
  private readonly refused = new Set<ForgeLimit>();

  constructor(
    private readonly octokit: AgentloopOctokit,
    private readonly requestStats: () => RequestStats,
    readonly repoRef: RepoRef,
    private readonly logger: ForgeLogger = noopLogger,
  ) {}

  stats(): RequestStats {
    return this.requestStats();
  }

  limits(): readonly ForgeLimit[] {
    return [...this.refused];
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

  async listClosedIssuesWithLabel(label: string): Promise<IssueData[]> {
    const params = { ...this.r, labels: label, state: 'closed' as const, per_page: PER_PAGE };
    return (await this.octokit.paginate('GET /repos/{owner}/{repo}/issues', params)).map(toIssue);
  }

  async listIssuesUpdatedSince(since: string): Promise<IssueData[]> {
    const params = { ...this.r, state: 'all' as const, since, per_page: PER_PAGE };
    return (await this.octokit.paginate('GET /repos/{owner}/{repo}/issues', params)).map(toIssue);
  }

  async listOpenIssuesWithLabel(label: string, opts: { oldest?: number } = {}): Promise<IssueData[]> {
    const first = opts.oldest;
    const params = { ...this.r, labels: label, state: 'open' as const, per_page: PER_PAGE };
    if (first === undefined) return (await this.octokit.paginate('GET /repos/{owner}/{repo}/issues', params)).map(toIssue);
    let seen = 0;
    const items = await this.octokit.paginate(
      'GET /repos/{owner}/{repo}/issues',
      { ...params, sort: 'created', direction: 'asc', per_page: Math.min(PER_PAGE, Math.max(1, first)) },
      (response, done) => {
        seen += response.data.length;
        if (seen >= first) done();
        return response.data;
      },
    );
    return items.slice(0, first).map(toIssue);
  }

  async listOpenItemsWithAnyLabel(labels: string[]): Promise<IssueData[]> {
    return openItemsWithAnyLabel(this.octokit, this.r, labels, this, this.logger);
  }

  async createIssue(title: string, body: string, labels: string[]): Promise<IssueData> {
    // "Only users with push access can set labels for new issues. Labels are silently dropped otherwise":
    // add them with their own call, which needs only Issues: write (triage), and check that they stuck.
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/issues', { ...this.r, title, body, ...NO_BLIND_RETRY });
    const issue = toIssue(data);
    if (labels.length === 0) return issue;
    const { data: after } = await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...this.r,
      issue_number: issue.number,
      labels,
    });
    const names = after.map((l) => l.name);
    const missing = labels.filter((l) => !hasLabel(names, l));
    if (missing.length)
      throw new Error(
        `GitHub created issue #${issue.number} but did not keep its label(s) ${missing.map((l) => `"${l}"`).join(', ')}: the token needs Issues: write on this repository.`,
      );
    return { ...issue, labels: names };
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
    await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...this.r,
      issue_number: number,
      labels: names,
    });
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
      return { merged: false, status, message: errorMessage(error) };
    }
  }

  async updatePullBranch(number: number, expectedHeadSha: string): Promise<UpdateBranchOutcome> {
    try {
      // 202 Accepted: GitHub merges the base into the head later; the new head shows on a later read.
      await this.octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch', {
        ...this.r,
        pull_number: number,
        expected_head_sha: expectedHeadSha,
      });
      return { requested: true };
    } catch (error) {
      const status = httpStatus(error);
      if (status === undefined || status >= 500) throw error;
      return { requested: false, status, message: errorMessage(error) };
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    // 404/422 ("Reference does not exist"): already deleted, e.g. by the repository's auto-delete setting.
    await tolerate([404, 422], () =>
      this.octokit.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { ...this.r, ref: `heads/${branch}` }),
    );
  }

  // PR reviews: github-reviews.ts.
  readonly listReviews: Forge['listReviews'] = (pull) => reviews.listReviews(this.octokit, this.r, pull);
  readonly listReviewComments: Forge['listReviewComments'] = (pull) => reviews.listReviewComments(this.octokit, this.r, pull);
  readonly createReview: Forge['createReview'] = (pull, review) => reviews.createReview(this.octokit, this.r, pull, review);
  readonly replyToReviewComment: Forge['replyToReviewComment'] = (pull, comment, body) =>
    reviews.replyToReviewComment(this.octokit, this.r, pull, comment, body);

  async listChecks(sha: string): Promise<CheckData[]> {
    let runs: CheckData[] | undefined;
    if (!this.refused.has('check-runs')) {
      try {
        runs = await checkRuns(this.octokit, this.r, sha);
      } catch (error) {
        // A fine-grained PAT cannot hold Checks: read CI from the head's Actions jobs from now on (github-checks.ts).
        if (!isPermissionRefusal(error)) throw error;
        this.refused.add('check-runs');
      }
    }
    runs ??= await actionsJobChecks(this.octokit, this.r, sha);
    return [...runs, ...(await commitStatuses(this.octokit, this.r, sha))];
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
      const text = typeof raw === 'string' ? raw : raw instanceof ArrayBuffer ? new TextDecoder().decode(raw) : '';
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

/** GitHub's own words for a refused request (its JSON `message`), else the error's. */
function errorMessage(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return typeof data?.message === 'string' ? data.message : error instanceof Error ? error.message : String(error);
}

export interface CreateGitHubForgeOptions extends CreateOctokitOptions {
  owner: string;
  repo: string;
}

export function createGitHubForge(opts: CreateGitHubForgeOptions): GitHubForge {
  const { owner, repo, ...clientOptions } = opts;
  const { octokit, stats } = createOctokit(clientOptions);
  return new GitHubForge(octokit, stats, { owner, repo }, clientOptions.logger);
}
