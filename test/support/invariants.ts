// "Never stuck, never twice": the invariants every loop scenario must keep, checked by one checker
// (docs/invariants.md). `checkInvariants` is pure: it reads a `World`, a plain picture of the forge that
// the unit tests build by hand. `worldOf` takes that picture of the embedded forge (both flavors: on
// Forgejo items and events carry label ids, turned into names here), and `InvariantMonitor` checks it
// after every workflow run and when the loop comes to rest (test/support/loop.ts wires it into startLoop).
//
// Two scopes. `run`: invariants that hold at every moment, even while other runs are half-way through
// their label changes, so they are checked after each completed run. `rest`: all of them, including
// the ones a run in flight may break for a moment (labels are added before they are removed; a code run
// pushes its branch before it opens the PR), so they are checked only when no agentloop run is running.
import { type EmbeddedForge, git, type RepoState } from '@agentloop/embedded-forge';
import { keyOfLabel, type LabelKey, type LabelNames, labelNames } from '../../src/core/labels.js';

export type InvariantId =
  | 'one-pr-per-issue'
  | 'one-plan-per-request'
  | 'one-child-per-part'
  | 'merge-guard'
  | 'one-in-process'
  | 'named-state'
  | 'known-labels'
  | 'branch-has-item';

/** The invariants that hold between runs even with other runs in flight; the others are checked at rest only. */
export const RUN_SCOPE: readonly InvariantId[] = [
  'one-pr-per-issue',
  'one-plan-per-request',
  'one-child-per-part',
  'merge-guard',
  'one-in-process',
  'known-labels',
];

export interface Violation {
  invariant: InvariantId;
  /** The issue or PR it is about, if one. */
  item?: number;
  detail: string;
}

export interface WorldItem {
  number: number;
  isPull: boolean;
  state: 'open' | 'closed';
  /** Label names (never ids). */
  labels: string[];
  /** Who opened it and its text (a breakdown's children: one-child-per-part). */
  user?: string;
  body?: string;
}

export interface WorldPull {
  number: number;
  head: string;
  headSha: string;
  /** A merged PR: the head it was merged at (the forge may move `headSha` when the branch is pushed again). */
  mergedSha?: string;
  sameRepo: boolean;
  merged: boolean;
}

export interface WorldComment {
  issue: number;
  user: string;
  body: string;
  createdAt: string;
}

/** The forge's timeline in order: labeled/unlabeled (label by name), merged, closed, … */
export interface WorldEvent {
  issue: number;
  event: string;
  label?: string;
  actor: string;
  createdAt: string;
}

/** A finished or running workflow run that is not agentloop's own (the repository's CI). */
export interface WorldCiRun {
  sha: string;
  workflow: string;
  status: string;
  conclusion: string | null;
}

export interface World {
  names: LabelNames;
  /** agentloop's label prefix (labels starting with it must be in the catalog). */
  prefix: string;
  /** The logins agentloop acts as (the workflow token's and the PAT's / bot user's). */
  self: string[];
  /** Logins with write access (admin, maintain, write). */
  writers: string[];
  autoMerge: boolean;
  ciFailureAutofix: boolean;
  items: WorldItem[];
  pulls: WorldPull[];
  comments: WorldComment[];
  events: WorldEvent[];
  ci: WorldCiRun[];
  /** The repository's label names. */
  repoLabels: string[];
  /** Branch names; needed at rest only. */
  branches?: string[];
}

const PLAN_MARKER = '<!-- agentloop:plan -->';
const STATUS_MARKER = '<!-- agentloop:status -->';
const ESCALATION_MARKER = '<!-- agentloop:escalation';
const IN_PROCESS: readonly LabelKey[] = ['planInProcess', 'codeInProcess', 'mergeInProcess', 'breakdownInProcess'];
const CHILD_MARKER = /<!--\s*agentloop:breakdown-of\s+#(\d+)\s+(\d+)\s*-->/;
const LOOP_BRANCH = /^agentloop\/issue-(\d+)$/;

