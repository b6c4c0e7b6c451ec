// The sweep's view: every open item carrying a loop label, which agentloop runs are alive, and the
// latest run of each workflow on the default branch (forges without workflow_run are polled here).

import { countsForDefaultBranch, OWN_WORKFLOW_NAMES, SWEEP_WORKFLOW_FILE } from '../core/ci.js';
import { trackedWorkflow } from '../core/ci-failure-marker.js';
import type { LoopEvent } from '../core/event.js';
import { LABEL_KEYS } from '../core/labels.js';
import type { IssueData, WorkflowRunData } from '../core/model.js';
import type { Snapshot, WorkflowHealth } from '../core/snapshot.js';
import { TRANSITION_RESERVE } from './budget.js';
import type { RunContext } from './context.js';
import { type LoadedItem, loadItem, openItemsWithAnyLabel } from './item-loader.js';

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

export interface SweepSnapshot {
  snapshot: Snapshot;
  items: Map<number, LoadedItem>;
  trackingIssues: Map<string, IssueData>;
}

export async function loadSweepSnapshot(rc: RunContext, event: LoopEvent): Promise<SweepSnapshot> {
  const names = rc.config.labelNames;
  const loopLabels = LABEL_KEYS.filter((k) => k !== 'doNotMerge' && k !== 'ciFailure' && k !== 'needSupervisor').map((k) => names[k]);
  const found = await openItemsWithAnyLabel(rc, loopLabels);
  const items = new Map<number, LoadedItem>();
  // Within the request budget, keeping room for the repairs (a partial picture leaves the dashboard alone).
  let partial: 'issues' | undefined;
  for (const n of [...found.keys()].sort((a, b) => a - b)) {
    if (!rc.budget.allows(`reading #${n}`, TRANSITION_RESERVE)) {
      partial = 'issues';
      break;
    }
    items.set(n, await loadItem(rc, n, event, found.get(n)));
  }

  // Runs the forge still considers alive; a list that fails leaves liveness unknown (time decides).
  let liveRunIds: string[] | undefined;
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
  for (const issue of await rc.forge.listOpenIssuesWithLabel(names.ciFailure)) {
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

  const all = [...items.values()];
  return {
    items,
    trackingIssues,
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
    },
  };
}
