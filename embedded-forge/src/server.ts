// The embedded forge: a loopback HTTP server speaking the GitHub REST subset agentloop uses, with real
// git repositories behind it (smart HTTP), events for the workflow runner, and fault injection hooks.
// Tokens of GitHub's four profiles (tokens.ts), checked on every request and push (access.ts,
// route-permissions.ts, push-rules.ts); asynchronous answers where GitHub is asynchronous
// (mergeability: pull-state.ts; update-branch: background work that settled() waits for).

import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gitAccess } from './access.js';
import { type ApiHost, type ApiRequest, handleApi } from './api-github.js';
import { closeBranchPulls } from './branch-pulls.js';
import type { EventListener, ForgeEvent } from './events.js';
import { forgejoContentRoutes } from './forgejo-api-contents.js';
import { forgejoIssueRoutes } from './forgejo-api-issues.js';
import { forgejoPullRoutes } from './forgejo-api-pulls.js';
import { FORGEJO_BASE, handleForgejoRequest } from './forgejo-router.js';
import { type ForkPullOptions, openForkPull } from './forks.js';
import { type GitAuthorization, handleGitHttp } from './git-http.js';
import * as git from './git-ops.js';
import { HttpError, paginate, readBody, sendJson } from './http-util.js';
import { LogLinks } from './log-links.js';
import { PullStates } from './pull-state.js';
import { emitPushEvents } from './push-events.js';
import { checkPush, workflowRuleFor } from './push-rules.js';
import { type DefaultWorkflowPermissions, GIT_FETCH, GIT_PUSH, type PermissionSet, ruleFor } from './route-permissions.js';
import { ForgeState, type PullRec, type RepoState, type TokenRec } from './state.js';
import * as tokens from './tokens.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  login?: string;
  status: number;
}

/** Validates a request as the real forge would; returns problems (empty = valid). */
export type RequestValidator = (req: { method: string; url: string; body: unknown }) => string[];

/** A fault hook may answer a request itself (5xx, 429) before the forge handles it. */
type FaultAnswer = { status: number; headers?: Record<string, string>; message?: string } | undefined;
/** May be async: a hook that edits state (a human's label change) finishes before the request is handled. */
export type FaultHook = (req: { method: string; path: string; login?: string }) => FaultAnswer | Promise<FaultAnswer>;

export interface EmbeddedForgeOptions {
  root: string;
  /** Which forge's REST dialect to speak: GitHub's under /api/v3 (the default) or Forgejo's under /api/v1. */
  flavor?: 'github' | 'forgejo';
  validate?: RequestValidator;
  /** Forgejo mode: checks each answer (e.g. validateForgejoResponse); problems land in `violations`. */
  validateResponse?: (res: { method: string; url: string; status: number; body: unknown }) => string[];
  /** Reads of a PR that answer mergeable: null after its head or base moved. */
  mergeableNullReads?: number;
  /** How long after a 202 update-branch updates the branch (default 0: right after the answer). */
  updateBranchDelayMs?: number;
}

export interface CreateRepoOptions {
  /** Default true: a private repository (only collaborators see it). */
  private?: boolean;
}

export class EmbeddedForge implements ApiHost {
  readonly state = new ForgeState();
  readonly requests: RecordedRequest[] = [];
  /** Requests the validator rejected: a test that caused one must fail. */
  readonly violations: { method: string; url: string; problems: string[] }[] = [];
  readonly faults: FaultHook[] = [];
  private readonly listeners: EventListener[] = [];
  private server: Server | undefined;
  private readonly pulls = new PullStates(() => this.options.mergeableNullReads ?? 0);
  private readonly pending = new Set<Promise<void>>();
  private readonly logLinks = new LogLinks(
    () => this.state.clock().getTime(),
    (jobId) => this.logs.get(jobId),
  );
  urls = { api: '', web: '' };
  /** Set by the workflow runner: job logs by job id. */
  logs = new Map<number, string>();
  /** Set by the workflow runner. Answers true (or nothing) = accepted, false = no such workflow (404),
   *  a string = why GitHub would refuse it (422: no workflow_dispatch trigger, bad inputs, unknown ref). */
  onDispatch:
    | ((
        repo: RepoState,
        workflowPath: string,
        ref: string,
        inputs: Record<string, unknown>,
        token: TokenRec,
      ) => boolean | string | undefined | Promise<boolean | string | undefined>)
    | undefined;

