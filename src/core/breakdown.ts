// Breakdown (DESIGN §3): a read-only agent proposes child issues for a spec; agentloop posts them as one
// comment — a checklist people read plus the proposal as hidden JSON — and, once a writer approves,
// creates each child once. Pure: parsing the agent's answer, the comment, the children's bodies.

import * as z from 'zod';
import { defuseMentions, oneLine } from './escalation.js';
import { keyOfLabel, type LabelNames } from './labels.js';
import { capText, sanitizeText } from './sanitize.js';

/** The visible marker of the proposal comment (the first line); its state follows in STATE_RE. */
export const PROPOSAL_MARKER = '<!-- agentloop:breakdown-proposal -->';
const STATE_RE = /<!--\s*agentloop:breakdown-state\s+([\s\S]*?)\s*-->/;
const CHILD_RE = /<!--\s*agentloop:breakdown-of\s+#(\d+)\s+(\d+)\s*-->/;

/** GitHub caps a comment at 65,536 characters: the proposal stays below, with room to spare. */
const MAX_COMMENT = 60_000;
/** The bodies of one proposal share this many characters (each body at most BODY_MAX). */
const BODIES_BUDGET = 20_000;
const BODY_MAX = 4_000;
export const TITLE_MAX = 200;

export interface ProposedIssue {
  title: string;
  body: string;
  labels: string[];
}

export interface Proposal {
  v: 1;
  /** The spec issue the children belong to. */
  of: number;
  items: ProposedIssue[];
  /** created[k]: the number child k+1 got, recorded right after it was created; null until then. */
  created: (number | null)[];
  /**
   * When a run first began creating children (the runner's clock). Absent: nothing can exist yet, so no
   * run needs to look; present: a run killed between creating a child and recording it may have left one,
   * which the next run finds among the issues updated since (minus a margin for clock skew).
   */
  started?: string;
  /** Said under the checklist: labels left out, proposals beyond max-breakdown-issues. */
  notes: string[];
}

/** What decide() needs to know of the proposal on an issue (core/decide/breakdown.ts). */
export interface ProposalSummary {
  /** When the proposal comment was posted (the forge's clock): an approval applied before it did not see it. */
  postedAt: string;
  total: number;
  created: number;
}

// ---- the agent's answer ----

const answerSchema = z
  .array(
    z.object({
      title: z
        .string()
        .trim()
        .min(1, 'a title is required')
        .max(TITLE_MAX * 2),
      body: z.string().max(60_000).default(''),
      labels: z.array(z.string().trim().min(1).max(50)).max(10).default([]),
    }),
  )
  .min(1, 'the list is empty');

export type AnswerRead = { ok: true; items: ProposedIssue[]; beyond: string[] } | { ok: false; why: string };

/** The JSON array in the agent's final message: the last ```json block, else the last fenced block, else the whole text. */
export function parseAnswer(text: string, max: number): AnswerRead {
  const blocks = [...text.matchAll(/(?:^|\n)[ \t]*(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)\n[ \t]*\1[ \t]*(?=\n|$)/g)].map((m) => ({
    info: m[2]!.trim().toLowerCase(),
    text: m[3]!,
  }));
  const chosen = blocks.filter((b) => b.info === 'json').at(-1) ?? blocks.at(-1);
  const raw = chosen?.text ?? text.trim();
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, why: `its answer holds no JSON array of issues in a fenced block (${(err as Error).message.split('\n')[0]})` };
  }
  const parsed = answerSchema.safeParse(data);
  if (!parsed.success)
    return { ok: false, why: `its answer is not a list of issues as asked: ${oneLine(z.prettifyError(parsed.error), 400)}` };
  const items = parsed.data.map((i) => ({ title: i.title, body: i.body, labels: i.labels }));
  return { ok: true, items: items.slice(0, max), beyond: items.slice(max).map((i) => i.title) };
}

// ---- labels a child may get ----

/**
 * The labels a child may carry: the repository's own, never agentloop's (its catalog, or anything with
 * its prefix). A child born with `loop/code` or `automerge` would start work nobody with write access
 * asked for: agentloop's own labels authorize themselves (docs/design-decisions.md, "Breakdown").
 */
export function allowedLabels(repoLabels: readonly string[], names: LabelNames, prefix: string): string[] {
  const p = prefix.toLowerCase();
  return repoLabels.filter((l) => !keyOfLabel(names, l) && !(p !== '' && l.toLowerCase().startsWith(p)));
}

/** The proposal as agentloop posts it: text cleaned, bodies capped, labels limited to `allowed`. */
export function cleanProposal(
  of: number,
  items: readonly ProposedIssue[],
  allowed: readonly string[],
  beyond: readonly string[],
): Proposal {
  const perBody = Math.min(BODY_MAX, Math.floor(BODIES_BUDGET / Math.max(1, items.length)));
  const dropped = new Set<string>();
  const clean = items.map((i) => {
    const labels: string[] = [];
    for (const l of i.labels) {
      const known = allowed.find((a) => a.toLowerCase() === l.toLowerCase());
      if (!known) dropped.add(sanitizeText(l));
      else if (!labels.includes(known)) labels.push(known);
    }
    return {
      title: oneLine(sanitizeText(i.title), TITLE_MAX),
      body: capText(defuseMentions(sanitizeText(i.body)).trim(), { maxChars: perBody }),
      labels,
    };
  });
  const notes: string[] = [];
  if (dropped.size)
    notes.push(
      `Labels left out (only the repository's existing labels, never agentloop's own): ${[...dropped].map((l) => `\`${oneLine(l, 50).replace(/`/g, '')}\``).join(', ')}.`,
    );
  if (beyond.length)
    notes.push(
      `The agent proposed ${beyond.length} more (max-breakdown-issues): ${beyond.map((t) => `“${escapeMd(oneLine(sanitizeText(t), 80))}”`).join(', ')}.`,
    );
  return { v: 1, of, items: clean, created: clean.map(() => null), notes };
}

// ---- the proposal comment ----

/** A title inside `**…**`: no Markdown or HTML of its own. */
const escapeMd = (text: string) => text.replace(/[\\`*_[\]<>|#]/g, '\\$&');

