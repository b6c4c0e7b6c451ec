// The dashboard issue (DESIGN §9), kept by the sweep: one issue with the loop/dashboard label, edited in place.
import { DASHBOARD_MARKER, renderDashboard } from '../core/dashboard.js';
import { type Finding, labelFindings } from '../core/doctor.js';
import type { RunContext } from '../services/context.js';
import type { SweepSnapshot } from '../services/sweep-snapshot.js';

export function dashboardBody(rc: RunContext, ss: SweepSnapshot, health?: readonly Finding[]): string {
  // Open items only: the sweep also reads closed issues whose lost claim it repairs.
  const items = [...ss.items.values()]
    .filter((i) => i.data.state === 'open')
    .map((i) => ({
      number: i.data.number,
      title: i.data.title,
      labels: i.data.labels,
      owner: i.status.state.owner,
    }));
  const red = [...ss.trackingIssues.entries()].map(([workflow, issue]) => ({ workflow, issue: issue.number }));
  return renderDashboard(rc.config.labelNames, items, red, health);
}

/**
 * The doctor's cheap check, on every refresh (DESIGN §9): agentloop's labels, one request. The "Actions
 * may create pull requests" setting is not checked here: reading it needs Administration: read, which
 * the workflow token can never have and agentloop's App or PAT should not (`agentloop doctor` checks it).
 */
async function labelHealth(rc: RunContext): Promise<Finding[]> {
  const names = rc.config.labelNames;
  try {
    // The dashboard's own label is created with the dashboard issue.
    const have = [...(await rc.forge.listRepoLabels()).map((l) => l.name), names.dashboard];
    return labelFindings(`${rc.env.owner}/${rc.env.repo}`, names, { status: 200, names: have });
  } catch (err) {
    return [{ level: 'warning', topic: 'labels', message: `could not list the labels: ${(err as Error).message}` }];
  }
}

export async function refreshDashboard(rc: RunContext, ss: SweepSnapshot): Promise<string> {
  const names = rc.config.labelNames;
  const body = dashboardBody(rc, ss, await labelHealth(rc));
  const existing = ss.dashboards.find((i) => i.body.includes(DASHBOARD_MARKER));
  if (!existing) {
    await rc.labels.ensure([names.dashboard]);
    const issue = await rc.forge.createIssue('agentloop dashboard', body, [names.dashboard]);
    return `opened the dashboard #${issue.number}`;
  }
  if (existing.body === body) return 'dashboard unchanged';
  await rc.forge.updateIssueBody(existing.number, body);
  return `updated the dashboard #${existing.number}`;
}