const lower = (s: string) => s.toLowerCase();

export function checkInvariants(world: World, scope: 'run' | 'rest'): Violation[] {
  const out: Violation[] = [];
  const ctx = new Ctx(world);
  const checks: Record<InvariantId, (ctx: Ctx, out: Violation[]) => void> = {
    'one-pr-per-issue': onePrPerIssue,
    'one-plan-per-request': onePlanPerRequest,
    'one-child-per-part': oneChildPerPart,
    'merge-guard': mergeGuard,
    'one-in-process': oneInProcess,
    'known-labels': knownLabels,
    'named-state': namedStates,
    'branch-has-item': branchHasItem,
  };
  for (const [id, check] of Object.entries(checks) as [InvariantId, (typeof checks)[InvariantId]][])
    if (scope === 'rest' || RUN_SCOPE.includes(id)) check(ctx, out);
  return out;
}

class Ctx {
  readonly self: Set<string>;
  readonly writers: Set<string>;
  constructor(readonly w: World) {
    this.self = new Set(w.self.map(lower));
    this.writers = new Set(w.writers.map(lower));
  }
  isSelf(login: string): boolean {
    return this.self.has(lower(login));
  }
  keys(item: WorldItem): Set<LabelKey> {
    const keys = new Set<LabelKey>();
    for (const l of item.labels) {
      const k = keyOfLabel(this.w.names, l);
      if (k) keys.add(k);
    }
    return keys;
  }
  item(n: number): WorldItem | undefined {
    return this.w.items.find((i) => i.number === n);
  }
  /** agentloop's PRs for issue n (head agentloop/issue-n in this repository). */
  loopPulls(n: number): WorldPull[] {
    return this.w.pulls.filter((p) => p.sameRepo && issueOf(p.head) === n);
  }
  /** The issue and PR that belong together: an agentloop PR and its issue. */
  pairOf(n: number): number[] {
    const item = this.item(n);
    if (item?.isPull) {
      const pull = this.w.pulls.find((p) => p.number === n);
      const issue = pull?.sameRepo ? issueOf(pull.head) : undefined;
      return issue !== undefined ? [n, issue] : [n];
    }
    return [n, ...this.loopPulls(n).map((p) => p.number)];
  }
  isOpen(n: number): boolean {
    return this.item(n)?.state === 'open';
  }
}

function issueOf(branch: string): number | undefined {
  const m = LOOP_BRANCH.exec(branch);
  return m ? Number(m[1]) : undefined;
}

// ---- never twice ----

function onePrPerIssue(ctx: Ctx, out: Violation[]): void {
  const issues = new Set(ctx.w.pulls.filter((p) => p.sameRepo).flatMap((p) => issueOf(p.head) ?? []));
  for (const n of issues) {
    const pulls = ctx.loopPulls(n);
    const open = pulls.filter((p) => !p.merged && ctx.isOpen(p.number));
    const merged = pulls.filter((p) => p.merged);
    if (open.length > 1)
      out.push({ invariant: 'one-pr-per-issue', item: n, detail: `${open.length} open PRs: #${open.map((p) => p.number).join(', #')}` });
    if (merged.length > 1)
      out.push({
        invariant: 'one-pr-per-issue',
        item: n,
        detail: `${merged.length} merged PRs: #${merged.map((p) => p.number).join(', #')}`,
      });
    // Done is done: a PR after the merged one only when a person asked for the code again after the merge.
    const first = merged.length === 1 ? merged[0] : undefined;
    const at = first ? ctx.w.events.findIndex((e) => e.event === 'merged' && e.issue === first.number) : -1;
    const later = first ? pulls.filter((p) => p.number > first.number) : [];
    if (first && at >= 0 && later.length) {
      const code = lower(ctx.w.names.code);
      const asked = ctx.w.events
        .slice(at)
        .some((e) => e.issue === n && e.event === 'labeled' && lower(e.label ?? '') === code && !ctx.isSelf(e.actor));
      if (!asked)
        out.push({
          invariant: 'one-pr-per-issue',
          item: n,
          detail: `PR #${later.map((p) => p.number).join(', #')} opened after PR #${first.number} was merged, with no one applying ${ctx.w.names.code} again`,
        });
    }
  }
}

