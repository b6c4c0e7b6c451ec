// The code lane's decisions on reviews (core/decide/review.ts): every transition and refusal, as a table.
import { describe, expect, it } from 'vitest';
import type { DecideConfig } from '../../src/core/decide/index.js';
import { decide } from '../../src/core/decide/index.js';
import { reviewRecord } from '../../src/core/decide/review.js';
import type { LoopEvent } from '../../src/core/event.js';
import { normalizeEvent } from '../../src/core/event.js';
import type { ReviewSnapshot, Snapshot } from '../../src/core/snapshot.js';
import type { Transition } from '../../src/core/transition.js';
import { cfg, EARLIER, issue, loopState, maintainer, N, NOW, pull, snap, triager } from '../support/snapshot-builders.js';

const HEAD = 'a1b2c3d4e5f6';
const dispatch: LoopEvent = { kind: 'dispatch', lane: 'code', chain: 0 };
const reviewed: LoopEvent = { kind: 'review', number: 10, sender: maintainer };

const review = (id: number, over: Partial<ReviewSnapshot> = {}): ReviewSnapshot => ({
  id,
  author: maintainer,
  permission: 'write',
  state: 'changes_requested',
  commitSha: HEAD,
  submittedAt: EARLIER,
  comments: 1,
  ...over,
});
const green = (reviews: ReviewSnapshot[] | undefined, labels = [N.codeDone, N.merge], loop = loopState({})) =>
  snap({
    issues: [issue(1, labels, { loop: { ...loop, approved: issue(1, []).loop.approved } })],
    pulls: [pull(10, { issueNumber: 1, ...(reviews ? { reviews } : {}) })],
  });

interface Row {
  name: string;
  snapshot: Snapshot;
  event?: LoopEvent;
  config?: Partial<DecideConfig>;
  expect: Partial<Transition> & { kind: Transition['kind'] };
  reason?: RegExp;
}