/** The first line of a body that says something, for the checklist: its inline Markdown kept, no HTML. */
function summaryOf(body: string): string {
  const line = body
    .split('\n')
    .map((l) => l.replace(/^\s*(?:#+|[-*+]|\d+[.)])\s+/, '').trim())
    .find((l) => l !== '');
  return line ? oneLine(line, 120).replace(/[<>]/g, '\\$&') : '';
}

export interface ProposalText {
  /** Where the person who approves finds the label to apply. */
  approveLabel: string;
  max: number;
}

/** The whole comment, from the proposal alone (every edit re-renders it: the state is the truth). */
export function renderProposal(p: Proposal, t: ProposalText): string {
  const done = p.created.filter((n) => n !== null).length;
  const lines = p.items.map((item, k) => {
    const n = p.created[k];
    const summary = summaryOf(item.body);
    const labels = item.labels.map((l) => `\`${l.replace(/`/g, '')}\``).join(' ');
    return `- [${n !== null && n !== undefined ? 'x' : ' '}] ${n ? `#${n} ` : ''}**${escapeMd(item.title)}**${summary ? ` — ${summary}` : ''}${labels ? ` ${labels}` : ''}`;
  });
  const head =
    done === p.items.length
      ? `agentloop created these ${done} issues, each linking back here.`
      : done > 0 || p.started
        ? `agentloop is creating these issues (${done} of ${p.items.length} so far).`
        : `agentloop proposes ${p.items.length} issue(s) for this spec. A maintainer applies \`${t.approveLabel}\` to create them (at most ${t.max}: max-breakdown-issues), each once; nothing is created before.`;
  const details = [
    '<details><summary>The proposed issues in full</summary>',
    '',
    ...p.items.flatMap((item, k) => [`#### ${k + 1}. ${escapeMd(item.title)}`, '', item.body || '(no description)', '']),
    '</details>',
  ];
  const state = `<!-- agentloop:breakdown-state ${encode(p)} -->`;
  const parts = (full: boolean) =>
    [
      PROPOSAL_MARKER,
      '## Breakdown',
      '',
      head,
      '',
      ...lines,
      ...(p.notes.length ? ['', ...p.notes] : []),
      '',
      ...(full ? details : ['(The full texts are too long to show here.)']),
      '',
      state,
    ].join('\n');
  const full = parts(true);
  return full.length <= MAX_COMMENT ? full : parts(false);
}

function encode(p: Proposal): string {
  // "-->" inside a string would end the HTML comment early (as in the status comment).
  return JSON.stringify(p).replace(/-->/g, '--\\u003e');
}

const proposalSchema = z.object({
  v: z.literal(1),
  of: z.number().int().positive(),
  items: z.array(z.object({ title: z.string(), body: z.string(), labels: z.array(z.string()) })).min(1),
  created: z.array(z.number().int().positive().nullable()),
  started: z.string().optional(),
  notes: z.array(z.string()).default([]),
});

/** The proposal in a comment, or undefined when there is none or it is damaged (never throws). */
export function readProposal(body: string): Proposal | undefined {
  if (!body.includes(PROPOSAL_MARKER)) return undefined;
  const m = STATE_RE.exec(body);
  if (!m) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(m[1]!.replace(/--\\u003e/g, '-->'));
  } catch {
    return undefined;
  }
  const parsed = proposalSchema.safeParse(data);
  if (!parsed.success || parsed.data.created.length !== parsed.data.items.length) return undefined;
  const { started, ...rest } = parsed.data;
  return { ...rest, ...(started !== undefined ? { started } : {}) };
}

/**
 * The newest proposal among an issue's comments, by a comment `own` accepts as agentloop's. A damaged
 * newest one is no proposal: an older one is never approved in its place.
 */
export function findProposal<C extends { body: string; author: { login: string } }>(
  comments: readonly C[],
  own: (c: C) => boolean,
): { comment: C; proposal: Proposal } | undefined {
  const newest = comments.filter((c) => c.body.includes(PROPOSAL_MARKER) && own(c)).at(-1);
  const proposal = newest && readProposal(newest.body);
  return newest && proposal ? { comment: newest, proposal } : undefined;
}

export function summarize(p: Proposal, postedAt: string): ProposalSummary {
  return { postedAt, total: p.items.length, created: p.created.filter((n) => n !== null).length };
}

// ---- the children ----

/** The hidden line in child k's body (1-based) that lets a later run find it: never created twice. */
export function childMarker(of: number, k: number): string {
  return `<!-- agentloop:breakdown-of #${of} ${k} -->`;
}

export function childBody(p: Proposal, k: number): string {
  const item = p.items[k - 1]!;
  return `${item.body ? `${item.body}\n\n` : ''}Part of #${p.of}.\n\n${childMarker(p.of, k)}`;
}

/** Which child of `of` an issue body says it is (1-based), if any. */
export function childIndex(body: string, of: number): number | undefined {
  const m = CHILD_RE.exec(body);
  return m && Number(m[1]) === of ? Number(m[2]) : undefined;
}

/** How long before `started` a lost run's child may carry as its update time (clocks of runner and forge differ). */
export const CLOCK_MARGIN_MS = 10 * 60_000;