function onePlanPerRequest(ctx: Ctx, out: Violation[]): void {
  const plan = lower(ctx.w.names.plan);
  for (const item of ctx.w.items) {
    const plans = ctx.w.comments.filter((c) => c.issue === item.number && ctx.isSelf(c.user) && c.body.includes(PLAN_MARKER));
    if (plans.length === 0) continue;
    // A request is a person applying the plan label; agentloop putting it back (a requeue) is not a new one.
    const requests = ctx.w.events.filter(
      (e) => e.issue === item.number && e.event === 'labeled' && lower(e.label ?? '') === plan && !ctx.isSelf(e.actor),
    ).length;
    if (plans.length > requests)
      out.push({
        invariant: 'one-plan-per-request',
        item: item.number,
        detail: `${plans.length} plan comments for ${requests} plan request(s)`,
      });
  }
}

/** A breakdown creates each proposed issue once: no two of agentloop's issues are the same part of one spec. */
function oneChildPerPart(ctx: Ctx, out: Violation[]): void {
  const seen = new Map<string, number>();
  for (const item of ctx.w.items) {
    const m = item.user && ctx.isSelf(item.user) ? CHILD_MARKER.exec(item.body ?? '') : null;
    if (!m) continue;
    const part = `#${m[1]} part ${m[2]}`;
    const first = seen.get(part);
    if (first === undefined) seen.set(part, item.number);
    else out.push({ invariant: 'one-child-per-part', item: item.number, detail: `a second issue for ${part} (the first: #${first})` });
  }
}

/** Labels on `n` just before event index `until`, with who applied each (replaying the timeline). */
function labelsAt(ctx: Ctx, n: number, until: number): Map<string, string> {
  const on = new Map<string, string>();
  ctx.w.events.slice(0, until).forEach((e) => {
    if (e.issue !== n || !e.label) return;
    if (e.event === 'labeled') on.set(lower(e.label), e.actor);
    else if (e.event === 'unlabeled') on.delete(lower(e.label));
  });
  return on;
}

function mergeGuard(ctx: Ctx, out: Violation[]): void {
  const { names } = ctx.w;
  ctx.w.events.forEach((e, index) => {
    if (e.event !== 'merged' || !ctx.isSelf(e.actor)) return;
    const pull = ctx.w.pulls.find((p) => p.number === e.issue);
    const bad = (detail: string) => {
      out.push({ invariant: 'merge-guard', item: e.issue, detail });
    };
    if (!pull) {
      bad('merged, but the forge has no such PR');
      return;
    }
    const sha = pull.mergedSha ?? pull.headSha;
    const runs = ctx.w.ci.filter((r) => r.sha === sha && r.status === 'completed');
    const red = runs.filter((r) => r.conclusion !== 'success' && r.conclusion !== 'skipped' && r.conclusion !== 'neutral');
    if (runs.length === 0) bad(`merged ${sha.slice(0, 7)} with no completed CI run on it`);
    else if (red.length) bad(`merged ${sha.slice(0, 7)} although CI ${red.map((r) => `${r.workflow}: ${r.conclusion}`).join(', ')} on it`);
    const items = ctx.pairOf(pull.number);
    const labels = items.map((n) => labelsAt(ctx, n, index));
    if (labels.some((l) => l.has(lower(names.doNotMerge)))) bad(`merged while ${names.doNotMerge} was on it`);
    const asked = labels.some((l) =>
      [...l].some(([label, actor]) => {
        const merge = label === lower(names.merge);
        const automerge = label === lower(names.automerge);
        if (!merge && !automerge) return false;
        if (ctx.isSelf(actor)) return merge ? ctx.w.autoMerge : ctx.w.ciFailureAutofix;
        return ctx.writers.has(lower(actor));
      }),
    );
    if (!asked)
      bad(
        `merged without ${names.merge} or ${names.automerge} applied by a writer (or by agentloop under auto-merge) on #${items.join(' / #')}`,
      );
  });
}

