// What agentloop takes from the agents' answers on reviews: thread answers (address-review) and the
// reviewer agent's verdict (review).
import { describe, expect, it } from 'vitest';
import type { ReviewCommentData } from '../../src/core/model.js';
import { threadAnswers } from '../../src/core/review-answers.js';
import { readVerdict } from '../../src/core/review-verdict.js';

const thread = (id: number): ReviewCommentData => ({
  id,
  reviewId: 1,
  author: { login: 'maria', type: 'User' },
  body: 'x',
  path: 'a.js',
  line: 2,
  createdAt: '',
  htmlUrl: '',
});

describe('thread answers', () => {
  it('one answer per named thread it was given; other ids and lines are ignored', () => {
    const message = [
      'Renamed things.',
      '',
      '[11] Done.',
      '- [12]: Kept it: see the test.',
      '[11] Again.',
      '[99] Not a thread.',
      'no id here',
    ].join('\n');
    expect(threadAnswers(message, [thread(11), thread(12), thread(13)]).map((a) => [a.comment.id, a.answer])).toEqual([
      [11, 'Done.'],
      [12, 'Kept it: see the test.'],
    ]);
  });
});

describe('the reviewer agent’s verdict', () => {
  it('reads the JSON object, fenced or bare, with defaults', () => {
    expect(readVerdict('Here:\n```json\n{"verdict":"approve"}\n```')).toEqual({
      ok: true,
      verdict: { verdict: 'approve', summary: '', comments: [] },
    });
    const v = readVerdict('{"verdict":"request_changes","summary":"s","comments":[{"path":"a.js","line":3,"body":"b"}]}');
    expect(v.ok && v.verdict.comments).toEqual([{ path: 'a.js', line: 3, body: 'b' }]);
  });
  it('says what is wrong with an answer it cannot use', () => {
    expect(readVerdict('Looks good to me!')).toEqual({
      ok: false,
      problem: 'its answer is not the JSON object the review prompt asks for',
    });
    expect(readVerdict('{"verdict":"merge it"}')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^its answer does not fit: verdict: /),
    });
    expect(readVerdict('{"verdict":"approve","comments":[{"path":"a.js","line":0,"body":"b"}]}')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/comments\.0\.line/),
    });
  });
});
