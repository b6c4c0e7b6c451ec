// plan (DESIGN §3): the agent reads the repository and the issue, read-only; its final message is
// posted as the plan comment; loop/plan → loop/plan-in-process → loop/plan-done (or NeedSupervisor).
import { readOnlyConflicts } from '../agent/read-only.js';
import { ConfigError } from '../core/config.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { routeFor } from '../core/routing.js';
import { requestWorkSince } from '../core/status-comment.js';
import { capitalize, lastLine } from '../core/text.js';
import { PLAN_MARKER } from '../core/thread.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { loadPrompt } from '../services/prompts.js';
import { describeAgentFailure, runAgentStep } from './agent-step.js';
import { Claim, checklist } from './claim.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type PlanTransition = Extract<Transition, { kind: 'plan' }>;

const STEPS = ['Plan requested', 'Agent reads the repository', 'Plan posted'] as const;

export async function plan(rc: RunContext, t: PlanTransition, item: LoadedItem): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  // Fail before any write if agent-args would widen the read-only run, or the prompt override is broken.
  refuseWideningArgs(rc, item.data.labels);
  const template = await loadPrompt(rc, 'plan');
  const triggerAt = item.snapshot.triggers.plan!.at;
  // Read before this run's claim replaces the owner: a lost run's plan answered this request too.
  const workSince = requestWorkSince(item.status.state, triggerAt);
  const spec = {
    transition: 'plan',
    lane: 'plan',
    item,
    outcome: outcomeOf('plan', names),
    errorTitle: 'plan failed',
    approve: t.approve,
  } as const;
  const claim = await Claim.take(rc, spec, {
    title: 'planning',
    steps: checklist(STEPS, 1),
    message: `Writing a plan, requested by @${t.requester}.`,
  });

  return claim.run(async () => {
    const prompt = renderPrompt(template, await issueVars(rc, item, triggerAt, t.requester), { name: 'plan' });
    // The plan agent reads a copy of the runner's checkout in its sandbox; nothing it writes is kept.
    const session = await rc.agent.open(rc.env.workspace);
    const result = await runAgentStep(rc, session, 'plan', 'read-only', prompt, item.data.labels).finally(() => session.close());
    rc.steps.reached('agent-done');
    const agent = { durationMs: result.durationMs, ...(result.usage ?? {}) };
    const planText = result.finalMessage.trim();

    if (!result.ok || planText === '') {
      const why = !result.ok ? describeAgentFailure(result, rc.config.agentTimeoutMinutes) : 'The agent finished without writing a plan.';
      const todo = `look at the run log, then remove \`${names.needSupervisor}\` and apply \`${names.plan}\` again to retry`;
      return claim.fail(
        {
          title: 'plan failed',
          steps: checklist(STEPS, 1, true),
          message: `${why} agentloop stopped and added \`${names.needSupervisor}\`. ${capitalize(todo)}.`,
          details: result.stderrTail ? [`last output: \`${lastLine(result.stderrTail)}\``] : [],
        },
        { message: why, agent, todo },
      );
    }

    const planComment = await postPlanOnce(rc, item, workSince, planText);
    rc.steps.reached('plan-posted');
    return claim.done(
      {
        title: 'plan posted',
        steps: checklist(STEPS, 3),
        message: `The plan is posted [below](${planComment}). Apply \`${names.code}\` to implement it.`,
      },
      { message: `plan posted on #${t.issue}`, links: [{ label: 'plan', url: planComment }], agent },
    );
  });
}

/** agent-args come after the read-only flags: any that would widen a plan-lane run stop it, naming the key. */
export function refuseWideningArgs(rc: RunContext, labels: readonly string[]): void {
  const routed = routeFor(rc.config, labels);
  const conflicts = readOnlyConflicts(routed.agent, routed.agentArgs);
  if (conflicts.length === 0) return;
  const key =
    routed.route !== undefined && rc.config.routes[routed.route]?.agentArgs ? `'routes[${routed.route}].agent-args'` : "'agent-args'";
  throw new ConfigError([
    `${key} = ${JSON.stringify(routed.agentArgs.join(' '))} would widen ${routed.agent}'s read-only plan run (${conflicts.join(' ')}): ` +
      'agentloop sets the tools, permissions and sandbox of a plan run itself; remove these arguments',
  ]);
}

/** Idempotent: a plan already posted for this request (by a run that died before relabelling) is reused. */
async function postPlanOnce(rc: RunContext, item: LoadedItem, since: string, text: string): Promise<string> {
  let existing: (typeof item.comments)[number] | undefined;
  for (const c of item.comments) {
    if (c.body.includes(PLAN_MARKER) && Date.parse(c.createdAt) >= Date.parse(since) && rc.trust.isSelf(c.author)) existing = c;
  }
  if (existing) return existing.htmlUrl;
  const body = `${PLAN_MARKER}\n## Plan\n\n${text}\n\n<sub>Written by agentloop (${rc.config.agent}). Apply \`${rc.config.labelNames.code}\` to implement it.</sub>`;
  return (await rc.forge.createComment(item.data.number, body)).htmlUrl;
}
