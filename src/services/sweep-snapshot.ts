// The sweep's view: every open item carrying a loop label, which agentloop runs are alive, and the
// latest run of each workflow on the default branch (forges without workflow_run are polled here).

import { countsForDefaultBranch, OWN_WORKFLOW_NAMES, SWEEP_WORKFLOW_FILE } from '../core/ci.js';
import { trackedWorkflow } from '../core/ci-failure-marker.js';
import { IN_PROCESS_KEYS, leftAlone } from '../core/decide/context.js';
import { CODE_LANE_WAITING } from '../core/decide/sweep.js';
import { STAGE_KEYS } from '../core/decide/wrap-up.js';
import type { LoopEvent } from '../core/event.js';
import { hasLabel, type LabelKey } from '../core/labels.js';
import type { IssueData, WorkflowRunData } from '../core/model.js';
import type { Snapshot, WorkflowHealth } from '../core/snapshot.js';
import { TRANSITION_RESERVE } from './budget.js';
import type { RunContext } from './context.js';
import { type LoadedItem, listedItem, loadItem, openItemsWithAnyLabel } from './item-loader.js';
import { closedInFlight } from './wrap-up-reads.js';

/**
 * The labels of the items the sweep repairs or the dashboard shows (core/dashboard.ts; an item with only
 * NeedSupervisor or merge-done is neither). Not ci-failure and do-not-merge: they are not loop states.
 */
const SWEEP_KEYS: LabelKey[] = [
  'planInProcess',
  'codeInProcess',
  'mergeInProcess',
  'breakdownInProcess',
  'plan',
  // A breakdown or its approval whose event was dropped.
  'breakdown',
  'breakdownApprove',
  'code',
  'codeCiPending',
  'codeDone',
  'merge',
  'automerge',
  'planDone',
];

/** Labels that wait for a plan-lane run: such an item gets the plan lane's whole check. */
const PLAN_LANE_TRIGGERS: LabelKey[] = ['plan', 'breakdown', 'breakdownApprove'];

/**
 * agentloop's own workflows are not CI: their runs neither count as red nor as work. Exactly its own —
 * the workflow files named by plan-workflow and code-workflow and the sweep template's, or (when the forge
 * does not say the file) the templates' workflow names. A workflow merely named `agentloop…` is CI.
 */
export function isAgentloopRun(run: Pick<WorkflowRunData, 'name' | 'path'>, rc: RunContext): boolean {
  const file = run.path.split('/').at(-1) ?? '';
  if (file !== '') return [rc.config.planWorkflow, rc.config.codeWorkflow, SWEEP_WORKFLOW_FILE].includes(file);
  return OWN_WORKFLOW_NAMES.includes(run.name);
}

/** What the sweep acts on is read fresh: an item only the search index found may be a minute old. */
function listedOrFresh(data: IssueData): IssueData | undefined {
  return data.fromIndex ? undefined : data;
}

export interface SweepSnapshot {
  snapshot: Snapshot;
  items: Map<number, LoadedItem>;
  trackingIssues: Map<string, IssueData>;
  /** Open issues with the dashboard label, as the same list found them. */
  dashboards: IssueData[];
}

/**
 * One listing finds every item the sweep looks at (services/item-loader.ts: openItemsWithAnyLabel): the
 * loop items, the ci-failure tracking issues and the dashboard. Items are read further only where its
 * decision needs more than their labels (core/decide/sweep.ts), within the request budget:
 *   - in process: the status comment (who owns it, since when, how often requeued);
 *   - waiting for a plan run: the plan lane's whole check (labeler, permission, approval);
 *   - waiting in the code lane: status comments until one is not left alone — one is enough to
 *     dispatch a code-lane run, which reads the rest itself.
 * The others (plan-done, code-done, held by NeedSupervisor, …) show on the dashboard from their labels.
 */