  constructor(readonly options: EmbeddedForgeOptions) {}

  async start(): Promise<void> {
    await mkdir(join(this.options.root, 'git'), { recursive: true });
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    const base = this.options.flavor === 'forgejo' ? FORGEJO_BASE : '/api/v3';
    this.urls = { api: `http://127.0.0.1:${port}${base}`, web: `http://127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    await this.settled().catch(() => {});
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  on(listener: EventListener): void {
    this.listeners.push(listener);
  }

  // ---- setup helpers for tests and the demo ----

  async createRepo(
    owner: string,
    name: string,
    files: Record<string, string>,
    defaultBranch = 'main',
    opts: CreateRepoOptions = {},
  ): Promise<RepoState> {
    const gitDir = join(this.options.root, 'git', owner, `${name}.git`);
    await git.initBareRepo(gitDir, { defaultBranch, files, message: 'Initial commit' });
    return this.state.addRepo(owner, name, gitDir, defaultBranch, opts.private ?? true);
  }

  addCollaborator(repo: RepoState, login: string, permission: RepoState['collaborators'] extends Map<string, infer P> ? P : never): void {
    this.state.user(login);
    repo.collaborators.set(login.toLowerCase(), permission);
  }

  /** Settings → Actions → General → Workflow permissions, as `PUT …/actions/permissions/workflow` sets them. */
  setWorkflowPermissions(
    repo: RepoState,
    settings: { default_workflow_permissions?: DefaultWorkflowPermissions; can_approve_pull_request_reviews?: boolean },
  ): void {
    if (settings.default_workflow_permissions) repo.actions.defaultWorkflowPermissions = settings.default_workflow_permissions;
    if (settings.can_approve_pull_request_reviews !== undefined)
      repo.actions.canApprovePullRequestReviews = settings.can_approve_pull_request_reviews;
  }

  /**
   * A token acting as `login`: a classic PAT (`ghp_`) with the `repo` and `workflow` scopes. `automatic`:
   * a workflow token (`ghs_`, its writes start no workflow) with `permissions: write-all`, for any repository.
   */
  token(login: string, automatic = false): string {
    return automatic ? tokens.workflowToken(this.state, undefined, tokens.WRITE_ALL, login) : this.classicToken(login);
  }

  /** A classic PAT (`ghp_`) of `login` with these OAuth scopes. */
  classicToken(login: string, scopes: string[] = ['repo', 'workflow']): string {
    return tokens.classicToken(this.state, login, scopes);
  }

  /** A fine-grained PAT (`github_pat_`) of `login`: these permissions (never Checks), on these repositories. */
  fineGrainedToken(login: string, permissions: PermissionSet, opts: tokens.RepoLimit = {}): string {
    return tokens.fineGrainedToken(this.state, login, permissions, opts);
  }

  /** A GitHub App installation token (`ghs_`) acting as `<slug>[bot]`; it expires an hour later. */
  appToken(slug: string, permissions: PermissionSet, opts: tokens.AppTokenOptions = {}): string {
    return tokens.appToken(this.state, slug, permissions, opts);
  }

  /** A job's workflow token (GITHUB_TOKEN) for one repository: these permissions, never `workflows`. */
  workflowToken(repo: RepoState, permissions: PermissionSet, login = 'github-actions[bot]'): string {
    return tokens.workflowToken(this.state, repo, permissions, login);
  }

  /** From now on the token answers 401 Bad credentials (a workflow token when its job ends). */
  revokeToken(token: string): void {
    const rec = this.state.tokens.get(token);
    if (rec) rec.revoked = true;
  }

  /** A pull request from a fork (`<owner>/<name>:<branch>`), opened by the fork's owner. */
  openForkPull(repo: RepoState, opts: ForkPullOptions): Promise<PullRec> {
    return openForkPull(this, repo, opts);
  }

  emit(event: Omit<ForgeEvent, 'repo' | 'ref' | 'sha'> & { ref?: string; sha?: string }, repo: RepoState): void {
    const full: ForgeEvent = { ref: `refs/heads/${repo.defaultBranch}`, sha: '', ...event, repo: `${repo.owner}/${repo.name}` };
    for (const l of this.listeners) l(full);
  }

  // ---- asynchronous work ----

  /** Work GitHub does after answering (update-branch): runs a little later; settled() waits for it. */
  background(work: () => Promise<void>): void {
    const delay = this.options.updateBranchDelayMs ?? 0;
    // GitHub drops a background update that no longer applies (the head moved meanwhile): no error here either.
    this.track(new Promise<void>((resolve) => setTimeout(resolve, delay)).then(work).catch(() => {}));
  }

  private track(work: Promise<void>): void {
    const p: Promise<void> = work.catch(() => {}).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when no background work is left. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  // ---- ApiHost ----

  mergeState(repo: RepoState, pull: PullRec): Promise<{ mergeable: boolean | null; mergeableState: string }> {
    return this.pulls.mergeState(repo, pull);
  }

  /** Branch protection "require an approving review": PRs are blocked and merges refused. */
  get reviewRequired(): Set<string> {
    return this.pulls.reviewRequired;
  }

  /** Branch protection "require branches to be up to date" for the default branch. */
  get strictBranches(): Set<string> {
    return this.pulls.strictBranches;
  }

  /** Make the next `reads` reads of a PR answer mergeable: null (GitHub computes it asynchronously). */
  mergeableUnknownFor(repo: RepoState, pull: number, reads: number): void {
    this.pulls.unknownFor(repo, pull, reads);
  }

  /** After git changes made behind the forge's back: waits for background work, then PR heads follow their refs. */
  async refreshPullHeads(repo: RepoState): Promise<void> {
    await this.settled();
    await this.pulls.sync(repo);
  }

  branchMoved(repo: RepoState, ref: string, before: string | null, after: string | null, token: TokenRec | undefined): void {
    this.track(this.afterPush(repo, [{ ref, before: before ?? '0'.repeat(40), after: after ?? '0'.repeat(40) }], token));
  }

  async dispatch(
    repo: RepoState,
    workflowPath: string,
    ref: string,
    inputs: Record<string, unknown>,
    token: TokenRec,
  ): Promise<boolean | string> {
    return (await this.onDispatch?.(repo, workflowPath, ref, inputs, token)) ?? true;
  }

  readLog(_repo: RepoState, jobId: number): string | undefined {
    return this.logs.get(jobId);
  }

  logDownloadUrl(_repo: RepoState, jobId: number): string | undefined {
    return this.logs.has(jobId) ? this.logLinks.create(this.urls.web, jobId) : undefined;
  }

  /** After any ref update: refresh PR heads (and mergeability) and emit push / pull_request synchronize. */
  async afterPush(repo: RepoState, updates: { ref: string; before: string; after: string }[], token: TokenRec | undefined): Promise<void> {
    const moved = updates.filter((u) => u.ref.startsWith('refs/heads/')).map((u) => u.ref.slice('refs/heads/'.length));
    await closeBranchPulls(this, repo, updates, token);
    await this.pulls.sync(repo, moved);
    emitPushEvents((e, r) => this.emit(e, r), repo, updates, token, this.options.flavor === 'forgejo' ? 'synchronized' : 'synchronize');
  }

  // ---- HTTP ----

  /** The token a request presents (`presented` even when unknown, expired or revoked). */
  tokenOf(req: IncomingMessage): { rec: TokenRec | undefined; presented: boolean } {
    const auth = req.headers.authorization ?? '';
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
    if (m) return { rec: this.state.liveToken(m[1]!), presented: true };
    const basic = /^basic\s+(\S+)$/i.exec(auth);
    if (basic) {
      const [, pass] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      return { rec: pass ? this.state.liveToken(pass) : undefined, presented: true };
    }
    return { rec: undefined, presented: auth !== '' };
  }

  private authorizeGit(token: string | undefined, repoPath: string, write: boolean): GitAuthorization {
    const rec = token ? this.state.liveToken(token) : undefined;
    if (!rec) return { ok: false, status: 401, message: token ? 'Invalid username or token.' : 'Authentication required' };
    const [owner, name] = repoPath.split('/');
    const repo = this.state.repo(owner!, name!);
    if (!repo) return { ok: false, status: 404, message: 'Repository not found.' };
    const access = gitAccess(repo, rec, ruleFor(write ? GIT_PUSH : GIT_FETCH)!, write);
    if (!access.ok) return access;
    const rule = write ? workflowRuleFor(rec) : undefined;
    return rule ? { ok: true, checkPush: (gitDir, body) => checkPush(gitDir, body, rule) } : { ok: true };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.urls.web);
    try {
      if (this.options.flavor === 'forgejo') {
        if (url.pathname.startsWith(`${FORGEJO_BASE}/`))
          return await handleForgejoRequest(this, [...forgejoIssueRoutes, ...forgejoPullRoutes, ...forgejoContentRoutes], req, res, url);
      } else if (url.pathname.startsWith('/api/v3/')) return await this.handleApiRequest(req, res, url);
      if (this.logLinks.handles(url.pathname)) {
        const { status, text } = this.logLinks.serve(url);
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
        return;
      }
      if (/\/(info\/refs|git-upload-pack|git-receive-pack)$/.test(url.pathname)) {
        return await handleGitHttp(req, res, {
          projectRoot: join(this.options.root, 'git'),
          authorize: (token, repoPath, write) => this.authorizeGit(token, repoPath, write),
          onPush: (repoPath, updates, token) => {
            const [owner, name] = repoPath.split('/');
            const repo = this.state.repo(owner!, name!);
            if (repo) this.track(this.afterPush(repo, updates, token ? this.state.tokens.get(token) : undefined));
          },
        });
      }
      sendJson(res, 404, { message: 'Not Found' });
    } catch (err) {
      sendJson(res, 500, { message: String((err as Error).message) });
    }
  }

  private async handleApiRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const apiUrl = new URL(url.toString().replace('/api/v3/', '/'));
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.reply(req, res, apiUrl, body, undefined, 400, { message: 'Problems parsing JSON' });
      }
    }
    const { rec: token, presented } = this.tokenOf(req);
    const method = req.method ?? 'GET';
    for (const fault of this.faults) {
      const hit = await fault({ method, path: apiUrl.pathname, ...(token ? { login: token.login } : {}) });
      if (hit) return this.reply(req, res, apiUrl, body, token, hit.status, { message: hit.message ?? 'injected fault' }, hit.headers);
    }
    if (this.options.validate) {
      const problems = this.options.validate({ method, url: apiUrl.pathname + apiUrl.search, body: raw.length ? body : undefined });
      if (problems.length) {
        this.violations.push({ method, url: apiUrl.pathname + apiUrl.search, problems });
        const unknownRoute = problems.some((p) => /unknown route|no operation|not in the spec/i.test(p));
        return this.reply(req, res, apiUrl, body, token, unknownRoute ? 404 : 422, {
          message: unknownRoute ? 'Not Found' : 'Validation Failed',
          errors: problems,
        });
      }
    }
    try {
      const request: ApiRequest = { method, url: apiUrl, params: {}, body, token, badCredentials: presented && !token };
      const out = await handleApi(this, request);
      if (out.list) {
        const { page, link } = paginate(out.list, new URL(url));
        return this.reply(req, res, apiUrl, body, token, out.status, page, { ...out.headers, ...(link ? { link } : {}) });
      }
      if (typeof out.body === 'string') {
        this.record(method, apiUrl, body, token, out.status);
        res.writeHead(out.status, out.headers ?? {});
        res.end(out.body);
        return;
      }
      return this.reply(req, res, apiUrl, body, token, out.status, out.body, out.headers);
    } catch (err) {
      if (err instanceof HttpError)
        return this.reply(req, res, apiUrl, body, token, err.status, { message: err.message, ...err.extra }, err.headers);
      throw err;
    }
  }

  private record(method: string, url: URL, body: unknown, token: TokenRec | undefined, status: number): void {
    this.requests.push({ method, path: url.pathname, query: url.search, body, ...(token ? { login: token.login } : {}), status });
  }

  private reply(
    _req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: unknown,
    token: TokenRec | undefined,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.record(_req.method ?? 'GET', url, body, token, status);
    sendJson(res, status, payload, {
      // The forge's clock, as GitHub's Date header is GitHub's (clients reason from it, e.g. search).
      date: this.state.clock().toUTCString(),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - this.requests.length),
      ...headers,
    });
  }
}
