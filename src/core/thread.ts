// Which comments go into a prompt (DESIGN §5, §8): only comments by people with write access, made
// before the trigger label was applied and not edited since — so nobody without write access, and
// nobody after a writer approved the work by labelling it, can add or change instructions. Pure.

import type { CommentData } from './model.js';
import { sanitizeMarkdown, sanitizeText } from './sanitize.js';

/** Hidden marker agentloop puts in its plan comment; findPlan looks for it. */
export const PLAN_MARKER = '<!-- agentloop:plan -->';

export interface SelectThreadOptions {
  /** Lowercased logins of people with write (or maintain/admin) access. */
  writers: ReadonlySet<string>;
  /** ISO time the trigger label was applied; only comments created strictly before it, and not edited at or after it, count. */
  before: string;
  /** Drop these too (e.g. agentloop's own status and plan comments). */
  exclude?: (comment: CommentData) => boolean;
  /** Keep at most this many comments: the most recent ones. */
  maxComments?: number;
}

export interface ThreadSelection {
  /** The comments that go into the prompt, oldest first. */
  comments: CommentData[];
  /** Writers' comments made before the trigger but edited at or after it: left out, and said so. */
  edited: number;
}

/**
 * The comments that may go into a prompt, oldest first. A comment or trigger time that does not parse
 * is treated as "not provably before the trigger" and dropped (fail closed); so is an edit time.
 */
export function selectThread(comments: readonly CommentData[], opts: SelectThreadOptions): ThreadSelection {
  const cutoff = Date.parse(opts.before);
  if (Number.isNaN(cutoff)) return { comments: [], edited: 0 };
  const before = comments
    .filter((c) => opts.writers.has(c.author.login.toLowerCase()))
    .filter((c) => {
      const t = Date.parse(c.createdAt);
      return !Number.isNaN(t) && t < cutoff;
    })
    .filter((c) => !(opts.exclude?.(c) ?? false));
  const unedited = (c: CommentData) => {
    const t = Date.parse(c.updatedAt);
    return !Number.isNaN(t) && t < cutoff;
  };
  const kept = before.filter(unedited).sort(byCreated);
  const edited = before.length - kept.length;
  const max = opts.maxComments;
  if (max !== undefined && kept.length > max) return { comments: kept.slice(kept.length - Math.max(0, max)), edited };
  return { comments: kept, edited };
}

/** The one-line note for a prompt when comments were left out because they were edited after the trigger. */
export function editedNote(edited: number): string | undefined {
  if (edited <= 0) return undefined;
  return edited === 1
    ? '(1 comment edited after the request was left out.)'
    : `(${edited} comments edited after the request were left out.)`;
}

/**
 * Comments as prompt text: `@login (YYYY-MM-DD HH:MM UTC):` then the body reduced to what the forge
 * renders (sanitizeMarkdown, each comment on its own so one cannot hide the next), separated by blank
 * lines. Comments empty once sanitized (e.g. only an HTML comment) are left out. The result is still
 * untrusted: the renderer fences it when it is used as `{{thread}}`.
 */
export function formatThread(comments: readonly CommentData[]): string {
  const parts: string[] = [];
  for (const c of comments) {
    const body = sanitizeMarkdown(c.body).trim();
    if (body === '') continue;
    const login = sanitizeText(c.author.login).replace(/\s+/g, '');
    parts.push(`@${login} (${formatDate(c.createdAt)}):\n${body}`);
  }
  return parts.join('\n\n');
}

/**
 * The latest comment containing the plan marker, with the marker removed, or null when there is none.
 * Anyone can type the hidden marker into a comment: pass `from` (e.g. "written by agentloop's own
 * account") so only real plan comments count.
 */
export function findPlan(
  comments: readonly CommentData[],
  marker: string = PLAN_MARKER,
  opts: { from?: (comment: CommentData) => boolean } = {},
): string | null {
  const candidates = comments
    .filter((c) => c.body.includes(marker))
    .filter((c) => opts.from?.(c) ?? true)
    .sort(byCreated);
  const latest = candidates[candidates.length - 1];
  if (!latest) return null;
  return latest.body.split(marker).join('').trim();
}

function byCreated(a: CommentData, b: CommentData): number {
  const d = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (d !== 0 && !Number.isNaN(d)) return d;
  return a.id - b.id;
}

function formatDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown date';
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