// ---- one owner, known labels ----

function oneInProcess(ctx: Ctx, out: Violation[]): void {
  for (const item of ctx.w.items) {
    const keys = ctx.keys(item);
    const held = IN_PROCESS.filter((k) => keys.has(k));
    if (held.length > 1)
      out.push({
        invariant: 'one-in-process',
        item: item.number,
        detail: `two runs own it: ${held.map((k) => ctx.w.names[k]).join(', ')}`,
      });
  }
}

function knownLabels(ctx: Ctx, out: Violation[]): void {
  const prefix = lower(ctx.w.prefix);
  const unknown = (l: string) => lower(l).startsWith(prefix) && !keyOfLabel(ctx.w.names, l);
  for (const l of ctx.w.repoLabels.filter(unknown))
    out.push({ invariant: 'known-labels', detail: `the repository has a label "${l}" agentloop does not know` });
  for (const item of ctx.w.items)
    for (const l of item.labels.filter(unknown))
      out.push({ invariant: 'known-labels', item: item.number, detail: `label "${l}" is not in agentloop's catalog` });
}

// ---- never stuck (at rest) ----

function branchHasItem(ctx: Ctx, out: Violation[]): void {
  for (const branch of ctx.w.branches ?? []) {
    const n = issueOf(branch);
    if (n === undefined) continue;
    // Any PR from it accounts for it (its fate is on record there); a branch no PR came from needs its open issue.
    const pull = ctx.w.pulls.some((p) => p.sameRepo && p.head === branch);
    if (ctx.isOpen(n) || pull) continue;
    out.push({ invariant: 'branch-has-item', item: n, detail: `branch ${branch} is left with no open issue #${n} and no PR from it` });
  }
}

function namedStates(ctx: Ctx, out: Violation[]): void {
  for (const item of ctx.w.items) {
    const keys = ctx.keys(item);
    if (keys.size === 0) continue;
    const problem = keys.has('needSupervisor') ? unexplained(ctx, item) : unnamed(ctx, item, keys);
    if (problem)
      out.push({ invariant: 'named-state', item: item.number, detail: `${problem} (labels: ${item.labels.join(', ') || 'none'})` });
  }
}

/** NeedSupervisor set by agentloop must come with an explanation: a notice posted after it, or the status comment saying so. */
function unexplained(ctx: Ctx, item: WorldItem): string | undefined {
  const ns = lower(ctx.w.names.needSupervisor);
  const applied = ctx.w.events.filter((e) => e.issue === item.number && e.event === 'labeled' && lower(e.label ?? '') === ns).at(-1);
  if (applied && !ctx.isSelf(applied.actor)) return undefined; // a person stopped it: theirs to explain
  const pair = ctx.pairOf(item.number);
  const ours = ctx.w.comments.filter((c) => pair.includes(c.issue) && ctx.isSelf(c.user));
  const notice = ours.some((c) => c.body.includes(ESCALATION_MARKER) && (!applied || c.createdAt >= applied.createdAt));
  const status = ours.filter((c) => c.body.includes(STATUS_MARKER)).some((c) => visible(c.body).includes(ctx.w.names.needSupervisor));
  return notice || status ? undefined : `has ${ctx.w.names.needSupervisor} with no status comment or notice explaining it`;
}

/** The text people see: without the hidden state. */
function visible(body: string): string {
  return body.replace(/<!--[\s\S]*?-->/g, '');
}

