// PR reviews outside the adapters' contract tests: the dry-run boundary (reads pass, writes are logged and
// skipped) and the Forgejo mapping helpers (threads by file and line, the quoted answer).
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import type { ReviewCommentData } from '../../src/core/model.js';
import { forgejoReplyBody, threadReviewComments, toForgejoReview } from '../../src/forge/forgejo-json.js';
import { dryRunForge } from '../../src/services/dry-run.js';
import { reviewComment } from '../support/forge-calls.js';
import { memoryForge } from '../support/memory-forge.js';

const comment = (over: Partial<ReviewCommentData>): ReviewCommentData => ({ ...reviewComment({ comment: 1 }), ...over });

describe('reviews in a dry run', () => {
  it('reads pass through; createReview and replyToReviewComment write nothing and say what they would do', async () => {
    const real = memoryForge();
    real.reviews.set(3, [
      { id: 1, author: { login: 'tom', type: 'User' }, state: 'approved', body: '', commitSha: 'abc', submittedAt: '', htmlUrl: '' },
    ]);
    const lines: string[] = [];
    const log: Logger = { info: (m) => lines.push(m), warning: () => {}, error: () => {}, group: (_n, fn) => fn() };
    const forge = dryRunForge(real, log);

    expect(await forge.listReviews(3)).toMatchObject([{ id: 1, state: 'approved' }]);
    expect(await forge.listReviewComments(3)).toEqual([]);
    const review = await forge.createReview(3, { event: 'request_changes', body: 'Fix it.', commitSha: 'abc', comments: [] });
    expect(review).toMatchObject({ id: -1, state: 'changes_requested', body: 'Fix it.', commitSha: 'abc' });
    expect(await forge.replyToReviewComment(3, comment({}), 'Done.')).toBeUndefined();

    expect(real.writes).toEqual([]);
    expect(real.reviews.get(3)).toHaveLength(1);
    expect(lines).toEqual([
      expect.stringMatching(/^\[dry-run\] would call createReview\(3, \{"event":"request_changes"/),
      expect.stringMatching(/^\[dry-run\] would call replyToReviewComment\(3, .*"Done\."\)$/),
    ]);
  });
});

describe('Forgejo review mapping', () => {
  it('threads comments by file and line, oldest first; a comment on the old side (no line) stays alone', () => {
    const threaded = threadReviewComments([
      comment({ id: 9, path: 'a.js', line: 3 }),
      comment({ id: 4, path: 'a.js', line: 3 }),
      comment({ id: 5, path: 'b.js', line: 3 }),
      comment({ id: 6, path: 'a.js', line: null }),
      comment({ id: 7, path: 'a.js', line: null }),
    ]);
    expect(threaded.map((c) => [c.id, c.inReplyTo])).toEqual([
      [4, undefined],
      [5, undefined],
      [6, undefined],
      [7, undefined],
      [9, 4],
    ]);
  });

  it('quotes the place and the first non-empty line of the comment answered, linked when it has a URL', () => {
    expect(forgejoReplyBody(comment({ body: '\n  Why subtract?  \nSecond line', htmlUrl: '' }), 'It adds now.')).toBe(
      '> `src/add.js:1`: Why subtract?\n\nIt adds now.',
    );
    expect(forgejoReplyBody(comment({ line: null, body: 'x'.repeat(300) }), 'ok')).toBe(
      `> [\`src/add.js\`](https://forge.example/o/r/pull/1#discussion_r1): ${'x'.repeat(200)}…\n\nok`,
    );
  });

  it('a dismissed review reads as dismissed; drafts, review requests and unknown states are no reviews', () => {
    const base = { id: 1, user: { login: 'tom' }, body: '', commit_id: 'abc', submitted_at: '', html_url: '' };
    expect(toForgejoReview({ ...base, state: 'APPROVED', dismissed: true })?.state).toBe('dismissed');
    expect(toForgejoReview({ ...base, state: 'COMMENT' })?.state).toBe('commented');
    for (const state of ['PENDING', 'REQUEST_REVIEW', '']) expect(toForgejoReview({ ...base, state })).toBeUndefined();
  });
});
