// The embedded forge: a loopback HTTP server speaking the GitHub REST subset agentloop uses, with real
// git repositories behind it (smart HTTP), events for the workflow runner, and fault injection hooks.

import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ApiHost, type ApiRequest, handleApi, permissionOf } from './api-github.js';
import type { EventListener, ForgeEvent } from './events.js';
import { handleGitHttp } from './git-http.js';
import * as git from './git-ops.js';
import { HttpError, paginate, readBody, sendJson } from './http-util.js';
import { ForgeState, type PullRec, type RepoState, type TokenRec } from './state.js';

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
  validate?: RequestValidator;
  /** Reads of a PR that answer mergeable: null after its head or base moved. */
  mergeableNullReads?: number;
}

export class EmbeddedForge implements ApiHost {
  readonly state = new ForgeState();
  readonly requests: RecordedRequest[] = [];
  /** Requests the validator rejected: a test that caused one must fail. */
  readonly violations: { method: string; url: string; problems: string[] }[] = [];
  readonly faults: FaultHook[] = [];
  private readonly listeners: EventListener[] = [];
  private server: Server | undefined;
  private readonly nullReads = new Map<string, number>();
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
    this.urls = { api: `http://127.0.0.1:${port}/api/v3`, web: `http://127.0.0.1:${port}` };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  on(listener: EventListener): void {
    this.listeners.push(listener);
  }

  // ---- setup helpers for tests and the demo ----

  async createRepo(owner: string, name: string, files: Record<string, string>, defaultBranch = 'main'): Promise<RepoState> {
    const gitDir = join(this.options.root, 'git', owner, `${name}.git`);
    await git.initBareRepo(gitDir, { defaultBranch, files, message: 'Initial commit' });
    return this.state.addRepo(owner, name, gitDir, defaultBranch);
  }

  addCollaborator(repo: RepoState, login: string, permission: RepoState['collaborators'] extends Map<string, infer P> ? P : never): void {
    this.state.user(login);
    repo.collaborators.set(login.toLowerCase(), permission);
  }

  /** A token that acts as `login`; automatic = the workflow token (its writes start no workflow). */
  token(login: string, automatic = false): string {
    const token = `${automatic ? 'ghs' : 'ghp'}_${login.replace(/\W/g, '')}_${this.state.id()}`;
    this.state.addToken(token, { login, automatic });
    return token;
  }

  emit(event: Omit<ForgeEvent, 'repo' | 'ref' | 'sha'> & { ref?: string; sha?: string }, repo: RepoState): void {
    const full: ForgeEvent = { ref: `refs/heads/${repo.defaultBranch}`, sha: '', ...event, repo: `${repo.owner}/${repo.name}` };
    for (const l of this.listeners) l(full);
  }

  // ---- ApiHost ----

  async mergeState(repo: RepoState, pull: PullRec): Promise<{ mergeable: boolean | null; mergeableState: string }> {
    const key = `${repo.id}#${pull.number}`;
    const left = this.nullReads.get(key) ?? 0;
    if (pull.merged) return { mergeable: null, mergeableState: 'unknown' };
    if (left > 0) {
      this.nullReads.set(key, left - 1);
      return { mergeable: null, mergeableState: 'unknown' };
    }
    const m = await git.mergeability(repo.gitDir, pull.base, pull.head);
    if (!m.mergeable) return { mergeable: false, mergeableState: 'dirty' };
    if (pull.draft) return { mergeable: true, mergeableState: 'draft' };
    const full = `${repo.owner}/${repo.name}`.toLowerCase();
    if (this.reviewRequired.has(full)) return { mergeable: true, mergeableState: 'blocked' };
    if (m.behindBy > 0 && this.requiresUpToDate(repo)) return { mergeable: true, mergeableState: 'behind' };
    // No required checks configured: any failing check makes it "unstable" (still mergeable).
    const failing =
      repo.checkRuns.some((c) => c.sha === pull.headSha && c.conclusion === 'failure') ||
      repo.statuses.some((st) => st.sha === pull.headSha && (st.state === 'failure' || st.state === 'error'));
    return { mergeable: true, mergeableState: failing ? 'unstable' : 'clean' };
  }

  /** Branch protection "require an approving review": PRs are blocked and merges refused. */
  reviewRequired = new Set<string>();

  /** Branch protection "require branches to be up to date" for the default branch. */
  strictBranches = new Set<string>();
  private requiresUpToDate(repo: RepoState): boolean {
    return this.strictBranches.has(`${repo.owner}/${repo.name}`.toLowerCase());
  }

  /** Make the next `reads` reads of a PR answer mergeable: null (GitHub computes it asynchronously). */
  mergeableUnknownFor(repo: RepoState, pull: number, reads: number): void {
    this.nullReads.set(`${repo.id}#${pull}`, reads);
  }

