// The dashboard issue's body (DESIGN §9): every loop item by state and who owns it, and the red workflows.
import type { Finding } from './doctor.js';
import { hasLabel, type LabelKey, type LabelNames } from './labels.js';
import type { LoopState } from './status-comment.js';

export const DASHBOARD_MARKER = '<!-- agentloop:dashboard -->';
const ORDER: LabelKey[] = [
  'needSupervisor',
  'planInProcess',
  'codeInProcess',
  'mergeInProcess',
  'breakdownInProcess',
  'plan',
  'code',
  'codeCiPending',
  'codeDone',
  'merge',
  'automerge',
  'breakdown',
  'breakdownApprove',
  'planDone',
];

export interface DashboardItem {
  number: number;
  title: string;
  labels: readonly string[];
  owner?: LoopState['owner'];
}

export function renderDashboard(
  names: LabelNames,
  items: readonly DashboardItem[],
  red: readonly { workflow: string; issue: number }[],
  /** The sweep's cheap doctor checks (the labels); absent: no setup section. */
  health?: readonly Finding[],
): string {
  const rows: string[] = [];
  for (const item of [...items].sort((a, b) => a.number - b.number)) {
    const key = ORDER.find((k) => hasLabel(item.labels, names[k]));
    if (!key) continue;
    const title = item.title.replace(/[|\n<>]/g, ' ').slice(0, 80);
    const owner = item.owner ? `run ${item.owner.runId} since ${item.owner.since.slice(0, 16).replace('T', ' ')}` : '';
    rows.push(`| #${item.number} | ${title} | \`${names[key]}\` | ${owner} |`);
  }
  return [
    DASHBOARD_MARKER,
    '## agentloop dashboard',
    '',
    rows.length ? ['| item | title | state | owner |', '|---|---|---|---|', ...rows].join('\n') : 'No item is in the loop.',
    '',
    '### Red workflows on the default branch',
    red.length ? red.map((r) => `- ${r.workflow}: #${r.issue}`).join('\n') : 'None.',
    ...(health ? ['', '### Setup', healthText(health)] : []),
    '',
    `<sub>Kept up to date by the agentloop sweep. Items with \`${names.needSupervisor}\` wait for a human.</sub>`,
  ].join('\n');
}

/** Doctor findings as Markdown: the problems and warnings with their fix, or one line when all is well. */
function healthText(health: readonly Finding[]): string {
  const bad = health.filter((f) => f.level !== 'ok');
  if (bad.length === 0)
    return `${health.map((f) => f.message).join('; ') || 'No problem found'}. \`npx agentloop doctor\` checks the rest (token, settings, workflows).`;
  return bad
    .map((f) => {
      const [first, ...more] = (f.fix ?? '').split('\n');
      return [
        `- **${f.level}**: ${f.message}`,
        ...(first ? [`  fix: ${first}`] : []),
        ...(more.length ? ['  ```sh', ...more.map((l) => `  ${l}`), '  ```'] : []),
      ].join('\n');
    })
    .join('\n');
}
