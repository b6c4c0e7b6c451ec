// ci-green, ci-missing and escalate: no agent, no branch; labels and words only.
import { checkRunsHiddenNotice } from '../core/ci.js';
import { outcomeOf } from '../core/outcomes.js';
import { capitalize } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { codeSteps, released } from './claim.js';
import { writeEscalation } from './escalation.js';
import { fixHistory } from './fix-ci.js';
import type { TransitionResult } from './result.js';

export async function ciGreen(rc: RunContext, t: Extract<Transition, { kind: 'ci-green' }>, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const item = cs.items.get(t.issue)!;
  const before = item.data.labels;
  const labels = await rc.labels.apply(t.issue, before, outcomeOf('ci-green', names, { addMerge: t.addMerge }).success);
  rc.steps.reached('outcome-labels');
  const next = t.addMerge ? 'auto-merge is on, so it will be merged next.' : `Apply \`${names.merge}\` to merge it.`;
  await item.status.write(
    {
      title: 'CI green',
      steps: codeSteps(4),
      message: `PR #${t.pull} is green on ${t.headSha.slice(0, 7)}; ${next}`,
      ...visibility(cs, t.pull),
    },
    { ...item.status.state, headSha: t.headSha },
  );
  return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `PR #${t.pull} is green` };
}

const GITHUB_CAUSES =
  'The usual cause: agentloop pushed this branch with the default workflow token, and pushes, PRs and labels made with that token start no workflow runs. Give agentloop a token whose writes trigger workflows — a GitHub App installation token or a fine-grained PAT, stored as `AGENTLOOP_TOKEN` (README: Tokens). To run CI on this PR now, push an empty commit to the branch or close and reopen the PR.';
// On Forgejo agentloop writes with a bot user's token (the automatic token cannot check who labeled),
// and a user's pushes do start workflow runs: GitHub's token advice would send people the wrong way.
const FORGEJO_CAUSES =
  "agentloop pushed this branch with the bot user's token, whose pushes start workflow runs, so the usual causes are elsewhere: no online runner has the label your CI workflow's `runs-on` asks for (the run then waits under the repository's Actions tab), Actions is not enabled for this repository, or the CI workflow does not run on `pull_request`. To run CI on this PR now, push an empty commit to the branch or close and reopen the PR.";

export async function ciMissing(
  rc: RunContext,
  t: Extract<Transition, { kind: 'ci-missing' }>,
  cs: CodeSnapshot,
): Promise<TransitionResult> {
  const item = cs.items.get(t.issue)!;
  await rc.forge.createComment(
    t.pull,
    [
      `No CI has reported on ${t.headSha.slice(0, 7)} after ${rc.config.ciTimeoutMinutes} minutes (\`ci-timeout-minutes\`).`,
      '',
      rc.forge.kind === 'forgejo' ? FORGEJO_CAUSES : GITHUB_CAUSES,
      '',
      'If your CI does not run on pull requests at all, agentloop cannot tell green from red: list the checks that must pass in `required-checks`.',
      ...(hidden(cs, t.pull) ? ['', checkRunsHiddenNotice()] : []),
    ].join('\n'),
  );
  await item.status.write(
    { title: 'waiting for CI', steps: codeSteps(3), message: `No CI has appeared on PR #${t.pull}; see the comment there.` },
    { ...item.status.state, ciMissingNotified: t.headSha },
  );
  return {
    outcome: 'done',
    item: t.issue,
    labelsBefore: item.data.labels,
    labelsAfter: item.data.labels,
    message: `explained the missing CI on PR #${t.pull}`,
  };
}

