// Forgejo adapter of the Forge interface (DESIGN §7), for Forgejo ≥ v14 (v15 LTS first), over plain
// fetch (forgejo-http.ts). Every route is a literal template of the v15.0.3 swagger so the contract test
// (test/unit/forge-forgejo.contract.test.ts) can check each request against it. What differs from
// GitHub, and where each behaviour was taken from, is in docs/forgejo.md.
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
import {
  type CreateForgejoClientOptions,
  createForgejoClient,
  type ForgejoClient,
  ForgejoError,
  forgejoStatus,
  seg,
} from './forgejo-http.js';
import {
  type ForgejoPull,
  type ForgejoRepoJson,
  type ForgejoRun,
  type ForgejoStatus,
  forgejoMajor,
  RUN_STATUS_QUERY,
  type ServerVersion,
  type TimelineEntry,
  toForgejoPermission,
  toForgejoPull,
  toForgejoRun,
  toLabelEvents,
  toStatusChecks,
} from './forgejo-json.js';
import { LabelIds } from './forgejo-labels.js';
import { existing, listByLabels, listUpdatedSince } from './forgejo-lists.js';
import * as reviews from './forgejo-reviews.js';
import { toActor, toComment, toIssue, type UserLike } from './github-json.js';

export { type ForgejoRepoJson, MIN_FORGEJO_MAJOR, type ServerVersion, versionProblem } from './forgejo-json.js';

type IssueJson = Parameters<typeof toIssue>[0];
type CommentJson = Parameters<typeof toComment>[0];

/** Forgejo's `mergeable` is also false while it checks; a false read is confirmed by reading again after this long. */
const CONFLICT_RECHECK_MS = 3000;
const CONFLICT_RECHECKS = 2;

export class ForgejoForge implements Forge {
  readonly kind = 'forgejo' as const;
  private readonly labels: LabelIds;
  private version: Promise<ServerVersion> | undefined;
  private noted = false;

  constructor(
    private readonly client: ForgejoClient,
    readonly repoRef: RepoRef,
    private readonly conflictRecheckMs = CONFLICT_RECHECK_MS,
  ) {
    this.labels = new LabelIds(client, this.repoPath);
  }

  stats(): RequestStats {
    return this.client.stats();
  }

  limits(): readonly ForgeLimit[] {
    return [];
  }

  private get repoPath(): string {
    return `/repos/${seg(this.repoRef.owner)}/${seg(this.repoRef.repo)}`;
  }

  /** `GET /version`, asked once per run (setup refuses below v14). */
  serverVersion(): Promise<ServerVersion> {
    this.version ??= this.client.request<{ version?: string }>('GET', '/version').then(({ data }) => {
      const version = data?.version ?? '';
      return { version, major: forgejoMajor(version) };
    });
    return this.version;
  }

  async getRepo(): Promise<RepoInfo> {
    const data = await this.getRepoJson();
    return { ...this.repoRef, defaultBranch: data.default_branch, fullName: data.full_name, htmlUrl: data.html_url };
  }

  /** `GET /repos/{o}/{r}` as Forgejo answers it (doctor: which units are on). */
  async getRepoJson(): Promise<ForgejoRepoJson> {
    return (await this.client.request<ForgejoRepoJson>('GET', this.repoPath)).data;
  }

  async getSelf(): Promise<Actor | null> {
    try {
      const { data } = await this.client.request<UserLike>('GET', '/user');
      return toActor(data);
    } catch (error) {
      const status = forgejoStatus(error);
      if (status === 401 || status === 403) return null;
      throw error;
    }
  }

  /** `GET …/contents/{path}?ref=`: a file's ContentsResponse or a directory's list of them; null: nothing there (404). */
  private async contents(path: string, ref: string): Promise<{ data: unknown } | null> {
    try {
      const { data } = await this.client.request<unknown>('GET', `${this.repoPath}/contents/${seg(path, true)}`, { query: { ref } });
      return { data };
    } catch (error) {
      if (forgejoStatus(error) === 404) return null;
      throw error;
    }
  }

