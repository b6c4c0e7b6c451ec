// The embedded forge's in-memory state: users, repositories, issues, PRs, labels, comments, CI.
// Shapes follow GitHub's REST objects closely enough for real clients (Octokit) to use them.

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
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
}

export interface StatusRec {
  id: number;
  sha: string;
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  description: string;
  targetUrl: string;
  createdAt: string;
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
  private: boolean;
  collaborators: Map<string, Permission>;
  labels: LabelRec[];
  issues: IssueRec[];
  comments: CommentRec[];
  events: IssueEventRec[];
  pulls: Map<number, PullRec>;
  statuses: StatusRec[];
  checkRuns: CheckRunRec[];
  runs: WorkflowRunRec[];
}

/** Who a token acts as; automatic tokens are the workflow token whose writes trigger no workflow runs. */
export interface TokenRec {
  login: string;
  automatic: boolean;
}

export class ForgeState {
  readonly users = new Map<string, User>();
  readonly repos = new Map<string, RepoState>();
  readonly tokens = new Map<string, TokenRec>();
  private nextId = 1000;
  /** The embedded forge's clock; tests may move it. */
  clock: () => Date = () => new Date();

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

  addRepo(owner: string, name: string, gitDir: string, defaultBranch = 'main'): RepoState {
    this.user(owner);
    const repo: RepoState = {
      id: this.id(),
      owner,
      name,
      defaultBranch,
      gitDir,
      private: false,
      collaborators: new Map([[owner.toLowerCase(), 'admin']]),
      labels: [],
      issues: [],
      comments: [],
      events: [],
      pulls: new Map(),
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