export async function escalate(rc: RunContext, t: Extract<Transition, { kind: 'escalate' }>, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const item = cs.items.get(t.item)!;
  const before = item.data.labels;
  const labels = await rc.labels.apply(t.item, before, outcomeOf('escalate', names).success);
  const state = released(rc, item.status.state, 'escalate', t.reason);
  const also = t.pull !== undefined && t.pull !== t.item ? cs.items.get(t.pull) : undefined;
  const reason = `${capitalize(t.reason)}.`;
  if (t.cause === 'merge-blocked') {
    const text = mergeBlockedText(rc, t, cs);
    // The PR is where reviewers look; the item's status comment says the same.
    if (t.pull !== undefined && t.pull !== t.item) await rc.forge.createComment(t.pull, text);
    const todo = `satisfy the branch rule (the PR page lists what is missing) or merge the PR yourself, then remove \`${names.needSupervisor}\``;
    await writeEscalation(
      rc,
      item,
      { reason, todo, also },
      { title: 'merge blocked; needs a human', steps: codeSteps(4, true), message: text, ...visibility(cs, t.pull) },
      state,
    );
    return { outcome: 'failed', item: t.item, labelsBefore: before, labelsAfter: labels, message: t.reason };
  }
  if (t.cause === 'review-rounds') {
    // The open reviews are the human's now: once NeedSupervisor comes off, only new reviews start rounds.
    const review = { rounds: 0, ...state.review, addressed: [...(state.review?.addressed ?? []), ...(t.reviews ?? [])] };
    const todo = `answer the open reviews yourself (push to the PR branch) or ask the reviewers to approve, then remove \`${names.needSupervisor}\``;
    await writeEscalation(
      rc,
      item,
      { reason, todo, also },
      {
        title: 'review rounds used up; needs a human',
        steps: codeSteps(3, true),
        message: `agentloop stopped: ${t.reason}. It added \`${names.needSupervisor}\`: ${todo}. agentloop then takes the PR from there (it merges once green if asked to); a later review asking for changes goes to a human too, unless \`max-review-rounds\` is raised.`,
      },
      { ...state, review },
    );
    return { outcome: 'failed', item: t.item, labelsBefore: before, labelsAfter: labels, message: t.reason };
  }
  const todo = `push a fix to the PR branch yourself, then remove \`${names.needSupervisor}\``;
  await writeEscalation(
    rc,
    item,
    { reason, todo, also },
    {
      title: 'needs a human',
      steps: codeSteps(3, true),
      message: `agentloop stopped: ${t.reason}. It added \`${names.needSupervisor}\`. Push a fix to the PR branch yourself, then remove \`${names.needSupervisor}\`: agentloop takes the PR from there (it merges once green if asked to). To let the agent try again instead, raise \`max-fix-attempts\` and remove the label.`,
      details: fixHistory(state),
    },
    state,
  );
  return { outcome: 'failed', item: t.item, labelsBefore: before, labelsAfter: labels, message: t.reason };
}

/** What a branch rule that blocks a green PR usually waits for, and what to do (DESIGN §1.4: explain always). */
function mergeBlockedText(rc: RunContext, t: Extract<Transition, { kind: 'escalate' }>, cs: CodeSnapshot): string {
  const names = rc.config.labelNames;
  const pull = cs.snapshot.pulls.find((p) => p.number === t.pull);
  const sha = pull ? pull.headSha.slice(0, 7) : 'its head';
  return [
    `agentloop stopped: ${t.reason}. It added \`${names.needSupervisor}\`.`,
    '',
    `GitHub reports the PR as **blocked**: a branch protection rule or ruleset on \`${pull?.baseRef ?? 'the base branch'}\` still waits for something agentloop cannot give or cannot see. The CI agentloop reads is green on ${sha}. Usually the rule waits for:`,
    '',
    "- an approving review (or a code owner's review) — agentloop never approves its own PRs;",
    `- a required status check that has not reported on ${sha}, or one named differently from the check your CI reports;`,
    '- resolved review conversations, signed commits, or a merge queue.',
    '',
    `The PR page lists what is missing. Satisfy the rule or merge the PR yourself, then remove \`${names.needSupervisor}\`: agentloop merges it once GitHub allows it.`,
  ].join('\n');
}

function hidden(cs: CodeSnapshot, pull: number | undefined): boolean {
  return cs.snapshot.pulls.find((p) => p.number === pull)?.ci.checkRunsHidden === true;
}

/** The check-runs notice as a detail line of a status comment, where CI was judged without check runs. */
function visibility(cs: CodeSnapshot, pull: number | undefined): { details?: string[] } {
  return hidden(cs, pull) ? { details: [checkRunsHiddenNotice()] } : {};
}