  async getFileText(path: string, ref: string): Promise<string | null> {
    const file = (await this.contents(path, ref))?.data as { type?: string; content?: string | null } | unknown[] | undefined;
    if (!file || Array.isArray(file) || file.type !== 'file' || typeof file.content !== 'string') return null;
    return Buffer.from(file.content, 'base64').toString('utf8');
  }

  /** Whether a file or directory exists at `ref` (init: which workflow directory Forgejo reads). */
  async pathExists(path: string, ref: string): Promise<boolean> {
    return (await this.contents(path, ref)) !== null;
  }

  /** The names in a directory at `ref`; null when there is no such directory (doctor: the workflow directories). */
  async listDir(path: string, ref: string): Promise<string[] | null> {
    const dir = (await this.contents(path, ref))?.data;
    return Array.isArray(dir) ? dir.map((e: { name?: unknown }) => String(e.name)) : null;
  }

  async getIssue(number: number): Promise<IssueData> {
    const { data } = await this.client.request<IssueJson>('GET', `${this.repoPath}/issues/${number}`);
    return toIssue(data);
  }

  listOpenIssuesWithLabel(label: string, opts: { oldest?: number } = {}): Promise<IssueData[]> {
    return listByLabels(this.client, this.repoPath, [label], { oldest: opts.oldest });
  }

  listClosedIssuesWithLabel(label: string): Promise<IssueData[]> {
    return listByLabels(this.client, this.repoPath, [label], { state: 'closed' });
  }
  listIssuesUpdatedSince(since: string): Promise<IssueData[]> {
    return listUpdatedSince(this.client, this.repoPath, since);
  }

  async listOpenItemsWithAnyLabel(labels: string[]): Promise<IssueData[]> {
    return listByLabels(this.client, this.repoPath, existing(labels, await this.labels.known()));
  }

  async createIssue(title: string, body: string, labels: string[]): Promise<IssueData> {
    // Labels on a new issue are ids; one that does not stick (a token without write access) is an error.
    const ids = labels.length ? await this.labels.ids(labels) : [];
    const { data } = await this.client.request<IssueJson>('POST', `${this.repoPath}/issues`, {
      body: { title, body, ...(ids.length ? { labels: ids } : {}) },
    });
    const issue = toIssue(data);
    const missing = labels.filter((l) => !issue.labels.some((n) => n.toLowerCase() === l.toLowerCase()));
    if (missing.length)
      throw new Error(
        `Forgejo created issue #${issue.number} but did not keep its label(s) ${missing.map((l) => `"${l}"`).join(', ')}: the token needs write access to issues.`,
      );
    return issue;
  }

  async closeIssue(number: number): Promise<void> {
    await this.client.request('PATCH', `${this.repoPath}/issues/${number}`, { body: { state: 'closed' } });
  }

  async updateIssueBody(number: number, body: string): Promise<void> {
    await this.client.request('PATCH', `${this.repoPath}/issues/${number}`, { body: { body } });
  }

  async listComments(number: number): Promise<CommentData[]> {
    // Not paginated by Forgejo: one answer holds every comment.
    const { data } = await this.client.request<CommentJson[] | null>('GET', `${this.repoPath}/issues/${number}/comments`);
    return (data ?? []).map(toComment);
  }

  async createComment(number: number, body: string): Promise<CommentData> {
    const { data } = await this.client.request<CommentJson>('POST', `${this.repoPath}/issues/${number}/comments`, { body: { body } });
    return toComment(data);
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.client.request('PATCH', `${this.repoPath}/issues/comments/${commentId}`, { body: { body } });
  }

  async listLabelEvents(number: number): Promise<LabelEvent[]> {
    // Forgejo has no issue events list: label changes are `label` entries of the timeline.
    return toLabelEvents(await this.client.paginate<TimelineEntry>(`${this.repoPath}/issues/${number}/timeline`));
  }

  listRepoLabels(): Promise<LabelData[]> {
    return this.labels.list();
  }

  createLabel(label: NewLabel): Promise<void> {
    return this.labels.create(label);
  }

  async addLabels(number: number, names: string[]): Promise<void> {
    // By id: Forgejo silently ignores a name it does not know.
    const ids = await this.labels.ids(names);
    await this.client.request('POST', `${this.repoPath}/issues/${number}/labels`, { body: { labels: ids } });
  }

