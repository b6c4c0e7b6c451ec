// review (DESIGN §3, config `review: agent`): before a green agentloop PR merges, a read-only reviewer
// agent reads the diff against the issue and the plan and posts a PR review. agentloop posts it as a
// comment review with the verdict in its body — the forges refuse an approval or a request for changes
// from the PR's own author, which agentloop is — and records the verdict: approve lets the merge go on,
// request changes starts an address-review round (the rounds count toward max-review-rounds).
import { loopBranch } from '../core/branches.js';
import type { NewReview } from '../core/model.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { readVerdict } from '../core/review-verdict.js';
import { capitalize } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, fetchBranch, git } from '../git/repo.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPrompt } from '../services/prompts.js';
import { openWorkspace } from '../services/workspace.js';
import { describeAgentFailure, runAgentStep } from './agent-step.js';
import { Claim, codeSteps } from './claim.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type ReviewTransition = Extract<Transition, { kind: 'review' }>;

export async function reviewPull(rc: RunContext, t: ReviewTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const item = cs.items.get(t.issue)!;
  const pull = cs.pulls.get(t.pull)!;
  const template = await loadPrompt(rc, 'review');
  const claim = await Claim.take(
    rc,
    { transition: 'review', lane: 'code', item, outcome: outcomeOf('review', names), errorTitle: 'review failed' },
    { title: 'reviewing', steps: codeSteps(4), message: `The reviewer agent is reviewing PR #${t.pull} at ${t.headSha.slice(0, 7)}.` },
  );
  const todo = `remove \`${names.needSupervisor}\` to let agentloop review again, or merge the PR yourself`;
  const fail = (message: string) =>
    claim.fail(
      {
        title: 'review failed',
        steps: codeSteps(4, true),
        message: `${message} agentloop stopped and added \`${names.needSupervisor}\`; ${todo}.`,
      },
      { message, todo },
    );

  return claim.run(async () => {
    const ws = await openWorkspace(rc);
    const head = await fetchBranch(ws, loopBranch(t.issue));
    const base = await fetchBranch(ws, pull.baseRef);
    if (head !== t.headSha || !base)
      return claim.release(
        {
          title: 'waiting to merge',
          steps: codeSteps(4),
          message: `The head of PR #${t.pull} moved before the review; the next run decides on the new head.`,
        },
        { message: 'head moved before the review' },
      );
    await checkoutFresh(ws, loopBranch(t.issue), head);
    const diff = (await git(ws, ['diff', '--no-color', '--no-ext-diff', `${base}...${head}`])).stdout;
    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const vars = {
      ...(await issueVars(rc, item, triggerAt, item.snapshot.triggers.code?.actor.login ?? item.data.author.login)),
      branch: loopBranch(t.issue),
      'pr.number': t.pull,
      'pr.url': pull.htmlUrl,
      diff,
    };
    const prompt = renderPrompt(template, vars, { name: 'review' });
    const session = await rc.agent.open(ws.dir);
    const result = await runAgentStep(rc, session, 'review', 'read-only', prompt, item.data.labels).finally(() => session.close());
    rc.steps.reached('agent-done');
    if (!result.ok) return fail(`The reviewer agent failed: ${describeAgentFailure(result, rc.config.agentTimeoutMinutes)}`);
    const read = readVerdict(result.finalMessage);
    if (!read.ok) return fail(`The reviewer agent's answer could not be used: ${read.problem}.`);
    const { verdict } = read;
    const said = verdict.verdict === 'approve' ? 'approves' : 'requests changes';
    const review: NewReview = {
      event: 'comment',
      commitSha: t.headSha,
      body: `**agentloop's reviewer agent ${said}.**\n\n${verdict.summary}`,
      comments: verdict.comments,
    };
    // A line outside the diff makes GitHub refuse the whole review: then the comments go in its body.
    const posted = await rc.forge.createReview(t.pull, review).catch(async (err: { status?: number }) => {
      if (err.status !== 422 || review.comments.length === 0) throw err;
      const listed = review.comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`).join('\n');
      return rc.forge.createReview(t.pull, { ...review, comments: [], body: `${review.body}\n\n${listed}` });
    });
    rc.steps.reached('review-posted');
    const record = { sha: t.headSha, verdict: verdict.verdict, reviewId: posted.id };
    const state = { review: { rounds: 0, addressed: [], ...claim.state.review, agent: record } };
    const message =
      verdict.verdict === 'approve'
        ? `The reviewer agent approved PR #${t.pull} at ${t.headSha.slice(0, 7)}; it merges next.`
        : `The reviewer agent requested changes on PR #${t.pull} (${verdict.comments.length} comment(s)); agentloop addresses them next.`;
    return claim.done(
      { title: verdict.verdict === 'approve' ? 'reviewed: approved' : 'reviewed: changes requested', steps: codeSteps(4), message },
      { message: `${capitalize(said)} PR #${t.pull}`, state, links: [{ label: 'review', url: posted.htmlUrl }] },
    );
  });
}
