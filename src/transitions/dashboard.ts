// The dashboard issue (DESIGN §9), kept by the sweep: one issue with the loop/dashboard label, edited in place.
import { DASHBOARD_MARKER, renderDashboard } from '../core/dashboard.js';
import type { RunContext } from '../services/context.js';
import type { SweepSnapshot } from '../services/sweep-snapshot.js';

export function dashboardBody(rc: RunContext, ss: SweepSnapshot): string {
  const items = [...ss.items.values()].map((i) => ({
    number: i.data.number,
    title: i.data.title,
    labels: i.data.labels,
    owner: i.status.state.owner,
  }));
  const red = [...ss.trackingIssues.entries()].map(([workflow, issue]) => ({ workflow, issue: issue.number }));
  return renderDashboard(rc.config.labelNames, items, red);
}

export async function refreshDashboard(rc: RunContext, ss: SweepSnapshot): Promise<string> {
  const names = rc.config.labelNames;
  const body = dashboardBody(rc, ss);
  const existing = (await rc.forge.listOpenIssuesWithLabel(names.dashboard)).find((i) => i.body.includes(DASHBOARD_MARKER));
  if (!existing) {
    await rc.labels.ensure([names.dashboard]);
    const issue = await rc.forge.createIssue('agentloop dashboard', body, [names.dashboard]);
    return `opened the dashboard #${issue.number}`;
  }
  if (existing.body === body) return 'dashboard unchanged';
  await rc.forge.updateIssueBody(existing.number, body);
  return `updated the dashboard #${existing.number}`;
}
