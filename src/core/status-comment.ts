// The one status comment per item: a human-readable checklist plus hidden JSON state (DESIGN §2, §9).
// Found by its marker, edited in place. Humans may edit the visible text; the state survives.

import type { Approval } from './approval.js';

export const STATUS_MARKER = '<!-- agentloop:status -->';
const STATE_RE = /<!--\s*agentloop:state\s+([\s\S]*?)\s*-->/;

export interface AttemptRecord {
  transition: string;
  runId: string;
  at: string;
  outcome: string;
}

export interface LoopState {
  v: 1;
  /** The run that owns the item while a `*-in-process` label is on it. */
  owner?: { runId: string; runUrl?: string; lane: string; since: string };
  /** Requeues after a lost run (sweep). */
  attempt: number;
  fixAttempts: number;
  /** Head SHA agentloop last pushed (or decided on), and when it pushed it. */
  headSha?: string;
  pushedAt?: string;
  pull?: number;
  /** "label@login" already refused, so a refusal is said once. */
  refused?: string;
  /** Head SHA the forge refused to merge (reviews, rules): no retry until the head changes. */
  mergeBlockedSha?: string;
  /** update-branch was requested for this head (the forge answers 202 and works asynchronously). */
  updateRequested?: { sha: string; at: string };
  /** Head SHA for which the "no CI appeared" note was posted. */
  ciMissingNotified?: string;
  /** What the writer who applied the trigger label approved (digests of the title, body and discussion). */
  approved?: Approval;
  history: AttemptRecord[];
}

export const emptyState = (): LoopState => ({ v: 1, attempt: 0, fixAttempts: 0, history: [] });

export function isStatusComment(body: string): boolean {
  return body.includes(STATUS_MARKER);
}

/** Read the state from a status comment; damaged or missing JSON yields a fresh state (never throws). */
export function parseState(body: string | undefined): LoopState {
  const match = body ? STATE_RE.exec(body) : null;
  if (!match) return emptyState();
  try {
    const data = JSON.parse(match[1]!.replace(/--\\u003e/g, '-->')) as Partial<LoopState>;
    if (typeof data !== 'object' || data === null) return emptyState();
    return {
      ...emptyState(),
      ...data,
      v: 1,
      attempt: Number.isInteger(data.attempt) ? data.attempt! : 0,
      fixAttempts: Number.isInteger(data.fixAttempts) ? data.fixAttempts! : 0,
      history: Array.isArray(data.history) ? data.history.slice(-20) : [],
    };
  } catch {
    return emptyState();
  }
}

function encodeState(state: LoopState): string {
  // "-->" inside a string would end the HTML comment early.
  return JSON.stringify({ ...state, history: state.history.slice(-20) }).replace(/-->/g, '--\\u003e');
}

export type StepState = 'done' | 'current' | 'todo' | 'failed' | 'skipped';

export interface StatusView {
  title: string;
  steps: { label: string; state: StepState }[];
  /** One or two sentences: what is happening or what went wrong, and what to do. */
  message: string;
  runUrl?: string;
  details?: string[];
}

const BOX: Record<StepState, string> = { done: '[x]', current: '[ ]', todo: '[ ]', failed: '[ ]', skipped: '[x]' };
const SUFFIX: Record<StepState, string> = { done: '', current: ' ← now', todo: '', failed: ' ✗', skipped: ' (skipped)' };

export function renderStatusComment(view: StatusView, state: LoopState): string {
  const lines = [
    STATUS_MARKER,
    `### agentloop · ${view.title}`,
    '',
    ...view.steps.map((s) => `- ${BOX[s.state]} ${s.label}${SUFFIX[s.state]}`),
    '',
    view.message,
  ];
  if (view.details?.length) lines.push('', ...view.details.map((d) => `- ${d}`));
  if (view.runUrl) lines.push('', `[run log](${view.runUrl})`);
  lines.push('', `<!-- agentloop:state ${encodeState(state)} -->`);
  return lines.join('\n');
}

/** The status comment among an item's comments: the newest one carrying the marker, by agentloop's own author if known. */
export function findStatusComment<C extends { body: string; author: { login: string } }>(
  comments: readonly C[],
  selfLogin?: string | null,
): C | undefined {
  const ours = comments.filter((c) => isStatusComment(c.body));
  const bySelf = selfLogin ? ours.filter((c) => c.author.login.toLowerCase() === selfLogin.toLowerCase()) : [];
  return (bySelf.length ? bySelf : ours).at(-1);
}