/**
 * The states the design names (DESIGN §2–3), for an open item not held by NeedSupervisor. Closed items
 * are out of the loop and not checked. Labels are added before they are removed, so a run killed half-way
 * through a label change leaves the state before and the state after together: those pairs are named
 * states too (in-process wins over its trigger), and so are the states a repair starts from: a claim whose
 * run is gone (the sweep requeues it) and a PR stage label whose PR was merged or closed (the code lane
 * wraps it up, decide/wrap-up.ts). What no transition and no repair starts from is not named: it would
 * wait forever.
 */
function unnamed(ctx: Ctx, item: WorldItem, keys: Set<LabelKey>): string | undefined {
  const n = ctx.w.names;
  const has = (k: LabelKey) => keys.has(k);
  if (has('dashboard')) return keys.size === 1 ? undefined : 'the dashboard issue carries loop state';
  if (item.state === 'closed') return undefined;
  if (item.isPull) {
    // agentloop keeps an agentloop PR's state on its issue; on a PR only the merge request and, for a
    // person's own automerge PR, the merge claim and its outcome.
    const allowed: LabelKey[] = ['merge', 'automerge', 'doNotMerge', 'mergeInProcess', 'mergeDone'];
    const extra = [...keys].filter((k) => !allowed.includes(k));
    if (extra.length) return `a pull request with ${extra.map((k) => n[k]).join(', ')}`;
    if (has('mergeDone')) return 'marked merged, but the PR is still open';
    return undefined;
  }
  const pulls = ctx.loopPulls(item.number);
  const open = pulls.filter((p) => !p.merged && ctx.isOpen(p.number));
  const stage = (['codeCiPending', 'codeDone'] as const).filter(has);
  if (has('mergeDone')) {
    const mixed = (['code', 'codeInProcess'] as const).filter(has);
    if (mixed.length) return `${n.mergeDone} together with ${mixed.map((k) => n[k]).join(', ')}`;
    // The merge's bookkeeping cut short with a stage label left: the code lane wraps it up.
    if (stage.length && pulls.some((p) => p.merged)) return undefined;
    return `${n.mergeDone}, but the issue is still open and nothing closes it`;
  }
  if ((stage.length || has('mergeInProcess')) && open.length === 0 && pulls.length === 0)
    return `${[...stage, ...(has('mergeInProcess') ? (['mergeInProcess'] as const) : [])].map((k) => n[k]).join(', ')} without any PR for it`;
  if (has('mergeInProcess') && stage.length === 0) return `${n.mergeInProcess} on an issue whose PR is not green or pending`;
  if (has('merge') && !has('code') && !has('codeInProcess') && stage.length === 0)
    return `${n.merge} on an issue with no code work (no ${n.code}, no PR)`;
  return undefined;
}

// ---- the embedded forge's picture ----

export interface WorldSource {
  forge: EmbeddedForge;
  repo: RepoState;
  flavor: 'github' | 'forgejo';
  self: string[];
  autoMerge: boolean;
  ciFailureAutofix?: boolean;
  /** Workflow names that are agentloop's own (not CI). */
  agentloopWorkflows: readonly string[];
  prefix?: string;
}

