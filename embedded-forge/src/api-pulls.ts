// REST routes for pull requests: list, open, read, merge (merge/squash/rebase with GitHub's refusals),
// update-branch (202, then the branch moves a little later), and deleting a branch ref. The workflow
// token opens PRs only where the repository allows it; installation tokens and fine-grained PATs merge
// or update a branch only when that writes no workflow file, or with the `workflows` permission.

import { isFineGrained, notAccessible } from './access.js';
import { createIssueRec, emitItem, issueOf, itemJsonFor, now, num, pullOf } from './api-items.js';
import { routeList } from './api-router.js';
import * as git from './git-ops.js';
import { pullJson } from './github-json.js';
import { HttpError } from './http-util.js';
import { headRefOf } from './pull-state.js';
import { refusedMergeFile, workflowRefusal, workflowRuleFor } from './push-rules.js';
import type { PullRec } from './state.js';

const { routes, route } = routeList();

route('GET', '/repos/{owner}/{repo}/pulls', async (host, repo, req) => {
  const state = req.url.searchParams.get('state') ?? 'open';
  const out = [];
  for (const [n, pull] of [...repo.pulls].sort((a, b) => b[0] - a[0])) {
    const issue = issueOf(repo, n);
    if (state !== 'all' && issue.state !== state) continue;
    // The list endpoint does not compute mergeability (as on GitHub).
    out.push(pullJson(host.state, repo, issue, pull, host.urls, { mergeable: null, mergeableState: 'unknown' }));
  }
  return { status: 200, list: out };
});

route('POST', '/repos/{owner}/{repo}/pulls', async (host, repo, req) => {
  const body = req.body as { title?: string; body?: string; head: string; base: string; draft?: boolean };
  if (req.token!.kind === 'workflow' && !repo.actions.canApprovePullRequestReviews) {
    // Settings → Actions → General: "Allow GitHub Actions to create and approve pull requests" is off.
    throw new HttpError(403, 'GitHub Actions is not permitted to create or approve pull requests.');
  }
  const head = body.head.includes(':') ? body.head.split(':')[1]! : body.head;
  const headSha = await git.revParse(repo.gitDir, `refs/heads/${head}`);
  if (!headSha || !(await git.revParse(repo.gitDir, `refs/heads/${body.base}`))) {
    throw new HttpError(422, 'Validation Failed', {
      errors: [{ resource: 'PullRequest', field: headSha ? 'base' : 'head', code: 'invalid' }],
    });
  }
  for (const [n, p] of repo.pulls) {
    if (p.head === head && p.base === body.base && issueOf(repo, n).state === 'open') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner}:${head}.` }],
      });
    }
  }
  const issue = createIssueRec(host, repo, { title: body.title ?? head, body: body.body ?? '', user: req.token!.login, isPull: true });
  const pull: PullRec = {
    number: issue.number,
    head,
    base: body.base,
    headSha,
    headRepo: `${repo.owner}/${repo.name}`,
    draft: !!body.draft,
    merged: false,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
  };
  repo.pulls.set(issue.number, pull);
  await emitItem(host, repo, issue, 'opened', req.token!);
  // Mergeability is computed in the background: the answer to the create never has it yet.
  return { status: 201, body: pullJson(host.state, repo, issue, pull, host.urls, { mergeable: null, mergeableState: 'unknown' }) };
});

route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', async (host, repo, req) => {
  const { issue } = pullOf(repo, num(req.params.pull_number));
  return { status: 200, body: await itemJsonFor(host, repo, issue) };
});

route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', async (host, repo, req) => {
  const { issue, pull } = pullOf(repo, num(req.params.pull_number));
  const body = req.body as { sha?: string; merge_method?: 'merge' | 'squash' | 'rebase'; commit_title?: string; commit_message?: string };
  if (pull.merged) throw new HttpError(405, 'Pull Request is not mergeable');
  if (issue.state !== 'open') throw new HttpError(422, 'Pull Request is not open');
  if (body.sha && body.sha !== pull.headSha) throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
  const state = await host.mergeState(repo, pull);
  if (state.mergeable === false || pull.draft) throw new HttpError(405, 'Pull Request is not mergeable');
  if (state.mergeableState === 'blocked')
    throw new HttpError(405, 'At least 1 approving review is required by reviewers with write access.');
  const rule = workflowRuleFor(req.token!);
  const file = rule ? await refusedMergeFile(repo.gitDir, pull.base, headRefOf(pull), rule) : undefined;
  if (rule && file !== undefined) {
    if (isFineGrained(req.token!)) throw notAccessible(req.token!, req.rule!.docs, [{ contents: 'write', workflows: 'write' }]);
    throw new HttpError(403, workflowRefusal(rule, file));
  }
  const before = await git.revParse(repo.gitDir, `refs/heads/${pull.base}`);
  let sha: string;
  try {
    const method = body.merge_method ?? 'merge';
    const title =
      body.commit_title ??
      (method === 'merge'
        ? `Merge pull request #${issue.number} from ${pull.headRepo.split('/')[0]}/${pull.head}`
        : `${issue.title} (#${issue.number})`);
    ({ sha } = await git.mergePull(repo.gitDir, {
      base: pull.base,
      head: headRefOf(pull),
      method,
      title,
      message: body.commit_message ?? issue.body ?? '',
    }));
  } catch (err) {
    if (err instanceof git.MergeConflictError || err instanceof git.NothingToMergeError)
      throw new HttpError(405, 'Pull Request is not mergeable');
    if (err instanceof git.RefChangedError) throw new HttpError(405, 'Base branch was modified. Review and try the merge again.');
    throw err;
  }
  const at = now(host);
  Object.assign(pull, { merged: true, mergedAt: at, mergeCommitSha: sha, mergedBy: req.token!.login });
  Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
  repo.events.push({ id: host.state.id(), issue: issue.number, event: 'merged', actor: req.token!.login, createdAt: at });
  await emitItem(host, repo, issue, 'closed', req.token!);
  host.branchMoved(repo, `refs/heads/${pull.base}`, before, sha, req.token);
  return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
});

