// PR reviews, the Forgejo way (the Forge methods listReviews, listReviewComments, createReview,
// replyToReviewComment), over the adapter's HTTP client. Routes are literal templates of the v15.0.3
// swagger, as in forgejo.ts, for the contract test.
import type { NewReview, ReviewCommentData, ReviewData } from '../core/model.js';
import type { ForgejoClient } from './forgejo-http.js';
import {
  type ForgejoReview,
  type ForgejoReviewComment,
  forgejoReplyBody,
  threadReviewComments,
  toForgejoReview,
  toForgejoReviewComment,
} from './forgejo-json.js';

/** CreatePullReviewOptions.event (ReviewStateType). */
const EVENTS = { approve: 'APPROVED', request_changes: 'REQUEST_CHANGES', comment: 'COMMENT' } as const;

function reviews(client: ForgejoClient, repoPath: string, pull: number): Promise<ForgejoReview[]> {
  // Oldest first (models/issues/review_list.go FindReviews orders by created_unix).
  return client.paginate<ForgejoReview>(`${repoPath}/pulls/${pull}/reviews`);
}

export async function listReviews(client: ForgejoClient, repoPath: string, pull: number): Promise<ReviewData[]> {
  return (await reviews(client, repoPath, pull)).flatMap((r) => toForgejoReview(r) ?? []);
}

export async function listReviewComments(client: ForgejoClient, repoPath: string, pull: number): Promise<ReviewCommentData[]> {
  const comments: ReviewCommentData[] = [];
  for (const review of await reviews(client, repoPath, pull)) {
    // Only submitted reviews, and only those that hold code comments (`comments_count`): one request each.
    if (!toForgejoReview(review) || review.comments_count === 0) continue;
    const { data } = await client.request<ForgejoReviewComment[] | null>('GET', `${repoPath}/pulls/${pull}/reviews/${review.id}/comments`);
    comments.push(...(data ?? []).map(toForgejoReviewComment));
  }
  return threadReviewComments(comments);
}

export async function createReview(client: ForgejoClient, repoPath: string, pull: number, review: NewReview): Promise<ReviewData> {
  // new_position is the line in the new file (routers/api/v1/repo/pull_review.go CreatePullReview passes it
  // to CreateCodeComment as the line; old_position would be a line of the old file).
  const comments = review.comments.map((c) => ({ path: c.path, body: c.body, new_position: c.line }));
  const { data } = await client.request<ForgejoReview>('POST', `${repoPath}/pulls/${pull}/reviews`, {
    body: { event: EVENTS[review.event], body: review.body, commit_id: review.commitSha, ...(comments.length ? { comments } : {}) },
  });
  const created = toForgejoReview(data);
  if (!created) throw new Error(`Forgejo answered review ${data.id} on #${pull} in state ${data.state}, not a submitted review.`);
  return created;
}

/** No reply in Forgejo's API (agentloop does not use POST …/reviews/{id}/comments): a PR comment quoting the thread. */
export async function replyToReviewComment(
  client: ForgejoClient,
  repoPath: string,
  pull: number,
  comment: ReviewCommentData,
  body: string,
): Promise<void> {
  await client.request('POST', `${repoPath}/issues/${pull}/comments`, { body: { body: forgejoReplyBody(comment, body) } });
}
