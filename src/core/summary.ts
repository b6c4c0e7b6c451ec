// The job summary (DESIGN §9): event, item, labels before → after, transition and why, requests used.
import { checkRunsHiddenNotice } from './ci.js';
import type { LoopEvent } from './event.js';
import type { ForgeLimit } from './model.js';
import type { Decision } from './transition.js';

export interface SummaryInput {
  event: LoopEvent;
  eventName: string;
  decision: Decision;
  outcome?: {
    outcome: string;
    item?: number;
    labelsBefore?: string[];
    labelsAfter?: string[];
    message: string;
    links?: { label: string; url: string }[];
    agent?: { durationMs: number; costUsd?: number; inputTokens?: number; outputTokens?: number };
  };
  requests: number;
  /** The request budget (operations-per-run) and, when the run stopped at it, where. */
  budget?: { limit: number; stopped?: string };
  rateLimitRemaining?: number;
  /** Reads the token was refused and that were worked around (forge.limits()). */
  limits?: readonly ForgeLimit[];
  dryRun: boolean;
  durationMs: number;
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const labels = (ls: string[] | undefined) => (ls?.length ? ls.map(code).join(' ') : '—');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function describeEvent(event: LoopEvent, eventName: string): string {
  switch (event.kind) {
    case 'labeled':
    case 'unlabeled':
      return `${eventName} ${event.kind} ${event.label ? code(event.label) : ''} on #${event.number} by @${event.sender.login}`;
    case 'ci':
      return `workflow ${code(event.workflow)} ${event.conclusion} on ${code(event.headBranch)}`;
    case 'dispatch':
      return `dispatch${event.lane ? ` (${event.lane} lane)` : ''}${event.number ? ` for #${event.number}` : ''}${event.chain ? `, chain ${event.chain}` : ''}`;
    case 'schedule':
      return 'schedule';
    case 'pull-request':
      return `pull_request ${event.action} on #${event.number}`;
    case 'review':
      return `review on #${event.number} by @${event.sender.login}`;
    case 'other':
      return `${event.name}${event.action ? ` ${event.action}` : ''}`;
  }
}

export function renderSummary(s: SummaryInput): string {
  const t = s.decision.transition;
  const item = s.outcome?.item ?? ('item' in t ? t.item : 'issue' in t ? t.issue : 'pull' in t ? t.pull : undefined);
  const rows: [string, string][] = [
    ['event', describeEvent(s.event, s.eventName)],
    ['lane', s.decision.lane],
    ['item', item !== undefined ? `#${item}` : '—'],
    ['transition', `${code(t.kind)}${s.dryRun ? ' (dry run: nothing written)' : ''}`],
    ['why', t.reason],
  ];
  if (s.outcome) {
    rows.push(['outcome', `${s.outcome.outcome}: ${s.outcome.message}`]);
    rows.push(['labels', `${labels(s.outcome.labelsBefore)} → ${labels(s.outcome.labelsAfter)}`]);
    for (const link of s.outcome.links ?? []) rows.push([link.label, link.url]);
    const a = s.outcome.agent;
    if (a) {
      const parts = [`${(a.durationMs / 1000).toFixed(1)} s`];
      if (a.costUsd !== undefined) parts.push(`$${a.costUsd.toFixed(4)}`);
      if (a.inputTokens !== undefined) parts.push(`${a.inputTokens} in / ${a.outputTokens ?? 0} out tokens`);
      rows.push(['agent', parts.join(', ')]);
    }
  }
  rows.push(['API requests', s.budget ? `${s.requests} of ${s.budget.limit} (operations-per-run)` : String(s.requests)]);
  if (s.budget?.stopped) rows.push(['stopped', `${s.budget.stopped}; the next run continues from there`]);
  if (s.rateLimitRemaining !== undefined) rows.push(['rate limit left', String(s.rateLimitRemaining)]);
  if (s.limits?.includes('check-runs')) rows.push(['CI visibility', checkRunsHiddenNotice()]);
  rows.push(['duration', `${(s.durationMs / 1000).toFixed(1)} s`]);
  const lines = ['### agentloop', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)];
  if (s.decision.notes.length)
    lines.push('', '<details><summary>Other items</summary>', '', ...s.decision.notes.map((n) => `- ${n}`), '', '</details>');
  return `${lines.join('\n')}\n`;
}
