// One run: snapshot → decide → perform one transition → report. Shared by the action and `agentloop tick`.

import { isDefaultBranchCi } from '../core/ci.js';
import { trackedWorkflow } from '../core/ci-failure-marker.js';
import { type DecideConfig, decide, laneOf } from '../core/decide/index.js';
import { eventItem, type LoopEvent } from '../core/event.js';
import type { Lane } from '../core/snapshot.js';
import type { Decision, Transition } from '../core/transition.js';
import { type CodeSnapshot, loadCodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPlanSnapshot } from '../services/item-loader.js';
import { loadSweepSnapshot } from '../services/sweep-snapshot.js';
import { addressReview } from '../transitions/address-review.js';
import { breakdown } from '../transitions/breakdown.js';
import { breakdownApprove, breakdownDecline } from '../transitions/breakdown-approve.js';
import { ciGreen, ciMissing, escalate } from '../transitions/ci-bookkeeping.js';
import { reportCiFailure, reportCiRecovered } from '../transitions/ci-failure.js';
import { code } from '../transitions/code.js';
import { edited } from '../transitions/edited.js';
import { fixCi } from '../transitions/fix-ci.js';
import { merge } from '../transitions/merge.js';
import { plan } from '../transitions/plan.js';
import { rebase } from '../transitions/rebase.js';
import { refuse } from '../transitions/refuse.js';
import type { TransitionResult } from '../transitions/result.js';
import { reviewPull } from '../transitions/review.js';
import { reviewsIgnored } from '../transitions/reviews-ignored.js';
import { sweep } from '../transitions/sweep.js';
import { wrapUp } from '../transitions/wrap-up.js';
import { type ChainReport, chainNext } from './chain.js';
import { refusalSettler, settledResult } from './settle.js';

export interface TickReport {
  decision: Decision;
  result?: TransitionResult;
  chain?: ChainReport;
  /** Where the run stopped because its request budget (operations-per-run) was spent. */
  budget?: string;
}

export function decideConfig(rc: RunContext): DecideConfig {
  return { ...rc.config, selfLogins: rc.selfLogins };
}

const none = (lane: Lane, reason: string, item?: number): TickReport => ({
  decision: { lane, transition: { kind: 'none', reason, ...(item !== undefined ? { item } : {}) }, queued: [], notes: [] },
});

export async function tick(rc: RunContext, event: LoopEvent): Promise<TickReport> {
  const cfg = decideConfig(rc);
  const lane = cfg.lane === 'auto' ? laneOf(event, cfg, rc.defaultBranch) : cfg.lane;
  if (lane === 'plan') return tickPlan(rc, event, cfg);
  if (lane === 'code') return tickCode(rc, event, cfg);
  return tickSweep(rc, event, cfg);
}

async function tickSweep(rc: RunContext, event: LoopEvent, cfg: DecideConfig): Promise<TickReport> {
  if (event.kind === 'ci') {
    // A workflow finished: only its own health matters, so skip reading every loop item. A run that is
    // not the default branch's CI (a fork's, a pull request's) is decided without any request.
    const health = isDefaultBranchCi(event, rc.defaultBranch) ? await defaultBranchHealthFor(rc, event.workflow) : [];
    const decision = decide(
      {
        now: rc.now().toISOString(),
        defaultBranch: rc.defaultBranch,
        issues: [],
        pulls: [],
        defaultBranchHealth: health,
        runId: rc.env.runId,
      },
      event,
      { ...cfg, lane: 'sweep' },
    );
    const t = decision.transition;
    rc.log.info(`decision: ${t.kind} — ${t.reason}`);
    rc.steps.begin(t.kind);
    if (t.kind === 'ci-failure') return { decision, result: { outcome: 'done', message: await reportCiFailure(rc, t) } };
    if (t.kind === 'ci-recovered') return { decision, result: { outcome: 'done', item: t.issue, message: await reportCiRecovered(rc, t) } };
    return { decision };
  }
  const ss = await loadSweepSnapshot(rc, event);
  const decision = decide(ss.snapshot, event, { ...cfg, lane: 'sweep' });
  const t = decision.transition;
  rc.log.info(`decision: ${t.kind} — ${t.reason}`);
  if (t.kind !== 'sweep') return { decision };
  rc.steps.begin(t.kind);
  const result = await sweep(rc, t, ss);
  return { decision, result, ...(rc.budget.stopped ? { budget: rc.budget.stopped } : {}) };
}

/** The open ci-failure issue tracking one workflow, as the health entry decide() expects. */
async function defaultBranchHealthFor(rc: RunContext, workflow: string) {
  const issue = (await rc.forge.listOpenIssuesWithLabel(rc.config.labelNames.ciFailure)).find((i) => trackedWorkflow(i.body) === workflow);
  return issue ? [{ workflow, runId: 0, conclusion: 'failure' as const, sha: '', url: '', trackingIssue: issue.number }] : [];
}