  async removeLabel(number: number, name: string): Promise<void> {
    try {
      await this.client.request('DELETE', `${this.repoPath}/issues/${number}/labels/${seg(name)}`);
    } catch (error) {
      // 404/422: no such label on the item (any more) — already the wanted state.
      if (![404, 422].includes(forgejoStatus(error) ?? -1)) throw error;
    }
  }

  async getPermission(login: string): Promise<Permission> {
    try {
      const { data } = await this.client.request<{ permission?: string }>('GET', `${this.repoPath}/collaborators/${seg(login)}/permission`);
      return toForgejoPermission(data?.permission);
    } catch (error) {
      const status = forgejoStatus(error);
      if (status === 404) return 'none';
      if (status === 403)
        throw new Error(
          `Forgejo refused to tell the permission of @${login} on ${this.repoRef.owner}/${this.repoRef.repo} (403). Forgejo lets ` +
            "only a repository admin read another user's permission: give agentloop a bot user's token (the token input) and " +
            'make that user an Administrator collaborator of the repository. agentloop trusts no one it cannot check.',
        );
      throw error; // callers fail closed
    }
  }

  async listOpenPulls(): Promise<PullData[]> {
    const items = await this.client.paginate<ForgejoPull>(`${this.repoPath}/pulls`, { state: 'open' });
    return items.map((p) => toForgejoPull(p));
  }

  private async readPull(number: number): Promise<ForgejoPull> {
    return (await this.client.request<ForgejoPull>('GET', `${this.repoPath}/pulls/${number}`)).data;
  }

  async getPull(number: number): Promise<PullData> {
    let pull = await this.readPull(number);
    // false is also "still checking": read again before calling it a conflict (forgejo-json.ts).
    for (let i = 0; i < CONFLICT_RECHECKS && suspectConflict(pull); i++) {
      await sleep(this.conflictRecheckMs);
      const again = await this.readPull(number);
      if (again.head.sha !== pull.head.sha) return toForgejoPull(again);
      pull = again;
    }
    return toForgejoPull(pull, suspectConflict(pull));
  }

  async createPull(pull: NewPull): Promise<PullData> {
    // No draft flag on Forgejo: a draft is a "WIP:" title.
    const title = pull.draft ? `WIP: ${pull.title}` : pull.title;
    try {
      const { data } = await this.client.request<ForgejoPull>('POST', `${this.repoPath}/pulls`, {
        body: { title, body: pull.body, head: pull.head, base: pull.base },
      });
      return toForgejoPull(data);
    } catch (error) {
      // 409: an open PR from this head to this base exists (an earlier attempt of the same run): that one.
      if (forgejoStatus(error) !== 409) throw error;
      const existing = (await this.listOpenPulls()).find((p) => p.headRef === pull.head && p.baseRef === pull.base);
      if (!existing) throw error;
      return existing;
    }
  }

  async mergePull(number: number, sha: string, method: MergeMethod): Promise<MergeOutcome> {
    try {
      // POST with `Do` (PUT answers 405); head_commit_id pins the head (409 when it moved). Empty 200.
      await this.client.request('POST', `${this.repoPath}/pulls/${number}/merge`, { body: { Do: method, head_commit_id: sha } });
    } catch (error) {
      if (!(error instanceof ForgejoError)) throw error;
      return { merged: false, status: error.status, message: error.reason };
    }
    const merged = await this.readPull(number);
    return { merged: true, sha: merged.merge_commit_sha ?? '' };
  }

