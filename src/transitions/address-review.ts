// address-review (DESIGN §3): a writer (or the reviewer agent) asked for changes on an agentloop PR. The
// agent gets the reviews with their line comments — writers' only, fenced as data — on the PR branch; the
// change is checked, committed and pushed with a lease on the head it saw; each thread the agent answered
// gets its answer. loop/code-ci-pending or -done → loop/code-in-process → loop/code-ci-pending.

import { loopBranch } from '../core/branches.js';
import { checkDiff } from '../core/diff-policy.js';
import type { ReviewCommentData, ReviewData } from '../core/model.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { redactSecrets } from '../core/redact.js';
import { threadAnswers } from '../core/review-answers.js';
import type { LoopState } from '../core/status-comment.js';
import { capitalize, lastLine } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, fetchBranch } from '../git/repo.js';
import { commitTree } from '../git/tree.js';
import { agentChange } from '../services/agent-change.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPrompt } from '../services/prompts.js';
import { secretValues } from '../services/secrets.js';
import { openWorkspace } from '../services/workspace.js';
import { describeAgentFailure, notStartedStop, runAgentStep } from './agent-step.js';
import { Claim, codeSteps } from './claim.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';
import { notWantedAnyMore } from './still-wanted.js';

type AddressTransition = Extract<Transition, { kind: 'address-review' }>;

export async function addressReview(rc: RunContext, t: AddressTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('address-review', names);
  const item = cs.items.get(t.issue)!;
  const pull = cs.pulls.get(t.pull)!;
  const before = item.data.labels;
  const template = await loadPrompt(rc, 'address-review');
  const roundNote = `review round ${t.round} of ${rc.config.maxReviewRounds}`;
  const claim = await Claim.take(
    rc,
    {
      transition: 'address-review',
      lane: 'code',
      item,
      outcome,
      errorTitle: 'review round failed',
      record: {
        review: {
          rounds: 0,
          addressed: [],
          ...item.status.state.review,
          pending: { round: t.round, reviews: t.reviews, fromSha: t.headSha },
        },
      },
    },
    { title: 'addressing the review', steps: codeSteps(3), message: `Changes were requested on PR #${t.pull}; ${roundNote}.` },
  );
  const state = claim.state;
  /** The round on record: these reviews answered (or tried), so the next decision does not repeat them. */
  const { pending: _pending, ...reviewBefore } = state.review ?? { rounds: 0, addressed: [] };
  const answered = (): Partial<LoopState> => ({
    review: { ...reviewBefore, rounds: t.round, addressed: [...new Set([...reviewBefore.addressed, ...t.reviews])] },
  });
  // Nothing pushed: the round did not happen (the reviews stay open for the next decision).
  const stand = (message: string, note: string) =>
    claim.release(
      { title: 'waiting for CI', steps: codeSteps(3), message },
      { message, note, change: { add: outcome.success.add, remove: outcome.claim.add }, state: { review: reviewBefore } },
    );
  const failed = (title: string, message: string) => {
    const todo = `look at the PR, then remove \`${names.needSupervisor}\` to let agentloop continue`;
    return claim.fail(
      { title, steps: codeSteps(3, true), message: `${message} agentloop stopped and added \`${names.needSupervisor}\`; ${todo}.` },
      { message, todo, state: answered() },
    );
  };

  return claim.run(async () => {
    const ws = await openWorkspace(rc);
    const branch = loopBranch(t.issue);
    const remote = await fetchBranch(ws, branch);
    if (remote !== t.headSha)
      return stand(
        `The PR head moved to ${remote?.slice(0, 7) ?? '(deleted)'} before agentloop addressed the review; nothing was pushed.`,
        'head moved',
      );
    await checkoutFresh(ws, branch, remote);
    const { text, threads } = await reviewText(rc, t);
    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const vars = {
      ...(await issueVars(rc, item, triggerAt, item.snapshot.triggers.code?.actor.login ?? item.data.author.login)),
      branch,
      'pr.number': t.pull,
      'pr.url': pull.htmlUrl,
      reviews: text,
      round: t.round,
      max_rounds: rc.config.maxReviewRounds,
    };
    const prompt = renderPrompt(template, vars, { name: 'address-review' });
    const change = await agentChange(rc, ws, remote, (session) =>
      runAgentStep(rc, session, 'address-review', 'write', prompt, item.data.labels),
    );
    const { result } = change;
    rc.steps.reached('agent-done');
    if (result.notStarted) return notStartedStop(t.issue, claim.labels, before);
    const now = await rc.forge.getPull(t.pull);
    if (now.state !== 'open')
      return stand(`PR #${t.pull} was ${now.merged ? 'merged' : 'closed'} while the agent worked; nothing was pushed.`, 'pull closed');
    if (now.headSha !== t.headSha)
      return stand(`The PR head moved to ${now.headSha.slice(0, 7)} while the agent worked; nothing was pushed.`, 'head moved');
    const gone = await notWantedAnyMore(rc, t.issue, { stops: [names.needSupervisor], alsoLabels: now.labels });
    if (gone) return stand(`${capitalize(gone)} while the agent worked on the review; nothing was pushed.`, 'withdrawn');
    if (!result.ok || !change.tree)
      return failed('review round failed', `${capitalize(roundNote)}: ${describeAgentFailure(result, rc.config.agentTimeoutMinutes)}`);
    const verdict = checkDiff(change.changes, rc.config);
    if (!verdict.ok)
      return failed(
        verdict.reason === 'empty' ? 'no change for the review' : 'change refused',
        `${capitalize(roundNote)}: nothing was pushed: ${verdict.message}.${result.finalMessage.trim() ? ` The agent said: ${lastLine(result.finalMessage)}` : ''}`,
      );
    const said = redactSecrets(result.finalMessage.trim(), secretValues(rc.processEnv, [rc.config.token]));
    const sha = await commitTree(ws, change.tree, remote, `Address review on #${t.pull} (round ${t.round})\n\n${said.slice(0, 2000)}`);
    await rc.git.push(ws, branch, t.headSha);
    rc.steps.reached('pushed');
    // Answers are best effort: the change is pushed; a thread left unanswered is no reason to stop.
    let replied = 0;
    for (const a of threadAnswers(said, threads)) {
      const ok = await rc.forge.replyToReviewComment(t.pull, a.comment, `${a.answer}\n\n<sub>agentloop, in ${sha.slice(0, 7)}</sub>`).then(
        () => true,
        (err: Error) => rc.log.warning(`Could not answer review comment ${a.comment.id}: ${err.message}`),
      );
      if (ok) replied++;
    }
    const message = `Pushed ${roundNote} as ${sha.slice(0, 7)}${replied ? `, answering ${replied} comment(s)` : ''}; waiting for CI.`;
    return claim.done(
      { title: 'waiting for CI', steps: codeSteps(3), message },
      { message, state: { ...answered(), headSha: sha, pushedAt: rc.now().toISOString() } },
    );
  });
}