  async refreshPullHeads(repo: RepoState): Promise<void> {
    for (const pull of repo.pulls.values()) {
      const sha = await git.revParse(repo.gitDir, `refs/heads/${pull.head}`);
      if (sha && sha !== pull.headSha) {
        pull.headSha = sha;
        this.nullReads.set(`${repo.id}#${pull.number}`, this.options.mergeableNullReads ?? 0);
      }
    }
  }

  branchMoved(repo: RepoState, ref: string, before: string | null, after: string | null, token: TokenRec | undefined): void {
    void this.afterPush(repo, [{ ref, before: before ?? '0'.repeat(40), after: after ?? '0'.repeat(40) }], token);
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

  /** After any ref update: refresh PR heads and emit push / pull_request synchronize. */
  async afterPush(repo: RepoState, updates: { ref: string; before: string; after: string }[], token: TokenRec | undefined): Promise<void> {
    await this.refreshPullHeads(repo);
    const login = token?.login ?? repo.owner;
    for (const u of updates) {
      if (!u.ref.startsWith('refs/heads/') || /^0+$/.test(u.after)) continue;
      const branch = u.ref.slice('refs/heads/'.length);
      this.emit(
        {
          name: 'push',
          payload: {
            ref: u.ref,
            before: u.before,
            after: u.after,
            repository: { full_name: `${repo.owner}/${repo.name}`, default_branch: repo.defaultBranch },
            sender: { login },
          },
          actor: login,
          automatic: token?.automatic ?? false,
          ref: u.ref,
          sha: u.after,
        },
        repo,
      );
      for (const pull of repo.pulls.values()) {
        const issue = repo.issues.find((i) => i.number === pull.number)!;
        if (pull.head !== branch || issue.state !== 'open') continue;
        this.emit(
          {
            name: 'pull_request',
            action: 'synchronize',
            payload: {
              action: 'synchronize',
              number: pull.number,
              pull_request: { number: pull.number, head: { ref: pull.head, sha: pull.headSha }, base: { ref: pull.base } },
              repository: { full_name: `${repo.owner}/${repo.name}`, default_branch: repo.defaultBranch },
              sender: { login },
            },
            actor: login,
            automatic: token?.automatic ?? false,
            ref: `refs/pull/${pull.number}/merge`,
            sha: pull.headSha,
          },
          repo,
        );
      }
    }
  }

  // ---- HTTP ----

  private tokenOf(req: IncomingMessage): TokenRec | undefined {
    const auth = req.headers.authorization ?? '';
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
    if (m) return this.state.tokens.get(m[1]!);
    const basic = /^basic\s+(\S+)$/i.exec(auth);
    if (basic) {
      const [, pass] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      return pass ? this.state.tokens.get(pass) : undefined;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.urls.web);
    try {
      if (url.pathname.startsWith('/api/v3/')) return await this.handleApiRequest(req, res, url);
      if (/\/(info\/refs|git-upload-pack|git-receive-pack)$/.test(url.pathname)) {
        return await handleGitHttp(req, res, {
          projectRoot: join(this.options.root, 'git'),
          authorize: (token, repoPath, write) => {
            const rec = token ? this.state.tokens.get(token) : undefined;
            const [owner, name] = repoPath.split('/');
            const repo = this.state.repo(owner!, name!);
            if (!rec || !repo) return false;
            const p = permissionOf(repo, rec.login);
            return !write || rec.automatic || p === 'admin' || p === 'maintain' || p === 'write';
          },
          onPush: (repoPath, updates, token) => {
            const [owner, name] = repoPath.split('/');
            const repo = this.state.repo(owner!, name!);
            if (repo) void this.afterPush(repo, updates, token ? this.state.tokens.get(token) : undefined);
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
    const token = this.tokenOf(req);
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
      const request: ApiRequest = { method, url: apiUrl, params: {}, body, token };
      const out = await handleApi(this, request);
      if (out.list) {
        const { page, link } = paginate(out.list, new URL(url));
        return this.reply(req, res, apiUrl, body, token, out.status, page, link ? { link } : {});
      }
      if (typeof out.body === 'string') {
        this.record(method, apiUrl, body, token, out.status);
        res.writeHead(out.status, out.headers ?? {});
        res.end(out.body);
        return;
      }
      return this.reply(req, res, apiUrl, body, token, out.status, out.body, out.headers);
    } catch (err) {
      if (err instanceof HttpError) return this.reply(req, res, apiUrl, body, token, err.status, { message: err.message, ...err.extra });
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
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - this.requests.length),
      ...headers,
    });
  }
}