export async function loadSweepSnapshot(rc: RunContext, event: LoopEvent): Promise<SweepSnapshot> {
  const names = rc.config.labelNames;
  const found = await openItemsWithAnyLabel(rc, [...SWEEP_KEYS.map((k) => names[k]), names.ciFailure, names.dashboard]);
  const has = (i: IssueData, k: LabelKey) => hasLabel(i.labels, names[k]);
  const items = new Map<number, LoadedItem>();
  // Within the request budget, keeping room for the repairs (a partial picture leaves the dashboard alone).
  let partial: 'issues' | undefined;
  let codeWaiter = false;
  const loop = [...found.values()].filter((i) => SWEEP_KEYS.some((k) => has(i, k))).sort((a, b) => a.number - b.number);
  for (const data of loop) {
    const held = has(data, 'needSupervisor') || rc.config.paused;
    const claimed = IN_PROCESS_KEYS.some((k) => has(data, k));
    const full = claimed || (!held && !data.isPull && PLAN_LANE_TRIGGERS.some((k) => has(data, k)));
    const waits = !held && !claimed && CODE_LANE_WAITING.some((k) => has(data, k));
    const status = waits && !full && !codeWaiter;
    if (!full && !status) {
      items.set(data.number, listedItem(rc, data));
      continue;
    }
    // Past the budget an item that needs reading is left out: a claim unread must not look ownerless.
    if (partial || !rc.budget.allows(`reading #${data.number}`, TRANSITION_RESERVE)) {
      partial = 'issues';
      continue;
    }
    const item = await loadItem(rc, data.number, event, listedOrFresh(data), { triggers: full });
    items.set(data.number, item);
    if (waits && !leftAlone(item.snapshot)) codeWaiter = true;
  }
  // Closed issues still at a PR stage: to wrap up, or (a run lost after it closed the issue) to repair.
  let closed: Awaited<ReturnType<typeof closedInFlight>> | undefined;
  try {
    closed = await closedInFlight(rc);
  } catch (err) {
    rc.log.warning(`Could not look for PRs people merged or closed: ${(err as Error).message}`);
  }
  for (const data of closed?.claimed ?? []) {
    if (partial || !rc.budget.allows(`reading #${data.number}`, TRANSITION_RESERVE)) {
      partial = 'issues';
      break;
    }
    items.set(data.number, await loadItem(rc, data.number, event, data, { triggers: false }));
  }
  const anyClaimed = [...loop, ...(closed?.claimed ?? [])].some((i) => IN_PROCESS_KEYS.some((k) => has(i, k)));

  // Runs the forge still considers alive, when an item is in process; a list that fails leaves liveness
  // unknown (time decides).
  let liveRunIds: string[] | undefined;
  if (anyClaimed)
    try {
      const live = [
        ...(await rc.forge.listWorkflowRuns({ status: 'in_progress' })),
        ...(await rc.forge.listWorkflowRuns({ status: 'queued' })),
      ];
      liveRunIds = live.map((r) => String(r.id));
    } catch (err) {
      rc.log.warning(`Could not list running workflow runs: ${(err as Error).message}`);
    }

  const trackingIssues = new Map<string, IssueData>();
  for (const issue of [...found.values()].filter((i) => !i.isPull && has(i, 'ciFailure'))) {
    const workflow = trackedWorkflow(issue.body);
    if (workflow) trackingIssues.set(workflow, issue);
  }
  const latest = new Map<string, WorkflowRunData>();
  const repo = { fullName: `${rc.env.owner}/${rc.env.repo}`, defaultBranch: rc.defaultBranch };
  for (const run of await rc.forge.listWorkflowRuns({ branch: rc.defaultBranch, status: 'completed' })) {
    if (isAgentloopRun(run, rc)) continue;
    // The branch filter matches a fork's pull request whose head branch has the same name.
    if (!countsForDefaultBranch({ event: run.event, headRepo: run.headRepoFullName, headBranch: run.headBranch }, repo)) continue;
    const prev = latest.get(run.name);
    if (!prev || prev.createdAt < run.createdAt) latest.set(run.name, run);
  }
  const health: WorkflowHealth[] = [];
  for (const run of latest.values()) {
    if (run.conclusion !== 'success' && run.conclusion !== 'failure') continue;
    const tracking = trackingIssues.get(run.name);
    health.push({
      workflow: run.name,
      runId: run.id,
      conclusion: run.conclusion,
      sha: run.headSha,
      url: run.htmlUrl,
      ...(tracking ? { trackingIssue: tracking.number } : {}),
    });
  }

  const wrapUps = closed ? await wrapUpsFor(rc, event, items, closed.wrapUp) : {};

  const all = [...items.values()];
  return {
    items,
    trackingIssues,
    dashboards: [...found.values()].filter((i) => has(i, 'dashboard')),
    snapshot: {
      now: rc.now().toISOString(),
      defaultBranch: rc.defaultBranch,
      // PRs ride along as items: the sweep only reads their labels and claims.
      issues: all.map((i) => i.snapshot),
      // The sweep reasons about claims and triggers only; PR details are the code lane's business.
      pulls: [],
      ...(liveRunIds ? { liveRunIds } : {}),
      defaultBranchHealth: health,
      runId: rc.env.runId,
      ...(partial ? { partial } : {}),
      ...wrapUps,
    },
  };
}

/**
 * Issues a code-lane run must wrap up (core/decide/wrap-up.ts): people merged or closed an agentloop PR,
 * or closed its issue, and no event of theirs wakes agentloop. Closed issues that still carry a PR stage
 * label (two list requests), and open ones whose recorded PR is closed (one issue read each: the issues
 * API answers for PRs too, so the sweep needs no pull-request permission). A failed read leaves it to
 * the next sweep.
 */
async function wrapUpsFor(
  rc: RunContext,
  event: LoopEvent,
  items: Map<number, LoadedItem>,
  closed: Map<number, IssueData>,
): Promise<Pick<Snapshot, 'wrapUps'>> {
  const names = rc.config.labelNames;
  try {
    const found = new Set(closed.keys());
    for (const listed of [...items.values()]) {
      const data = listed.data;
      if (
        data.state !== 'open' ||
        data.isPull ||
        hasLabel(data.labels, names.needSupervisor) ||
        !STAGE_KEYS.some((k) => hasLabel(data.labels, names[k]))
      )
        continue;
      // The status comment records the PR (one more request when the listing alone was read).
      const item = listed.comments.length ? listed : await loadItem(rc, data.number, event, listedOrFresh(data), { triggers: false });
      items.set(data.number, item);
      const pull = item.status.state.pull;
      if (pull !== undefined && (await rc.forge.getIssue(pull)).state === 'closed') found.add(item.data.number);
    }
    return { wrapUps: [...found].sort((a, b) => a - b) };
  } catch (err) {
    rc.log.warning(`Could not look for PRs people merged or closed: ${(err as Error).message}`);
    return {};
  }
}
