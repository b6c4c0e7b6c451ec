// PR reviews, the GitHub way (the Forge methods listReviews, listReviewComments, createReview,
// replyToReviewComment): each call names its literal REST route, as in github.ts, for the contract test.
import type { NewReview, ReviewCommentData, ReviewData } from '../core/model.js';
import { PER_PAGE, toReview, toReviewComment } from './github-json.js';
import type { AgentloopOctokit } from './octokit.js';

type Repo = { owner: string; repo: string };

/** A create that failed with 5xx may still have happened: retrying blindly could duplicate it. */
const NO_BLIND_RETRY = { request: { retries: 0 } } as const;

const EVENTS = { approve: 'APPROVE', request_changes: 'REQUEST_CHANGES', comment: 'COMMENT' } as const;

export async function listReviews(octokit: AgentloopOctokit, r: Repo, pull: number): Promise<ReviewData[]> {
  const items = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...r,
    pull_number: pull,
    per_page: PER_PAGE,
  });
  return items.flatMap((review) => toReview(review) ?? []);
}

export async function listReviewComments(octokit: AgentloopOctokit, r: Repo, pull: number): Promise<ReviewCommentData[]> {
  // Ascending by id by default: oldest first, a thread's first comment before its replies.
  const items = await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', {
    ...r,
    pull_number: pull,
    per_page: PER_PAGE,
  });
  return items.map(toReviewComment);
}

export async function createReview(octokit: AgentloopOctokit, r: Repo, pull: number, review: NewReview): Promise<ReviewData> {
  // `line` + side RIGHT: a line of the new file (the deprecated `position` counts diff lines instead).
  const comments = review.comments.map((c) => ({ path: c.path, line: c.line, side: 'RIGHT' as const, body: c.body }));
  const { data } = await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...r,
    pull_number: pull,
    event: EVENTS[review.event],
    commit_id: review.commitSha,
    body: review.body,
    ...(comments.length ? { comments } : {}),
    ...NO_BLIND_RETRY,
  });
  const created = toReview(data);
  if (!created) throw new Error(`GitHub answered review ${data.id} on #${pull} in state ${data.state}, not a submitted review.`);
  return created;
}

export async function replyToReviewComment(
  octokit: AgentloopOctokit,
  r: Repo,
  pull: number,
  comment: ReviewCommentData,
  body: string,
): Promise<void> {
  // "This must be the ID of a top-level review comment, not a reply to that comment" (the endpoint's docs).
  await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', {
    ...r,
    pull_number: pull,
    comment_id: comment.inReplyTo ?? comment.id,
    body,
    ...NO_BLIND_RETRY,
  });
}