/** The forge's state now, synchronously (one consistent picture), without branches. */
export function worldOf(src: WorldSource): World {
  const { repo, flavor } = src;
  const labelName = (l: string) => (flavor === 'forgejo' ? (repo.labels.find((x) => String(x.id) === l)?.name ?? l) : l);
  const prefix = src.prefix ?? 'loop/';
  const fullName = `${repo.owner}/${repo.name}`.toLowerCase();
  // The head each merge named (GitHub: PUT …/merge {sha}; Forgejo: POST …/merge {head_commit_id}) and the
  // forge accepted: the embedded forge moves a merged PR's head when its branch is pushed again.
  const mergedAt = new Map<number, string>();
  for (const r of src.forge.requests) {
    const m = /\/pulls\/(\d+)\/merge$/.exec(r.path);
    if (!m || r.status >= 300 || (r.method !== 'PUT' && r.method !== 'POST')) continue;
    const body = (r.body ?? {}) as { sha?: string; head_commit_id?: string };
    const sha = body.sha ?? body.head_commit_id;
    if (sha) mergedAt.set(Number(m[1]), sha);
  }
  return {
    names: labelNames(prefix),
    prefix,
    self: src.self,
    writers: [...repo.collaborators].filter(([, p]) => p === 'admin' || p === 'maintain' || p === 'write').map(([login]) => login),
    autoMerge: src.autoMerge,
    ciFailureAutofix: src.ciFailureAutofix ?? false,
    items: repo.issues.map((i) => ({
      number: i.number,
      isPull: i.isPull,
      state: i.state,
      labels: i.labels.map(labelName),
      user: i.user,
      body: i.body,
    })),
    pulls: [...repo.pulls.values()].map((p) => ({
      number: p.number,
      head: p.head,
      headSha: p.headSha,
      ...(p.merged && mergedAt.has(p.number) ? { mergedSha: mergedAt.get(p.number)! } : {}),
      sameRepo: p.headRepo.toLowerCase() === fullName,
      merged: p.merged,
    })),
    comments: repo.comments.map((c) => ({ issue: c.issue, user: c.user, body: c.body, createdAt: c.createdAt })),
    events: repo.events.map((e) => ({
      issue: e.issue,
      event: e.event,
      ...(e.label !== undefined ? { label: labelName(e.label) } : {}),
      actor: e.actor,
      createdAt: e.createdAt,
    })),
    ci: repo.runs
      .filter((r) => !src.agentloopWorkflows.includes(r.name))
      .map((r) => ({ sha: r.headSha, workflow: r.name, status: r.status, conclusion: r.conclusion })),
    repoLabels: repo.labels.map((l) => l.name),
  };
}

export interface Recorded extends Violation {
  /** Where it was seen first: "after run 12", "at rest". */
  seen: string;
}

/**
 * Checks the loop after each completed workflow run (scope `run`, or `rest` when no agentloop run is
 * still running) and whenever asked to at rest; records each distinct violation once.
 */
export class InvariantMonitor {
  readonly violations: Recorded[] = [];
  private readonly seen = new Set<string>();
  private pending: Promise<void> = Promise.resolve();
  checks = 0;

  constructor(
    private readonly src: WorldSource,
    /** Is any agentloop run still running (other than the one that just completed)? */
    private readonly busy: () => boolean,
  ) {}

  /** The runner's completed hook: the in-memory picture is taken now, branches read right after. */
  afterRun(runId: number): void {
    this.queue(this.busy() ? 'run' : 'rest', `after run ${runId}`);
  }

  /** Check everything now (call when nothing runs) and wait for all pending checks. */
  async atRest(where = 'at rest'): Promise<void> {
    this.queue('rest', where);
    await this.settled();
  }

  settled(): Promise<void> {
    return this.pending;
  }

  private queue(scope: 'run' | 'rest', where: string): void {
    const world = worldOf(this.src);
    this.checks++;
    this.pending = this.pending.then(async () => {
      if (scope === 'rest') world.branches = (await git.listBranches(this.src.repo.gitDir).catch(() => [])).map((b) => b.name);
      for (const v of checkInvariants(world, scope)) {
        const key = `${v.invariant}#${v.item ?? ''}:${v.detail}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.violations.push({ ...v, seen: where });
      }
    });
  }

  /** One line per violation, for a failing test or the soak's report. */
  report(): string {
    return this.violations.map((v) => `- [${v.invariant}]${v.item !== undefined ? ` #${v.item}` : ''} ${v.detail} (${v.seen})`).join('\n');
  }
}
