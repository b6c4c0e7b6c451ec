// An in-memory forge for unit tests of whole code-lane runs without git or an agent: issues, PRs, labels,
// comments, label timelines, permissions and checks. What it does not hold throws, naming the method.
import type {
  Actor,
  CheckData,
  CommentData,
  IssueData,
  LabelData,
  LabelEvent,
  Permission,
  PullData,
  ReviewCommentData,
  ReviewData,
} from '../../src/core/model.js';
import type { Forge } from '../../src/forge/forge.js';

export interface MemoryForge extends Forge {
  issues: Map<number, IssueData>;
  pulls: Map<number, PullData>;
  comments: (CommentData & { issue: number })[];
  events: Map<number, LabelEvent[]>;
  permissions: Map<string, Permission>;
  checks: Map<string, CheckData[]>;
  /** Submitted reviews and their line comments, by PR number. */
  reviews: Map<number, ReviewData[]>;
  reviewComments: Map<number, ReviewCommentData[]>;
  /** Every write, in order ("createComment 1", "addLabels 1 NeedSupervisor", …). */
  writes: string[];
}

const user = (login: string): Actor => ({ login, type: login.endsWith('[bot]') ? 'Bot' : 'User' });

/** `self`: the login agentloop's token acts as (the author of what it writes). */
export function memoryForge(self = 'github-actions[bot]', now = () => '2026-12-01T12:00:00Z'): MemoryForge {
  let nextId = 9000;
  const issues = new Map<number, IssueData>();
  const pulls = new Map<number, PullData>();
  const comments: MemoryForge['comments'] = [];
  const events = new Map<number, LabelEvent[]>();
  const permissions = new Map<string, Permission>();
  const checks = new Map<string, CheckData[]>();
  const reviews = new Map<number, ReviewData[]>();
  const reviewComments = new Map<number, ReviewCommentData[]>();
  const writes: string[] = [];
  const labels: LabelData[] = [];
  let requests = 0;
  const item = (n: number) => {
    requests++;
    const found = issues.get(n);
    if (!found) throw Object.assign(new Error(`#${n} not found`), { status: 404 });
    return found;
  };
  const missing = (name: string) => () => {
    throw new Error(`the memory forge does not do ${name}`);
  };
  const forge: MemoryForge = {
    kind: 'github',
    repoRef: { owner: 'acme', repo: 'widget' },
    issues,
    pulls,
    comments,
    events,
    permissions,
    checks,
    reviews,
    reviewComments,
    writes,
    stats: () => ({ requests }),
    limits: () => [],
    getRepo: async () => ({ owner: 'acme', repo: 'widget', defaultBranch: 'main', fullName: 'acme/widget', htmlUrl: '' }),
    getSelf: async () => user(self),
    getFileText: async () => null,
    getIssue: async (n) => structuredClone(item(n)),
    listOpenIssuesWithLabel: async (label, opts = {}) => {
      requests++;
      const found = [...issues.values()].filter((i) => i.state === 'open' && i.labels.includes(label)).sort((a, b) => a.number - b.number);
      return found.slice(0, opts.oldest).map((i) => structuredClone(i));
    },
    listClosedIssuesWithLabel: async (label) => {
      requests++;
      return [...issues.values()].filter((i) => i.state === 'closed' && i.labels.includes(label)).map((i) => structuredClone(i));
    },
    // Issues keep no update time here: every issue (a superset of the forge's answer).
    listIssuesUpdatedSince: async () => {
      requests++;
      return [...issues.values()].map((i) => structuredClone(i));
    },
    listOpenItemsWithAnyLabel: async (labels) => {
      requests += labels.length;
      return [...issues.values()]
        .filter((i) => i.state === 'open' && labels.some((l) => i.labels.includes(l)))
        .map((i) => structuredClone(i));
    },
    createIssue: async (title, body, names) => {
      const number = Math.max(0, ...issues.keys()) + 1;
      const created: IssueData = {
        number,
        title,
        body,
        state: 'open',
        isPull: false,
        labels: [...names],
        author: user(self),
        createdAt: now(),
        htmlUrl: '',
      };
      issues.set(number, created);
      writes.push(`createIssue ${number}`);
      return structuredClone(created);
    },
    closeIssue: async (n) => {
      item(n).state = 'closed';
      writes.push(`closeIssue ${n}`);
    },
    updateIssueBody: missing('updateIssueBody'),
    listComments: async (n) => {
      requests++;
      return comments.filter((c) => c.issue === n).map(({ issue: _issue, ...c }) => structuredClone(c));
    },
    createComment: async (n, body) => {
      item(n);
      const id = nextId++;
      const c = {
        id,
        issue: n,
        body,
        author: user(self),
        createdAt: now(),
        updatedAt: now(),
        htmlUrl: `https://forge/acme/widget/issues/${n}#issuecomment-${id}`,
      };
      comments.push(c);
      writes.push(`createComment ${n}`);
      const { issue: _issue, ...data } = c;
      return structuredClone(data);
    },
    updateComment: async (id, body) => {
      requests++;
      const c = comments.find((x) => x.id === id);
      if (!c) throw Object.assign(new Error(`comment ${id} not found`), { status: 404 });
      c.body = body;
      c.updatedAt = now();
      writes.push(`updateComment ${c.issue}`);
    },
    listLabelEvents: async (n) => {
      requests++;
      return structuredClone(events.get(n) ?? []);
    },
    listRepoLabels: async () => structuredClone(labels),
    createLabel: async (l) => {
      labels.push({ id: nextId++, ...l });
    },
    addLabels: async (n, names) => {
      const i = item(n);
      for (const name of names) if (!i.labels.includes(name)) i.labels.push(name);
      for (const name of names)
        events.set(n, [...(events.get(n) ?? []), { action: 'labeled', label: name, actor: user(self), createdAt: now() }]);
      writes.push(`addLabels ${n} ${names.join(',')}`);
    },
    removeLabel: async (n, name) => {
      const i = item(n);
      i.labels = i.labels.filter((l) => l !== name);
      writes.push(`removeLabel ${n} ${name}`);
    },
    getPermission: async (login) => {
      requests++;
      return permissions.get(login.toLowerCase()) ?? 'none';
    },
    listOpenPulls: async () => {
      requests++;
      return [...pulls.values()]
        .filter((p) => p.state === 'open')
        .map((p) => ({ ...structuredClone(p), labels: [...item(p.number).labels] }));
    },
    getPull: async (n) => {
      requests++;
      const p = pulls.get(n);
      if (!p) throw Object.assign(new Error(`PR #${n} not found`), { status: 404 });
      return { ...structuredClone(p), labels: [...item(n).labels] };
    },
    createPull: missing('createPull'),
    mergePull: missing('mergePull'),
    updatePullBranch: missing('updatePullBranch'),
    deleteBranch: missing('deleteBranch'),
    listReviews: async (n) => {
      requests++;
      return structuredClone(reviews.get(n) ?? []);
    },
    listReviewComments: async (n) => {
      requests++;
      return structuredClone(reviewComments.get(n) ?? []);
    },
    createReview: async (n, r) => {
      const id = nextId++;
      const state = ({ approve: 'approved', request_changes: 'changes_requested', comment: 'commented' } as const)[r.event];
      const review: ReviewData = { id, author: user(self), state, body: r.body, commitSha: r.commitSha, submittedAt: now(), htmlUrl: '' };
      reviews.set(n, [...(reviews.get(n) ?? []), review]);
      const lines = r.comments.map((c) => ({
        id: nextId++,
        reviewId: id,
        author: user(self),
        body: c.body,
        path: c.path,
        line: c.line,
        createdAt: now(),
        htmlUrl: '',
      }));
      reviewComments.set(n, [...(reviewComments.get(n) ?? []), ...lines]);
      writes.push(`createReview ${n} ${r.event}`);
      return structuredClone(review);
    },
    replyToReviewComment: async (n, c, body) => {
      const reply: ReviewCommentData = {
        ...structuredClone(c),
        id: nextId++,
        author: user(self),
        body,
        inReplyTo: c.inReplyTo ?? c.id,
        createdAt: now(),
      };
      reviewComments.set(n, [...(reviewComments.get(n) ?? []), reply]);
      writes.push(`replyToReviewComment ${n} ${reply.inReplyTo}`);
    },
    listChecks: async (sha) => {
      requests++;
      return structuredClone(checks.get(sha) ?? []);
    },
    listWorkflowRuns: async () => [],
    getWorkflowRun: missing('getWorkflowRun'),
    listRunJobs: async () => [],
    getJobLogTail: async () => '',
    dispatchWorkflow: async (workflow) => void writes.push(`dispatchWorkflow ${workflow}`),
  };
  return forge;
}