  async updatePullBranch(number: number, expectedHeadSha: string): Promise<UpdateBranchOutcome> {
    // Forgejo's update has no SHA guard: check the head first (a push in between is a narrow race).
    const pull = await this.readPull(number);
    if (pull.head.sha !== expectedHeadSha)
      return { requested: false, status: 409, message: `the head moved to ${pull.head.sha.slice(0, 7)}` };
    try {
      // style=merge merges the base into the head, as GitHub's update-branch does.
      await this.client.request('POST', `${this.repoPath}/pulls/${number}/update`, { query: { style: 'merge' } });
      return { requested: true };
    } catch (error) {
      if (!(error instanceof ForgejoError) || error.status >= 500) throw error;
      return { requested: false, status: error.status, message: error.reason };
    }
  }

  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.client.request('DELETE', `${this.repoPath}/branches/${seg(branch, true)}`);
    } catch (error) {
      if (forgejoStatus(error) !== 404) throw error; // already gone
    }
  }

  // PR reviews: forgejo-reviews.ts.
  readonly listReviews: Forge['listReviews'] = (pull) => reviews.listReviews(this.client, this.repoPath, pull);
  readonly listReviewComments: Forge['listReviewComments'] = (pull) => reviews.listReviewComments(this.client, this.repoPath, pull);
  readonly createReview: Forge['createReview'] = (pull, review) => reviews.createReview(this.client, this.repoPath, pull, review);
  readonly replyToReviewComment: Forge['replyToReviewComment'] = (pull, comment, body) =>
    reviews.replyToReviewComment(this.client, this.repoPath, pull, comment, body);

  async listChecks(sha: string): Promise<CheckData[]> {
    // No Checks API: CI is commit statuses. The combined answer holds the latest per context; a commit
    // nobody reported on may come back without `statuses` at all — nothing reported yet.
    const path = `${this.repoPath}/commits/${seg(sha)}/status`;
    const { data } = await this.client.request<{ statuses?: ForgejoStatus[] | null; total_count?: number }>('GET', path, {
      query: { limit: 50 },
    });
    let statuses = data?.statuses ?? [];
    if ((data?.total_count ?? 0) > statuses.length)
      statuses = await this.client.paginate<ForgejoStatus>(`${this.repoPath}/commits/${seg(sha)}/statuses`, { sort: 'leastindex' });
    return toStatusChecks(statuses);
  }

  async listWorkflowRuns(filter: { branch?: string; status?: string; event?: string }): Promise<WorkflowRunData[]> {
    // Filter by `ref`, not `branch`; GitHub's statuses (queued, in_progress, completed) become Forgejo's.
    const statuses = filter.status ? RUN_STATUS_QUERY[filter.status] : undefined;
    const query = {
      ...(filter.branch ? { ref: `refs/heads/${filter.branch}` } : {}),
      ...(filter.event ? { event: [filter.event] } : {}),
      ...(statuses ? { status: statuses } : {}),
      limit: 50,
    };
    const { data } = await this.client.request<{ workflow_runs?: ForgejoRun[] | null }>('GET', `${this.repoPath}/actions/runs`, {
      query,
    });
    return (data?.workflow_runs ?? []).map(toForgejoRun);
  }

  async getWorkflowRun(runId: number): Promise<WorkflowRunData> {
    const { data } = await this.client.request<ForgejoRun>('GET', `${this.repoPath}/actions/runs/${runId}`);
    return toForgejoRun(data);
  }

  private noteNoJobs(): void {
    if (this.noted) return;
    this.noted = true;
    this.client.logger.info('Forgejo v15 has no API for the jobs or logs of an Actions run: a CI failure is reported without them.');
  }

  async listRunJobs(_runId: number): Promise<JobData[]> {
    this.noteNoJobs();
    return [];
  }

  async getJobLogTail(_jobId: number, _maxLines: number): Promise<string> {
    this.noteNoJobs();
    return '';
  }

  async dispatchWorkflow(workflow: string, ref: string, inputs: Record<string, string>): Promise<void> {
    // 204 (or 201 with return_run_info); the automatic token may dispatch.
    await this.client.request('POST', `${this.repoPath}/actions/workflows/${seg(workflow)}/dispatches`, { body: { ref, inputs } });
  }
}

function suspectConflict(p: ForgejoPull): boolean {
  return p.state === 'open' && p.merged !== true && p.mergeable === false && !toForgejoPull(p).draft;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export interface CreateForgejoForgeOptions extends CreateForgejoClientOptions {
  owner: string;
  repo: string;
  /** How long to wait before reading a PR whose `mergeable` is false again (tests: 0). */
  conflictRecheckMs?: number;
}

export function createForgejoForge(opts: CreateForgejoForgeOptions): ForgejoForge {
  const { owner, repo, conflictRecheckMs, ...clientOptions } = opts;
  return new ForgejoForge(createForgejoClient(clientOptions), { owner, repo }, conflictRecheckMs);
}
