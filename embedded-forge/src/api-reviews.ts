// REST routes for pull request reviews and review comments (docs: "REST API endpoints for pull request
// reviews" and "… for pull request review comments"): list reviews, list line comments, submit a review
// (APPROVE / REQUEST_CHANGES / COMMENT with comments on lines of the new file) and reply in a thread.
// GitHub's refusals, each 422 {"message":"Unprocessable Entity","errors":[…]} with its words:
// - the PR's author approving or requesting changes on it ("Can not approve your own pull request");
// - the workflow token approving while "Allow GitHub Actions to create and approve pull requests" is off;
// - a comment on a line outside the PR's diff (the review is all or nothing).
// A `commit_id` that is not the head is accepted: the review is attached to that commit ("Not using the
// latest commit SHA may render your review comment outdated", the operation's docs), its lines checked
// against that commit's diff. Events: `pull_request_review` submitted (state in lower case) and
// `pull_request_review_comment` created per comment; a reply is a new COMMENTED review holding it, so it
// sends both (GitHub does the same for a single comment).
import { emitPayload, itemJsonFor, now, num, pullOf } from './api-items.js';
import { type ApiHost, routeList } from './api-router.js';
import * as git from './git-ops.js';
import { reviewCommentJson, reviewJson } from './github-json.js';
import { HttpError, notFound } from './http-util.js';
import { diffLines } from './review-lines.js';
import type { IssueRec, PullRec, RepoState, ReviewCommentRec, ReviewRec, TokenRec } from './state.js';

const { routes, route } = routeList();

const unprocessable = (error: string) => new HttpError(422, 'Unprocessable Entity', { errors: [error] });

const STATES = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as const;

interface NewComment {
  path: string;
  body: string;
  line?: number;
  side?: string;
  position?: number;
  start_line?: number;
}

route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (host, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.pull_number));
  // "The list of reviews returns in chronological order."
  const items = repo.reviews.filter((r) => r.pull === pull.number).map((r) => reviewJson(host.state, repo, r, host.urls));
  return { status: 200, list: items };
});

route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments', (host, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.pull_number));
  // "By default, review comments are in ascending order by ID."
  const items = repo.reviewComments
    .filter((c) => c.pull === pull.number)
    .sort((a, b) => a.id - b.id)
    .map((c) => reviewCommentJson(host.state, repo, c, host.urls));
  return { status: 200, list: items };
});

route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', async (host, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.pull_number));
  const body = req.body as { commit_id?: string; body?: string; event?: keyof typeof STATES; comments?: NewComment[] };
  const token = req.token!;
  // No event leaves a PENDING review to submit later: not modelled (agentloop always submits).
  if (!body.event) throw new HttpError(422, 'The embedded forge does not model pending reviews: send an event.');
  const own = issue.user.toLowerCase() === token.login.toLowerCase();
  if (own && body.event === 'APPROVE') throw unprocessable('Can not approve your own pull request');
  if (own && body.event === 'REQUEST_CHANGES') throw unprocessable('Can not request changes on your own pull request');
  if (body.event === 'APPROVE' && token.kind === 'workflow' && !repo.actions.canApprovePullRequestReviews)
    throw unprocessable('GitHub Actions is not permitted to approve pull requests.');
  const comments = body.comments ?? [];
  // "**Required** when using REQUEST_CHANGES or COMMENT" (the operation's docs; a COMMENT that carries line
  // comments is accepted without one). GitHub's exact words for this refusal are not known here.
  if (!body.body?.trim() && (body.event === 'REQUEST_CHANGES' || (body.event === 'COMMENT' && comments.length === 0)))
    throw unprocessable(`A body is required to ${body.event === 'REQUEST_CHANGES' ? 'request changes' : 'comment'}`);
  let commitId = pull.headSha;
  if (body.commit_id !== undefined) {
    const found = await git.revParse(repo.gitDir, body.commit_id);
    // Wording assumed: GitHub refuses a commit it does not have.
    if (!found) throw unprocessable(`No commit found for SHA: ${body.commit_id}`);
    commitId = found;
  }
  const hunks = await linesOf(repo, pull, commitId, comments);
  const at = now(host);
  const review = addReview(host, repo, pull, token.login, STATES[body.event], body.body ?? '', commitId);
  const added = comments.map((c) =>
    addComment(host, repo, {
      pull: pull.number,
      reviewId: review.id,
      user: token.login,
      body: c.body,
      path: c.path,
      line: c.line!,
      commitId,
      diffHunk: hunks.get(c)!,
      createdAt: at,
    }),
  );
  await emitReview(host, repo, issue, review, added, token);
  return { status: 200, body: reviewJson(host.state, repo, review, host.urls) };
});

