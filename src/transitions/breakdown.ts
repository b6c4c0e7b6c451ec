// breakdown (DESIGN §3): the agent reads the spec and the repository, read-only, and answers with a JSON
// list of child issues; agentloop posts them as one proposal comment (core/breakdown.ts) and creates
// nothing yet. loop/breakdown → loop/breakdown-in-process → loop/breakdown-done (or NeedSupervisor).
import { allowedLabels, cleanProposal, PROPOSAL_MARKER, type Proposal, parseAnswer, renderProposal } from '../core/breakdown.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { requestWorkSince } from '../core/status-comment.js';
import { capitalize, lastLine } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { loadPrompt } from '../services/prompts.js';
import { describeAgentFailure, runAgentStep } from './agent-step.js';
import { Claim, checklist } from './claim.js';
import { refuseWideningArgs } from './plan.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

export const BREAKDOWN_STEPS = ['Breakdown requested', 'Agent proposes issues', 'Proposal posted', 'Approved: issues created'] as const;

export async function breakdown(
  rc: RunContext,
  t: Extract<Transition, { kind: 'breakdown' }>,
  item: LoadedItem,
): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  // Fail before any write if agent-args would widen the read-only run, or the prompt override is broken.
  refuseWideningArgs(rc, item.data.labels);
  const template = await loadPrompt(rc, 'breakdown');
  const triggerAt = item.snapshot.triggers.breakdown!.at;
  // Read before this run's claim replaces the owner: a lost run's proposal answered this request too.
  const workSince = requestWorkSince(item.status.state, triggerAt);
  const spec = {
    transition: 'breakdown',
    lane: 'plan',
    item,
    outcome: outcomeOf('breakdown', names),
    errorTitle: 'breakdown failed',
    approve: t.approve,
  } as const;
  const claim = await Claim.take(rc, spec, {
    title: 'breaking down',
    steps: checklist(BREAKDOWN_STEPS, 1),
    message: `Proposing issues for this spec, requested by @${t.requester}.`,
  });

  return claim.run(async () => {
    const max = rc.config.maxBreakdownIssues;
    const vars = { ...(await issueVars(rc, item, triggerAt, t.requester)), max_issues: max };
    const prompt = renderPrompt(template, vars, { name: 'breakdown' });
    // Like a plan: the agent reads a copy of the checkout in its sandbox; nothing it writes is kept.
    const session = await rc.agent.open(rc.env.workspace);
    const result = await runAgentStep(rc, session, 'breakdown', 'read-only', prompt, item.data.labels).finally(() => session.close());
    rc.steps.reached('agent-done');
    const agent = { durationMs: result.durationMs, ...(result.usage ?? {}) };
    const answer = result.ok ? parseAnswer(result.finalMessage, max) : undefined;

    if (!answer?.ok) {
      const why = answer
        ? `The agent's answer could not be used: ${answer.why}. Nothing was posted and no issue was created.`
        : describeAgentFailure(result, rc.config.agentTimeoutMinutes);
      const todo = `look at the run log, then remove \`${names.needSupervisor}\` and apply \`${names.breakdown}\` again to retry`;
      return claim.fail(
        {
          title: 'breakdown failed',
          steps: checklist(BREAKDOWN_STEPS, 1, true),
          message: `${why} agentloop stopped and added \`${names.needSupervisor}\`. ${capitalize(todo)}.`,
          details: result.stderrTail && !answer ? [`last output: \`${lastLine(result.stderrTail)}\``] : [],
        },
        { message: why, agent, todo },
      );
    }

    const allowed = allowedLabels(
      (await rc.forge.listRepoLabels()).map((l) => l.name),
      names,
      rc.config.labelPrefix,
    );
    const proposal = cleanProposal(t.issue, answer.items, allowed, answer.beyond);
    const url = await postProposalOnce(rc, item, workSince, proposal);
    rc.steps.reached('proposal-posted');
    const n = proposal.items.length;
    return claim.done(
      {
        title: 'breakdown proposed',
        steps: checklist(BREAKDOWN_STEPS, 3),
        message: `The proposal (${n} issue${n === 1 ? '' : 's'}) is posted [below](${url}). A maintainer applies \`${names.breakdownApprove}\` to create them.`,
      },
      { message: `breakdown of #${t.issue} proposed: ${n} issue(s)`, links: [{ label: 'proposal', url }], agent },
    );
  });
}

/** Idempotent: a proposal already posted for this request (by a run that died before relabelling) is kept. */
async function postProposalOnce(rc: RunContext, item: LoadedItem, since: string, proposal: Proposal): Promise<string> {
  let existing: (typeof item.comments)[number] | undefined;
  for (const c of item.comments) {
    if (c.body.includes(PROPOSAL_MARKER) && Date.parse(c.createdAt) >= Date.parse(since) && rc.trust.ownComment('plan', c.author))
      existing = c;
  }
  if (existing) return existing.htmlUrl;
  const body = renderProposal(proposal, { approveLabel: rc.config.labelNames.breakdownApprove, max: rc.config.maxBreakdownIssues });
  return (await rc.forge.createComment(item.data.number, body)).htmlUrl;
}
