// Reviews on a loop PR (DESIGN §3 "address-review", "review"): which requests for changes are still
// unanswered, whose reviews are ignored, and whether the reviewer agent has looked at the head.
import type { ItemSnapshot, PullSnapshot, ReviewSnapshot } from '../snapshot.js';
import type { LoopState } from '../status-comment.js';
import { isSelf } from '../trust.js';
import { at, type Candidate, continuing, edited } from './candidate.js';
import type { Ctx } from './context.js';

const WRITERS = ['write', 'maintain', 'admin'];

export interface ReviewPicture {
  /** Reviews asking for changes no round has answered yet, oldest first. */
  open: ReviewSnapshot[];
  /** Reviews by people who may not ask for changes, not yet said so. */
  ignored: ReviewSnapshot[];
}

/** A review that asks for something: changes requested, or comments on lines. */
const asks = (r: ReviewSnapshot) => r.state === 'changes_requested' || (r.state === 'commented' && r.comments > 0);

/**
 * From the reviews read on the PR (and the reviewer agent's verdict in the state). A writer's request is
 * open until a round answers it or the writer approves after it; agentloop's own reviews (its reviewer
 * agent's, and on GitHub its thread replies, which are reviews too) count only through the state.
 */
export function reviewPicture(ctx: Ctx, reviews: readonly ReviewSnapshot[] | undefined, loop: LoopState, headSha: string): ReviewPicture {
  const facts = { selfLogins: ctx.cfg.selfLogins, allowedBots: ctx.cfg.allowedBots };
  const addressed = new Set(reviewRecord(loop, headSha).addressed);
  const told = new Set(loop.review?.ignored ?? []);
  const open: ReviewSnapshot[] = [];
  const ignored: ReviewSnapshot[] = [];
  const all = reviews ?? [];
  for (const r of all) {
    if (!asks(r) || addressed.has(r.id) || isSelf(r.author, facts)) continue;
    if (!WRITERS.includes(r.permission)) {
      if (!told.has(r.id) && r.permission !== 'unknown') ignored.push(r);
      continue;
    }
    const approvedLater = all.some(
      (a) => a.state === 'approved' && a.author.login.toLowerCase() === r.author.login.toLowerCase() && a.submittedAt > r.submittedAt,
    );
    if (!approvedLater) open.push(r);
  }
  const agent = loop.review?.agent;
  if (ctx.cfg.review === 'agent' && agent?.verdict === 'request_changes' && agent.sha === headSha && !addressed.has(agent.reviewId))
    open.push({
      id: agent.reviewId,
      author: { login: ctx.cfg.selfLogins[0] ?? 'agentloop', type: 'Bot' },
      permission: 'none',
      state: 'changes_requested',
      commitSha: agent.sha,
      submittedAt: '',
      comments: 0,
    });
  return { open, ignored };
}

/**
 * Rounds answered and reviews addressed, counting a claimed round whose push landed (the head moved
 * since) — a run lost between its push and its bookkeeping must not answer the same review twice.
 */
export function reviewRecord(loop: LoopState, headSha: string): { rounds: number; addressed: number[] } {
  const r = loop.review;
  const landed = r?.pending && r.pending.fromSha !== headSha ? r.pending : undefined;
  return {
    rounds: Math.max(r?.rounds ?? 0, landed?.round ?? 0),
    addressed: [...(r?.addressed ?? []), ...(landed?.reviews ?? [])],
  };
}

/** The reviewer agent (config `review: agent`) has not given its verdict on this head yet. */
export function agentReviewDue(ctx: Ctx, loop: LoopState, headSha: string): boolean {
  return ctx.cfg.review === 'agent' && loop.review?.agent?.sha !== headSha;
}

/** One line per open request, for an escalation or a note. */
export function describeOpen(open: readonly ReviewSnapshot[]): string {
  return open.map((r) => `review ${r.id} by @${r.author.login} (${r.state.replace('_', ' ')})`).join('; ');
}

/**
 * Reviews first: a writer's unanswered request for changes is answered before anything merges (rounds
 * left), or handed to a human (none left); reviews by others are said once and ignored.
 */
export function reviewCandidate(ctx: Ctx, pull: PullSnapshot, issue: ItemSnapshot | undefined, issueNumber: number): Candidate | undefined {
  const loop = (issue ?? pull).loop;
  const { open, ignored } = reviewPicture(ctx, pull.reviews, loop, pull.headSha);
  const since = open[0]?.submittedAt || pull.headPushedAt;
  if (open.length) {
    const { rounds } = reviewRecord(loop, pull.headSha);
    if (rounds >= ctx.cfg.maxReviewRounds)
      return at(since, pull.number, {
        kind: 'escalate',
        item: issueNumber,
        pull: pull.number,
        cause: 'review-rounds',
        reviews: open.map((r) => r.id),
        reason: `changes are still requested after ${rounds} review round(s) (max-review-rounds: ${ctx.cfg.maxReviewRounds}): ${describeOpen(open)}`,
      });
    const approval = continuing(ctx, issue);
    if (approval === 'reapproved') return undefined;
    if (!approval.ok) return edited(ctx, issueNumber, approval.reason, since);
    return at(since, pull.number, {
      kind: 'address-review',
      issue: issueNumber,
      pull: pull.number,
      headSha: pull.headSha,
      reviews: open.map((r) => r.id),
      round: rounds + 1,
      reason: `changes requested on PR #${pull.number}: ${describeOpen(open)}`,
    });
  }
  if (ignored.length)
    return at(ignored[0]!.submittedAt, pull.number, {
      kind: 'reviews-ignored',
      issue: issueNumber,
      pull: pull.number,
      reviews: ignored.map((r) => r.id),
      reason: `review(s) on PR #${pull.number} by people without write access: ${ignored.map((r) => `@${r.author.login}`).join(', ')}`,
    });
  return undefined;
}
