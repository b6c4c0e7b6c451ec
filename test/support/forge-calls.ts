// One call of each Forge method, for the tests that must cover the whole interface (the adapters'
// contract tests, the lanes' permission table). The ids name whatever the test's fake forge answers.
import type { ReviewCommentData } from '../../src/core/model.js';
import type { Forge } from '../../src/forge/forge.js';

export type ForgeMethod = Exclude<keyof Forge, 'kind' | 'repoRef' | 'stats' | 'limits'>;

export interface CallIds {
  issue: number;
  pull: number;
  comment: number;
  run: number;
  job: number;
  sha: string;
  /** Whose permission is asked. */
  user: string;
  /** The label the created issue gets (and the adapter then verifies). */
  issueLabel: string;
  logLines: number;
}

/** A review thread's first comment as listReviewComments returns it (the one replyToReviewComment answers). */
export function reviewComment(ids: Pick<CallIds, 'comment'>): ReviewCommentData {
  return {
    id: ids.comment,
    reviewId: 80,
    author: { login: 'octocat', type: 'User' },
    body: 'This subtracts.\nShould it add?',
    path: 'src/add.js',
    line: 1,
    createdAt: '2026-01-01T00:00:00Z',
    htmlUrl: 'https://forge.example/o/r/pull/1#discussion_r1',
  };
}

/** A compile error names any Forge method the table misses. */
export function forgeCalls(ids: CallIds): { [M in ForgeMethod]: (f: Forge) => Promise<unknown> } {
  return {
    getRepo: (f) => f.getRepo(),
    getSelf: (f) => f.getSelf(),
    getFileText: (f) => f.getFileText('.github/agentloop.yml', 'main'),
    getIssue: (f) => f.getIssue(ids.issue),
    listOpenIssuesWithLabel: (f) => f.listOpenIssuesWithLabel('loop/plan'),
    listOpenItemsWithAnyLabel: (f) => f.listOpenItemsWithAnyLabel(['loop/plan']),
    listClosedIssuesWithLabel: (f) => f.listClosedIssuesWithLabel('loop/code-done'),
    listIssuesUpdatedSince: (f) => f.listIssuesUpdatedSince('2026-01-01T00:00:00Z'),
    createIssue: (f) => f.createIssue('CI failure: build', 'details', [ids.issueLabel]),
    closeIssue: (f) => f.closeIssue(ids.issue),
    updateIssueBody: (f) => f.updateIssueBody(ids.issue, 'new body'),
    listComments: (f) => f.listComments(ids.issue),
    createComment: (f) => f.createComment(ids.issue, 'status'),
    updateComment: (f) => f.updateComment(ids.comment, 'status, edited'),
    listLabelEvents: (f) => f.listLabelEvents(ids.issue),
    listRepoLabels: (f) => f.listRepoLabels(),
    createLabel: (f) => f.createLabel({ name: 'loop/plan', color: 'ededed', description: 'agentloop: plan this issue' }),
    addLabels: (f) => f.addLabels(ids.issue, ['loop/plan-done']),
    removeLabel: (f) => f.removeLabel(ids.issue, 'loop/plan'),
    getPermission: (f) => f.getPermission(ids.user),
    listOpenPulls: (f) => f.listOpenPulls(),
    getPull: (f) => f.getPull(ids.pull),
    createPull: (f) => f.createPull({ title: 'Fix #1', body: 'Closes #1', head: 'agentloop/issue-1', base: 'main' }),
    mergePull: (f) => f.mergePull(ids.pull, ids.sha, 'squash'),
    updatePullBranch: (f) => f.updatePullBranch(ids.pull, ids.sha),
    deleteBranch: (f) => f.deleteBranch('agentloop/issue-1'),
    listChecks: (f) => f.listChecks(ids.sha),
    listWorkflowRuns: (f) => f.listWorkflowRuns({ branch: 'main', status: 'completed', event: 'push' }),
    getWorkflowRun: (f) => f.getWorkflowRun(ids.run),
    listRunJobs: (f) => f.listRunJobs(ids.run),
    getJobLogTail: (f) => f.getJobLogTail(ids.job, ids.logLines),
    dispatchWorkflow: (f) => f.dispatchWorkflow('agentloop-code.yml', 'main', { reason: 'more work queued' }),
    listReviews: (f) => f.listReviews(ids.pull),
    listReviewComments: (f) => f.listReviewComments(ids.pull),
    createReview: (f) =>
      f.createReview(ids.pull, {
        event: 'request_changes',
        body: 'Please make add add.',
        commitSha: ids.sha,
        comments: [{ path: 'src/add.js', line: 1, body: 'This subtracts.' }],
      }),
    replyToReviewComment: (f) => f.replyToReviewComment(ids.pull, reviewComment(ids), 'Fixed: it adds now.'),
  };
}
