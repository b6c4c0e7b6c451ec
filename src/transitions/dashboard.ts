// The dashboard issue (DESIGN §9): every loop item by state and the stuck ones, kept by the sweep.
import { hasLabel, type LabelKey } from '../core/labels.js';
import type { RunContext } from '../runtime/run-context.js';
import type { SweepSnapshot } from '../runtime/sweep-snapshot.js';

export const DASHBOARD_MARKER = '<!-- agentloop:dashboard -->';
const ORDER: LabelKey[] = ['needSupervisor', 'planInProcess', 'codeInProcess', 'mergeInProcess', 'plan', 'code', 'codeCiPending', 'codeDone', 'merge', 'automerge', 'planDone'];

export function renderDashboard(rc: RunContext, ss: SweepSnapshot): string {
  const names = rc.config.labelNames;
  const rows: string[] = [];
  for (const item of [...ss.items.values()].sort((a, b) => a.data.number - b.data.number)) {
    const key = ORDER.find((k) => hasLabel(item.data.labels, names[k]));
    if (!key) continue;
    const owner = item.status.state.owner;
    const title = item.data.title.replace(/[|\n<>]/g, ' ').slice(0, 80);
    rows.push(`| #${item.data.number} | ${title} | \`${names[key]}\` | ${owner ? `run ${owner.runId} since ${owner.since.slice(0, 16).replace('T', ' ')}` : ''} |`);
  }
  const red = [...ss.trackingIssues.entries()].map(([workflow, issue]) => `- ${workflow}: #${issue.number}`);
  return [
    DASHBOARD_MARKER,
    '## agentloop dashboard',
    '',
    rows.length ? ['| item | title | state | owner |', '|---|---|---|---|', ...rows].join('\n') : 'No item is in the loop.',
    '',
    '### Red workflows on the default branch',
    red.length ? red.join('\n') : 'None.',
    '',
    `<sub>Kept up to date by the agentloop sweep. Items with \`${names.needSupervisor}\` wait for a human.</sub>`,
  ].join('\n');
}

export async function refreshDashboard(rc: RunContext, ss: SweepSnapshot): Promise<string> {
  const names = rc.config.labelNames;
  const body = renderDashboard(rc, ss);
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