async function tickPlan(rc: RunContext, event: LoopEvent, cfg: DecideConfig): Promise<TickReport> {
  const number = eventItem(event);
  if (number === undefined) return none('plan', 'the plan lane needs an issue number');
  const loaded = await loadPlanSnapshot(rc, event, number).catch((err: { status?: number }) => {
    if (err.status === 404 || err.status === 410) return undefined;
    throw err;
  });
  if (!loaded) return none('plan', `#${number} was not found (deleted or transferred)`, number);
  const decision = decide(loaded.snapshot, event, { ...cfg, lane: 'plan' });
  const t = decision.transition;
  rc.log.info(`decision: ${t.kind} — ${t.reason}`);
  if (t.kind !== 'none' && !rc.budget.allows(`${t.kind} on #${number}`)) return { decision, budget: rc.budget.stopped! };
  rc.steps.begin(t.kind);
  if (t.kind === 'plan') {
    await rc.agent.check();
    return { decision, result: await plan(rc, t, loaded.item) };
  }
  if (t.kind === 'breakdown') {
    await rc.agent.check();
    return { decision, result: await breakdown(rc, t, loaded.item) };
  }
  if (t.kind === 'breakdown-approve') return { decision, result: await breakdownApprove(rc, t, loaded.item) };
  if (t.kind === 'breakdown-decline') return { decision, result: await breakdownDecline(rc, t, loaded.item) };
  if (t.kind === 'refuse') return { decision, result: await refuse(rc, t, loaded.item) };
  if (t.kind === 'edited') return { decision, result: await edited(rc, t, loaded.item) };
  return { decision };
}

async function tickCode(rc: RunContext, event: LoopEvent, cfg: DecideConfig): Promise<TickReport> {
  const settled: TransitionResult[] = [];
  const cs = await loadCodeSnapshot(rc, event, refusalSettler(rc, cfg, settled));
  const decision = decide(cs.snapshot, event, { ...cfg, lane: 'code' });
  const t = decision.transition;
  rc.log.info(`decision: ${t.kind} — ${t.reason}`);
  for (const note of decision.notes) rc.log.info(`  ${note}`);
  // The budget is checked before a claim, never between a claim and its outcome.
  const go = t.kind !== 'none' && rc.budget.allows(`${t.kind}${itemText(t)}`);
  rc.steps.begin(t.kind);
  if (go && runsAgent(t)) await rc.agent.check(); // refuses before any claim when the agent cannot be isolated
  const result = (go ? await performCode(rc, t, cs) : undefined) ?? settledResult(settled);
  const stopped = rc.budget.stopped;
  if (!result && !decision.recheck && !stopped) return { decision };
  // Refusals settled or a budget stop leave work for the next run.
  const chain = await chainNext(rc, event, decision, result, settled.length > 0 || stopped !== undefined);
  return { decision, ...(result ? { result } : {}), chain, ...(stopped ? { budget: stopped } : {}) };
}

const itemText = (t: Transition): string => {
  const n = 'item' in t ? t.item : 'pull' in t ? t.pull : 'issue' in t ? t.issue : undefined;
  return n !== undefined ? ` on #${n}` : '';
};

function runsAgent(t: Transition): boolean {
  return (
    (t.kind === 'code' && t.existingPull === undefined) ||
    t.kind === 'fix-ci' ||
    t.kind === 'address-review' ||
    t.kind === 'review' ||
    (t.kind === 'rebase' && t.mode === 'git-rebase')
  );
}

function performCode(rc: RunContext, t: Transition, cs: CodeSnapshot): Promise<TransitionResult> | undefined {
  switch (t.kind) {
    case 'refuse':
      return refuse(rc, t, cs.items.get(t.item)!);
    case 'edited':
      return edited(rc, t, cs.items.get(t.item)!);
    case 'code':
      return code(rc, t, cs);
    case 'fix-ci':
      return fixCi(rc, t, cs);
    case 'ci-green':
      return ciGreen(rc, t, cs);
    case 'ci-missing':
      return ciMissing(rc, t, cs);
    case 'escalate':
      return escalate(rc, t, cs);
    case 'rebase':
      return rebase(rc, t, cs);
    case 'merge':
      return merge(rc, t, cs);
    case 'wrap-up':
      return wrapUp(rc, t, cs);
    case 'address-review':
      return addressReview(rc, t, cs);
    case 'review':
      return reviewPull(rc, t, cs);
    case 'reviews-ignored':
      return reviewsIgnored(rc, t, cs);
    default:
      return undefined;
  }
}