/**
 * The reviews the round answers, as the prompt shows them: each review's body, then its comments on lines
 * (a thread's first comment and the replies of writers), each with its id, file and line.
 */
async function reviewText(rc: RunContext, t: AddressTransition): Promise<{ text: string; threads: ReviewCommentData[] }> {
  const wanted = new Set(t.reviews);
  const reviews = (await rc.forge.listReviews(t.pull)).filter((r) => wanted.has(r.id));
  const comments = (await rc.forge.listReviewComments(t.pull)).filter((c) => c.reviewId !== null && wanted.has(c.reviewId));
  const parts = reviews.map((r) =>
    describeReview(
      r,
      comments.filter((c) => c.reviewId === r.id),
    ),
  );
  return { text: parts.join('\n\n'), threads: comments.filter((c) => c.inReplyTo === undefined) };
}

function describeReview(r: ReviewData, comments: ReviewCommentData[]): string {
  const head = `### Review ${r.id} by @${r.author.login} (${r.state.replace('_', ' ')}) on ${r.commitSha.slice(0, 7)}`;
  const lines = comments.map((c) => `- [${c.id}] ${c.path}${c.line !== null ? `:${c.line}` : ''}: ${c.body.trim()}`);
  return [head, r.body.trim() || '(no summary)', ...(lines.length ? ['', ...lines] : [])].join('\n');
}