const rows: Row[] = [
  {
    name: 'a writer requested changes → address-review, round 1, before the merge',
    snapshot: green([review(5)]),
    expect: { kind: 'address-review', pull: 10, issue: 1, reviews: [5], round: 1, headSha: HEAD },
    reason: /review 5 by @maria \(changes requested\)/,
  },
  {
    name: 'a writer’s comment review with line comments asks too',
    snapshot: green([review(5, { state: 'commented', comments: 2 })]),
    expect: { kind: 'address-review', reviews: [5] },
  },
  {
    name: 'a comment review without line comments asks for nothing → merge',
    snapshot: green([review(5, { state: 'commented', comments: 0 })]),
    expect: { kind: 'merge' },
  },
  {
    name: 'the writer approved after asking → nothing open → merge',
    snapshot: green([review(5), review(6, { state: 'approved', submittedAt: NOW })]),
    expect: { kind: 'merge' },
  },
  {
    name: 'a round answered it → merge',
    snapshot: green([review(5)], [N.codeDone, N.merge], loopState({ review: { rounds: 1, addressed: [5] } })),
    expect: { kind: 'merge' },
  },
  {
    name: 'a new request after a round → round 2',
    snapshot: green([review(5), review(7)], [N.codeDone, N.merge], loopState({ review: { rounds: 1, addressed: [5] } })),
    expect: { kind: 'address-review', reviews: [7], round: 2 },
  },
  {
    name: 'rounds used up → escalate with what is still open; never a merge',
    snapshot: green([review(5), review(7)], [N.codeDone, N.merge], loopState({ review: { rounds: 3, addressed: [5] } })),
    expect: { kind: 'escalate', item: 1, pull: 10, cause: 'review-rounds', reviews: [7] },
    reason: /after 3 review round\(s\) \(max-review-rounds: 3\): review 7 by @maria/,
  },
  {
    name: 'max-review-rounds 0 → a request goes straight to a human',
    snapshot: green([review(5)]),
    config: { maxReviewRounds: 0 },
    expect: { kind: 'escalate', cause: 'review-rounds' },
  },
  {
    name: 'a review by someone without write access → said once (reviews-ignored), not acted on',
    snapshot: green([review(5, { author: triager, permission: 'triage' })]),
    expect: { kind: 'reviews-ignored', reviews: [5] },
  },
  {
    name: '… and once said, it is not said again → merge',
    snapshot: green(
      [review(5, { author: triager, permission: 'read' })],
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 0, addressed: [], ignored: [5] } }),
    ),
    expect: { kind: 'merge' },
  },
  {
    name: 'a reviewer whose permission could not be read is neither obeyed nor told off',
    snapshot: green([review(5, { permission: 'unknown' })]),
    expect: { kind: 'merge' },
  },
  {
    name: 'agentloop’s own reviews (its thread replies) ask for nothing',
    snapshot: green([review(5, { author: { login: 'github-actions[bot]', type: 'Bot' }, permission: 'none' })]),
    expect: { kind: 'merge' },
  },
  {
    name: 'a round lost after its push (the head moved since its claim) counts as answered',
    snapshot: green(
      [review(5)],
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 0, addressed: [], pending: { round: 1, reviews: [5], fromSha: 'old0' } } }),
    ),
    expect: { kind: 'merge' },
  },
  {
    name: 'a round lost before its push (same head) is tried again',
    snapshot: green(
      [review(5)],
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 0, addressed: [], pending: { round: 1, reviews: [5], fromSha: HEAD } } }),
    ),
    expect: { kind: 'address-review', reviews: [5], round: 1 },
  },
  {
    name: 'reviews not read this run (no merge asked, no review event) decide nothing about reviews',
    snapshot: green(undefined, [N.codeDone]),
    expect: { kind: 'none' },
  },
  {
    name: 'a review event on a PR whose CI is still running → the round starts anyway',
    snapshot: snap({
      issues: [issue(1, [N.codeCiPending])],
      pulls: [
        pull(10, {
          issueNumber: 1,
          reviews: [review(5)],
          ci: { sha: HEAD, status: 'pending', failing: [], pending: ['test'], missing: [] },
        }),
      ],
    }),
    event: reviewed,
    expect: { kind: 'address-review', reviews: [5] },
  },
  {
    name: 'NeedSupervisor holds the PR: no round',
    snapshot: green([review(5)], [N.codeDone, N.merge, N.needSupervisor]),
    expect: { kind: 'none' },
  },
  {
    name: 'review: agent, green, merge asked, not reviewed on this head → the reviewer agent first',
    snapshot: green([]),
    config: { review: 'agent' },
    expect: { kind: 'review', pull: 10, issue: 1, headSha: HEAD },
  },
  {
    name: 'review: agent approved this head → merge',
    snapshot: green(
      [],
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 0, addressed: [], agent: { sha: HEAD, verdict: 'approve', reviewId: 9 } } }),
    ),
    config: { review: 'agent' },
    expect: { kind: 'merge' },
  },
  {
    name: 'review: agent asked for changes on this head → address-review of its review, counted as a round',
    snapshot: green(
      undefined,
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 0, addressed: [], agent: { sha: HEAD, verdict: 'request_changes', reviewId: 9 } } }),
    ),
    config: { review: 'agent' },
    expect: { kind: 'address-review', reviews: [9], round: 1 },
  },
  {
    name: 'review: agent’s verdict on an older head → it reviews the new one',
    snapshot: green(
      [],
      [N.codeDone, N.merge],
      loopState({ review: { rounds: 1, addressed: [9], agent: { sha: 'old0', verdict: 'request_changes', reviewId: 9 } } }),
    ),
    config: { review: 'agent' },
    expect: { kind: 'review' },
  },
];

describe('decide: reviews', () => {
  for (const row of rows)
    it(row.name, () => {
      const decision = decide(row.snapshot, row.event ?? dispatch, cfg({ lane: 'code', ...row.config }));
      expect(decision.transition).toMatchObject(row.expect);
      expect(decision.transition.reason).not.toMatch(/\n/);
      if (row.reason) expect(decision.transition.reason).toMatch(row.reason);
    });
});

describe('reviews, read from the forge', () => {
  it('GitHub’s and Forgejo’s review events are review events on the PR', () => {
    for (const name of [
      'pull_request_review',
      'pull_request_review_comment',
      'pull_request_review_rejected',
      'pull_request_review_approved',
    ])
      expect(normalizeEvent(name, { action: 'submitted', pull_request: { number: 10 }, sender: { login: 'maria' } })).toEqual({
        kind: 'review',
        number: 10,
        sender: { login: 'maria', type: 'User' },
      });
  });
  it('a round counts once its push landed', () => {
    const pending = { round: 2, reviews: [7], fromSha: 'old0' };
    expect(reviewRecord(loopState({ review: { rounds: 1, addressed: [5], pending } }), HEAD)).toEqual({ rounds: 2, addressed: [5, 7] });
    expect(reviewRecord(loopState({ review: { rounds: 1, addressed: [5], pending } }), 'old0')).toEqual({ rounds: 1, addressed: [5] });
  });
});
