// plan (DESIGN §3): the agent reads the repository and the issue, read-only; its final message is
// posted as the plan comment; loop/plan → loop/plan-in-process → loop/plan-done (or NeedSupervisor).
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { PLAN_MARKER } from '../core/thread.js';
import type { Transition } from '../core/transition.js';
import type { LoadedItem } from '../runtime/snapshot-loader.js';
import { trustedAuthor, type RunContext } from '../runtime/run-context.js';
import { loadPrompt } from '../runtime/prompts.js';
import { describeAgentFailure, runAgentStep } from './agent-step.js';
import { lastLine } from './code.js';
import { claim, owned, released, withClaim } from './lifecycle.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type PlanTransition = Extract<Transition, { kind: 'plan' }>;

const STEPS = ['Plan requested', 'Agent reads the repository', 'Plan posted'] as const;
const steps = (current: number, failed = false) =>
  STEPS.map((label, i) => ({ label, state: i < current ? ('done' as const) : i === current ? (failed ? ('failed' as const) : ('current' as const)) : ('todo' as const) }));

export async function plan(rc: RunContext, t: PlanTransition, item: LoadedItem): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('plan', names);
  // Fail before any write if the repository's prompt override is broken.
  const template = await loadPrompt(rc, 'plan');
  const triggerAt = item.snapshot.triggers.plan!.at;
  const before = item.data.labels;
  const state = owned(rc, item.status.state, 'plan');
  let labels = await claim(rc, item, outcome.claim, state, { title: 'planning', steps: steps(1), message: `Writing a plan, requested by @${t.requester}.`, runUrl: rc.env.runUrl });

  return withClaim(rc, item, outcome.failure, labels, 'plan failed', async () => {
    const prompt = renderPrompt(template, await issueVars(rc, item, triggerAt, t.requester), { name: 'plan' });
    const result = await runAgentStep(rc, 'plan', 'read-only', prompt, item.data.labels);
    const agent = { durationMs: result.durationMs, ...(result.usage ?? {}) };
    const planText = result.finalMessage.trim();

    if (!result.ok || planText === '') {
      const why = !result.ok ? describeAgentFailure(result, rc.config.agentTimeoutMinutes) : 'The agent finished without writing a plan.';
      labels = await rc.labels.apply(t.issue, labels, outcome.failure);
      await item.status.write(
        {
          title: 'plan failed',
          steps: steps(1, true),
          message: `${why} agentloop stopped and added \`${names.needSupervisor}\`. Look at the run log, then remove \`${names.needSupervisor}\` and apply \`${names.plan}\` again to retry.`,
          runUrl: rc.env.runUrl,
          details: result.stderrTail ? [`last output: \`${lastLine(result.stderrTail)}\``] : [],
        },
        released(rc, state, 'plan', 'failed'),
      );
      return { outcome: 'failed', item: t.issue, labelsBefore: before, labelsAfter: labels, message: why, agent };
    }

    const planComment = await postPlanOnce(rc, item, triggerAt, planText);
    labels = await rc.labels.apply(t.issue, labels, outcome.success);
    await item.status.write(
      { title: 'plan posted', steps: steps(3), message: `The plan is posted [below](${planComment}). Apply \`${names.code}\` to implement it.`, runUrl: rc.env.runUrl },
      released(rc, state, 'plan', 'done'),
    );
    return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `plan posted on #${t.issue}`, links: [{ label: 'plan', url: planComment }], agent };
  });
}

/** Idempotent: a plan already posted for this trigger (by a run that died before relabelling) is reused. */
async function postPlanOnce(rc: RunContext, item: LoadedItem, triggerAt: string, text: string): Promise<string> {
  const trusted = trustedAuthor(rc);
  let existing: (typeof item.comments)[number] | undefined;
  for (const c of item.comments) {
    if (c.body.includes(PLAN_MARKER) && c.createdAt >= triggerAt && (await trusted(c.author.login))) existing = c;
  }
  if (existing) return existing.htmlUrl;
  const body = `${PLAN_MARKER}\n## Plan\n\n${text}\n\n<sub>Written by agentloop (${rc.config.agent}). Apply \`${rc.config.labelNames.code}\` to implement it.</sub>`;
  return (await rc.forge.createComment(item.data.number, body)).htmlUrl;
}
