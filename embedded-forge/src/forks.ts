// The minimal fork model: a pull request whose head lives in another repository (`owner/name` of the
// fork). Its commits are kept here under refs/pull/N/head, as GitHub keeps them, so mergeability, CI
// checkouts and merges work; the fork itself is not served. Its `pull_request` runs get a read-only
// token and no secrets (runner: job-exec.ts).
import { createIssueRec, emitItem } from './api-items.js';
import type { ApiHost } from './api-router.js';
import * as git from './git-ops.js';
import type { PullRec, RepoState } from './state.js';

export interface ForkPullOptions {
  /** Who owns the fork (a person without write access here). */
  owner: string;
  /** The fork's branch. */
  branch: string;
  /** What the fork's commit changes on top of the base branch (null = delete). */
  files: Record<string, string | null>;
  title: string;
  body?: string;
  /** Default: the repository's default branch. */
  base?: string;
}

/** Opens a pull request from `<owner>/<name>:<branch>`, as its owner would (a `pull_request` opened event). */
export async function openForkPull(host: ApiHost, repo: RepoState, opts: ForkPullOptions): Promise<PullRec> {
  const base = opts.base ?? repo.defaultBranch;
  host.state.user(opts.owner);
  const issue = createIssueRec(host, repo, { title: opts.title, body: opts.body ?? '', user: opts.owner, isPull: true });
  const headRef = `refs/pull/${issue.number}/head`;
  const author = { name: opts.owner, email: `${opts.owner}@users.noreply.embedded-forge.invalid` };
  const headSha = await git.commitFiles(repo.gitDir, headRef, opts.files, opts.title, { from: base, author });
  const pull: PullRec = {
    number: issue.number,
    head: opts.branch,
    headRef,
    base,
    headSha,
    headRepo: `${opts.owner}/${repo.name}`,
    draft: false,
    merged: false,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
  };
  repo.pulls.set(issue.number, pull);
  await emitItem(host, repo, issue, 'opened', { login: opts.owner, automatic: false, kind: 'classic' });
  return pull;
}