route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', async (host, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.pull_number));
  const first = repo.reviewComments.find((c) => c.id === num(req.params.comment_id) && c.pull === pull.number);
  // "This must be the ID of a top-level review comment, not a reply to that comment. Replies to replies are
  // not supported." The operation's only refusal is 404.
  if (!first || first.inReplyTo !== undefined) throw notFound();
  const token = req.token!;
  const review = addReview(host, repo, pull, token.login, 'COMMENTED', '', first.commitId);
  const reply = addComment(host, repo, {
    pull: pull.number,
    reviewId: review.id,
    user: token.login,
    body: String(req.body.body),
    path: first.path,
    line: first.line,
    commitId: first.commitId,
    diffHunk: first.diffHunk,
    inReplyTo: first.id,
    createdAt: now(host),
  });
  await emitReview(host, repo, issue, review, [reply], token);
  return { status: 201, body: reviewCommentJson(host.state, repo, reply, host.urls) };
});

/** Each comment's diff hunk; a comment GitHub could not place refuses the whole review. */
async function linesOf(repo: RepoState, pull: PullRec, commit: string, comments: NewComment[]): Promise<Map<NewComment, string>> {
  const out = new Map<NewComment, string>();
  const byPath = new Map<string, Map<number, string>>();
  for (const c of comments) {
    if (c.position !== undefined || c.start_line !== undefined || c.side === 'LEFT' || c.line === undefined)
      throw new HttpError(422, 'The embedded forge models single-line comments on the new file only: send `line` with side RIGHT.');
    let lines = byPath.get(c.path);
    if (!lines) {
      lines = await diffLines(repo.gitDir, `refs/heads/${pull.base}`, commit, c.path);
      byPath.set(c.path, lines);
    }
    const hunk = lines.get(c.line);
    if (hunk === undefined)
      throw unprocessable(
        "Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank",
      );
    out.set(c, hunk);
  }
  return out;
}

function addReview(host: ApiHost, repo: RepoState, pull: PullRec, user: string, state: ReviewRec['state'], body: string, commitId: string) {
  const review: ReviewRec = {
    id: host.state.id(),
    pull: pull.number,
    user,
    state,
    dismissed: false,
    body,
    commitId,
    submittedAt: now(host),
  };
  repo.reviews.push(review);
  return review;
}

function addComment(host: ApiHost, repo: RepoState, c: Omit<ReviewCommentRec, 'id' | 'updatedAt'>): ReviewCommentRec {
  const rec: ReviewCommentRec = { id: host.state.id(), ...c, updatedAt: c.createdAt };
  repo.reviewComments.push(rec);
  return rec;
}

/** `pull_request_review` submitted, then `pull_request_review_comment` created for each line comment. */
async function emitReview(host: ApiHost, repo: RepoState, issue: IssueRec, review: ReviewRec, comments: ReviewCommentRec[], t: TokenRec) {
  const pull = await itemJsonFor(host, repo, issue);
  // Like `pull_request`: GITHUB_REF is the PR's merge branch, GITHUB_SHA its last merge commit (the head stands in).
  const at = { ref: `refs/pull/${issue.number}/merge`, sha: repo.pulls.get(issue.number)!.headSha };
  emitPayload(
    host,
    repo,
    'pull_request_review',
    'submitted',
    { review: reviewJson(host.state, repo, review, host.urls, 'webhook'), pull_request: pull },
    t,
    at,
  );
  for (const c of comments)
    emitPayload(
      host,
      repo,
      'pull_request_review_comment',
      'created',
      { comment: reviewCommentJson(host.state, repo, c, host.urls), pull_request: pull },
      t,
      at,
    );
}

export const reviewRoutes = routes;
