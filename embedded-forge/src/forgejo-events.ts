// Forgejo-mode events for the workflow runner: `issues` / `pull_request` with Forgejo's payloads
// (IssuePayload / PullRequestPayload of modules/structs/hook.go): label changes are `label_updated` or
// `label_cleared` with a `label` object (since Forgejo v9.0.2), pushes to a PR's head `synchronized`.
// There is no `workflow_run` event (the runner's Forgejo flavour never emits one). A submitted review
// is delivered under its webhook name (pull_request_review_approved, _rejected, _comment).

import { fIssue, fPull, fRepo, fUser } from './forgejo-json.js';
import * as git from './git-ops.js';
import type { EmbeddedForge } from './server.js';
import type { IssueRec, PullRec, RepoState, ReviewRec, TokenRec } from './state.js';

/** A PR as Forgejo answers it now: `mergeable` false while the check runs (null reads) or on conflict. */
export async function forgejoPullJson(forge: EmbeddedForge, repo: RepoState, issue: IssueRec, pull: PullRec) {
  const state = await forge.mergeState(repo, pull);
  const baseSha = (await git.revParse(repo.gitDir, `refs/heads/${pull.base}`)) ?? '';
  return fPull(forge.state, repo, issue, pull, forge.urls, state.mergeable === true, baseSha);
}

export async function forgejoEmit(
  forge: EmbeddedForge,
  repo: RepoState,
  issue: IssueRec,
  action: string,
  token: TokenRec,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const pull = repo.pulls.get(issue.number);
  const item = pull
    ? { pull_request: await forgejoPullJson(forge, repo, issue, pull) }
    : { issue: fIssue(forge.state, repo, issue, forge.urls) };
  forge.emit(
    {
      name: pull ? 'pull_request' : 'issues',
      action,
      payload: {
        action,
        number: issue.number,
        ...item,
        ...extra,
        repository: fRepo(forge.state, repo, forge.urls),
        sender: fUser(forge.state, token.login, forge.urls),
      },
      actor: token.login,
      automatic: token.automatic,
    },
    repo,
  );
}

const REVIEW_HOOKS: Record<ReviewRec['state'], string> = {
  APPROVED: 'pull_request_review_approved',
  CHANGES_REQUESTED: 'pull_request_review_rejected',
  COMMENTED: 'pull_request_review_comment',
};

/**
 * A submitted review, as services/actions/notifier.go PullRequestReview sends it: the hook type of the
 * review, action `reviewed`, a PullRequestPayload with `review: {type, content}`, and the reviewed commit
 * as the ref (WithRef(review.CommitID)): the workflows are read at that commit.
 */
export async function forgejoEmitReview(forge: EmbeddedForge, repo: RepoState, issue: IssueRec, review: ReviewRec, token: TokenRec) {
  const pull = repo.pulls.get(issue.number)!;
  const hook = REVIEW_HOOKS[review.state];
  forge.emit(
    {
      name: hook,
      action: 'reviewed',
      payload: {
        action: 'reviewed',
        number: issue.number,
        pull_request: await forgejoPullJson(forge, repo, issue, pull),
        repository: fRepo(forge.state, repo, forge.urls),
        sender: fUser(forge.state, token.login, forge.urls),
        review: { type: hook, content: review.body },
      },
      actor: token.login,
      automatic: token.automatic,
      ref: review.commitId,
      sha: review.commitId,
    },
    repo,
  );
}