route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/update-branch', async (host, repo, req) => {
  const { pull } = pullOf(repo, num(req.params.pull_number));
  const expected = req.body.expected_head_sha as string | undefined;
  if (expected && expected !== pull.headSha) throw new HttpError(422, 'expected_head_sha does not match the head of the pull request');
  if (pull.headRef !== undefined)
    throw new HttpError(422, 'The head of this pull request is in a fork, which the embedded forge does not update.');
  const state = await git.mergeability(repo.gitDir, pull.base, pull.head);
  if (state.behindBy === 0) throw new HttpError(422, 'There are no new commits on the base branch.');
  if (!state.mergeable) throw new HttpError(422, 'merge conflict between base and head');
  // The merge commit brings the base's workflow changes into the head branch.
  const rule = workflowRuleFor(req.token!);
  const file = rule ? await refusedMergeFile(repo.gitDir, pull.head, pull.base, rule) : undefined;
  if (rule && file !== undefined) throw new HttpError(403, workflowRefusal(rule, file));
  // 202 Accepted: GitHub merges in the background; the head moves a little later (never in this request).
  const token = req.token;
  host.background(async () => {
    const before = pull.headSha;
    const sha = await git.updateBranch(repo.gitDir, {
      base: pull.base,
      head: pull.head,
      ...(expected ? { expectedHeadSha: expected } : {}),
    });
    if (sha !== before) host.branchMoved(repo, `refs/heads/${pull.head}`, before, sha, token);
  });
  return {
    status: 202,
    body: { message: 'Updating pull request branch.', url: `${host.urls.web}/${repo.owner}/${repo.name}/pull/${pull.number}` },
  };
});

route('DELETE', '/repos/{owner}/{repo}/git/refs/{ref}', async (host, repo, req) => {
  const ref = `refs/${req.params.ref!}`;
  const before = await git.revParse(repo.gitDir, ref);
  if (!before) throw new HttpError(422, 'Reference does not exist');
  await git.deleteRef(repo.gitDir, ref);
  host.branchMoved(repo, ref, before, null, req.token);
  return { status: 204 };
});

export const pullRoutes = routes;
