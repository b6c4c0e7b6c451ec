// The embedded forge's in-memory state: users, repositories, issues, PRs, labels, comments, CI, tokens.
// Shapes follow GitHub's REST objects closely enough for real clients (Octokit) to use them.
import type { DefaultWorkflowPermissions, PermissionSet } from './route-permissions.js';

/** A collaborator's role on a repository, as GitHub names them (the forge's own type: it shares nothing with agentloop). */
export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface User {
  id: number;
  login: string;
  type: 'User' | 'Bot';
}

export interface LabelRec {
  id: number;
  name: string;
  color: string;
  description: string;
}

export interface IssueRec {
  id: number;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  isPull: boolean;
}

export interface CommentRec {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface IssueEventRec {
  id: number;
  issue: number;
  event: 'labeled' | 'unlabeled' | 'closed' | 'reopened' | 'merged' | 'head_ref_deleted';
  label?: string;
  actor: string;
  createdAt: string;
}

export interface PullRec {
  number: number;
  head: string;
  base: string;
  headSha: string;
  /** Where the head lives; another repo's full name for fork PRs. */
  headRepo: string;
  /** The ref of this repository that holds the head when it is not `refs/heads/<head>` (fork PRs: refs/pull/N/head). */
  headRef?: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
}

/** A submitted PR review. `state` is GitHub's name; Forgejo's API names the same types differently (forgejo-json.ts). */
export interface ReviewRec {
  id: number;
  pull: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  /** Dismissed reviews keep their state: GitHub then answers DISMISSED, Forgejo `dismissed: true`. */
  dismissed: boolean;
  body: string;
  /** The commit reviewed (GitHub attaches the review to the commit_id it was given). */
  commitId: string;
  submittedAt: string;
}

/** A comment on a line of the new file in a PR's diff; a reply points at its thread's first comment. */
export interface ReviewCommentRec {
  id: number;
  pull: number;
  reviewId: number;
  user: string;
  body: string;
  path: string;
  line: number;
  commitId: string;
  /** The hunk up to the commented line, as GitHub's `diff_hunk` shows it ('' when the line is outside the diff: Forgejo). */
  diffHunk: string;
  inReplyTo?: number;
  /** Forgejo: who resolved the conversation. */
  resolvedBy?: string;
  createdAt: string;
  updatedAt: string;
}

export interface StatusRec {
  id: number;
  sha: string;
  context: string;
  /** `warning` exists on Forgejo only. */
  state: 'pending' | 'success' | 'failure' | 'error' | 'warning';
  description: string;
  targetUrl: string;
  createdAt: string;
  /** Who posted it (Forgejo answers a creator); the runner's statuses have none. */
  creator?: string;
}

export interface CheckRunRec {
  id: number;
  sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out' | null;
  runId: number;
  jobId: number;
  startedAt: string;
  completedAt: string | null;
}

export interface WorkflowRunRec {
  id: number;
  workflowPath: string;
  name: string;
  event: string;
  headBranch: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'pending';
  conclusion: string | null;
  createdAt: string;
  updatedAt: string;
  actor: string;
  runAttempt: number;
  jobs: JobRec[];
}

export interface JobRec {
  id: number;
  runId: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  steps: { name: string; number: number; status: 'queued' | 'in_progress' | 'completed'; conclusion: string | null }[];
  log: string;
  startedAt: string;
  completedAt: string | null;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** The bare git repository behind it. */
  gitDir: string;
  /** Private (the default): only collaborators see it, and reads need permissions as writes do. */
  private: boolean;
  /** Settings → Actions → General → Workflow permissions (GET/PUT /repos/{o}/{r}/actions/permissions/workflow). */
  actions: {
    /** The GITHUB_TOKEN's permissions when a workflow names none: read = restricted (GitHub's default), write = permissive. */
    defaultWorkflowPermissions: DefaultWorkflowPermissions;
    /** "Allow GitHub Actions to create and approve pull requests": off by default. */
    canApprovePullRequestReviews: boolean;
  };
  collaborators: Map<string, Permission>;
  labels: LabelRec[];
  issues: IssueRec[];
  comments: CommentRec[];
  events: IssueEventRec[];
  pulls: Map<number, PullRec>;
  reviews: ReviewRec[];
  reviewComments: ReviewCommentRec[];
  statuses: StatusRec[];
  checkRuns: CheckRunRec[];
  runs: WorkflowRunRec[];
}

/**
 * The token profiles GitHub has: the workflow token (GITHUB_TOKEN, `ghs_`, an installation token of the
 * Actions app), a GitHub App installation token (`ghs_`), a fine-grained PAT (`github_pat_`) and a
 * classic PAT (`ghp_`).
 */
export type TokenKind = 'workflow' | 'app' | 'fine-grained' | 'classic';

/** Who a token acts as and what it may do. */
export interface TokenRec {
  login: string;
  /** The workflow token: its writes start no workflow runs (except dispatches). */
  automatic: boolean;
  kind: TokenKind;
  /** workflow, app and fine-grained tokens: their permissions (metadata: read included). */
  permissions?: PermissionSet;
  /** classic PATs: their OAuth scopes (`repo`, `public_repo`, `workflow`, …). */
  scopes?: string[];
  /** Repositories it reaches (owner/name, lower case); undefined = every one its login may. */
  repos?: string[];
  /** Milliseconds on the forge's clock after which it answers 401 Bad credentials (App tokens: one hour). */
  expiresAt?: number;
  /** Revoked (a workflow token after its job): 401 Bad credentials. */
  revoked?: boolean;
}

export class ForgeState {
  readonly users = new Map<string, User>();
  readonly repos = new Map<string, RepoState>();
  readonly tokens = new Map<string, TokenRec>();
  private nextId = 1000;
  /** The embedded forge's clock; tests may move it. */
  clock: () => Date = () => new Date();
  /**
   * How far GitHub's search index trails the data (api-search.ts): a minute, what clients of GET
   * /search/issues see in practice (GitHub documents no figure). Tests may set 0 or more.
   */
  searchLagMs = 60_000;

  id(): number {
    return this.nextId++;
  }

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  addUser(login: string, type: User['type'] = 'User'): User {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const user = { id: this.id(), login, type };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  user(login: string): User {
    return this.users.get(login.toLowerCase()) ?? this.addUser(login, login.endsWith('[bot]') ? 'Bot' : 'User');
  }

  addToken(token: string, rec: TokenRec): void {
    this.user(rec.login);
    this.tokens.set(token, rec);
  }

  /** The token's record while it is valid: undefined for unknown, expired and revoked tokens. */
  liveToken(token: string): TokenRec | undefined {
    const rec = this.tokens.get(token);
    if (!rec || rec.revoked) return undefined;
    if (rec.expiresAt !== undefined && this.clock().getTime() >= rec.expiresAt) return undefined;
    return rec;
  }

  addRepo(owner: string, name: string, gitDir: string, defaultBranch = 'main', isPrivate = true): RepoState {
    this.user(owner);
    const repo: RepoState = {
      id: this.id(),
      owner,
      name,
      defaultBranch,
      gitDir,
      private: isPrivate,
      actions: { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false },
      collaborators: new Map([[owner.toLowerCase(), 'admin']]),
      labels: [],
      issues: [],
      comments: [],
      events: [],
      pulls: new Map(),
      reviews: [],
      reviewComments: [],
      statuses: [],
      checkRuns: [],
      runs: [],
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  nextNumber(repo: RepoState): number {
    return repo.issues.reduce((max, i) => Math.max(max, i.number), 0) + 1;
  }
}
