// Forgejo-mode routes for pull request reviews: list them, list one review's code comments, submit one
// (APPROVED / REQUEST_CHANGES / COMMENT with `comments: [{path, body, new_position}]`). Behaviour from
// Forgejo's routers/api/v1/repo/pull_review.go (CreatePullReview, preparePullReviewType) and
// services/pull/review.go:
// - reviews need a token and read access to the code (routers/api/v1/api.go: the /pulls group);
// - the PR's poster may not approve ("approve your own pull is not allowed") or request changes ("reject
//   your own pull is not allowed"): 422;
// - REQUEST_CHANGES needs a body, COMMENT a body or a comment: 422;
// - `new_position` is the line in the new file; a line outside the diff is accepted (its patch is then
//   empty: modules/git/diff.go CutDiffAroundLine finds no hunk), and `commit_id` is not checked;
// - no reply endpoint is modelled (agentloop answers with a PR comment).
// Submitting sends the webhook pull_request_review_approved, _rejected or _comment with action `reviewed`
// (services/actions/notifier.go PullRequestReview); code comments send no event of their own.
import { roleAllows } from './access.js';
import { num, pullOf } from './api-items.js';
import { forgejoEmitReview } from './forgejo-events.js';
import { fReview, fReviewComment } from './forgejo-json.js';
import { forgejoRole, forgejoRouteList } from './forgejo-router.js';
import { HttpError } from './http-util.js';
import { diffLines } from './review-lines.js';
import type { ReviewCommentRec, ReviewRec } from './state.js';

const { routes, route } = forgejoRouteList();
const notFound = () => new HttpError(404, "The target couldn't be found.", { errors: [] });

const STATES = { APPROVED: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as const;

/** Official: an approval or rejection by someone who may write (models/issues/review.go IsOfficialReviewer). */
const official = (r: ReviewRec, role: Parameters<typeof roleAllows>[0]) => r.state !== 'COMMENTED' && roleAllows(role, 'write');

route('GET', '/repos/{owner}/{repo}/pulls/{index}/reviews', 'read', (forge, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.index));
  const role = (login: string) => forgejoRole(repo, { login, automatic: false, kind: 'classic' });
  const items = repo.reviews
    .filter((r) => r.pull === pull.number)
    .map((r) => fReview(forge.state, repo, r, forge.urls, official(r, role(r.user))));
  return { status: 200, list: items };
});

route('GET', '/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments', 'read', (forge, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.index));
  const review = repo.reviews.find((r) => r.id === num(req.params.id));
  if (!review || review.pull !== pull.number) throw notFound();
  const items = repo.reviewComments.filter((c) => c.reviewId === review.id).map((c) => fReviewComment(forge.state, repo, c, forge.urls));
  return { status: 200, body: items };
});

route('POST', '/repos/{owner}/{repo}/pulls/{index}/reviews', 'read', async (forge, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.index));
  const token = req.token!;
  const body = req.body as {
    event?: string;
    body?: string;
    commit_id?: string;
    comments?: { path?: string; body?: string; new_position?: number; old_position?: number }[];
  };
  const event = body.event as keyof typeof STATES | undefined;
  // Any other event makes a PENDING review, to be submitted later: not modelled (agentloop always submits).
  if (!event || !(event in STATES)) throw new HttpError(422, 'The embedded forge does not model pending reviews: send an event.');
  const own = issue.user.toLowerCase() === token.login.toLowerCase();
  if (own && event === 'APPROVED') throw new HttpError(422, 'approve your own pull is not allowed');
  if (own && event === 'REQUEST_CHANGES') throw new HttpError(422, 'reject your own pull is not allowed');
  const comments = body.comments ?? [];
  const hasBody = (body.body ?? '').trim() !== '';
  if (event === 'COMMENT' && !hasBody && comments.length === 0)
    throw new HttpError(422, `review event ${event} requires a body or a comment`);
  if (event === 'REQUEST_CHANGES' && !hasBody) throw new HttpError(422, `review event ${event} requires a body`);
  if (comments.some((c) => (c.old_position ?? 0) > 0 || !c.new_position))
    throw new HttpError(422, 'The embedded forge models comments on lines of the new file only: send new_position.');
  // An empty commit_id means the head.
  const commitId = body.commit_id || pull.headSha;
  const at = forge.state.now();
  const review: ReviewRec = {
    id: forge.state.id(),
    pull: pull.number,
    user: token.login,
    state: STATES[event],
    dismissed: false,
    body: body.body ?? '',
    commitId,
    submittedAt: at,
  };
  const patches = new Map<string, Map<number, string>>();
  for (const c of comments) {
    const path = c.path ?? '';
    // The patch is cut from the diff between the merge base and the head (services/pull/review.go).
    if (!patches.has(path)) patches.set(path, await diffLines(repo.gitDir, `refs/heads/${pull.base}`, pull.headSha, path));
    const rec: ReviewCommentRec = {
      id: forge.state.id(),
      pull: pull.number,
      reviewId: review.id,
      user: token.login,
      body: c.body ?? '',
      path,
      line: c.new_position!,
      commitId,
      diffHunk: patches.get(path)!.get(c.new_position!) ?? '',
      createdAt: at,
      updatedAt: at,
    };
    repo.reviewComments.push(rec);
  }
  repo.reviews.push(review);
  await forgejoEmitReview(forge, repo, issue, review, token);
  return { status: 200, body: fReview(forge.state, repo, review, forge.urls, official(review, forgejoRole(repo, token))) };
});

export const forgejoReviewRoutes = routes;
