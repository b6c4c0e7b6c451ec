// The strict prompt template renderer (DESIGN §5).
//
// Templates use `{{name}}` (whitespace inside the braces is allowed: `{{ issue.title }}`). Every name
// must be one of PROMPT_VARIABLES; anything else, including `{{}}` or `{{#if x}}`, is a PromptError that
// names the variable and the template and lists what is available. `\{{` renders a literal `{{`.
//
// Rendering is a single pass: text inserted for one variable is never scanned for more variables, so
// an issue body containing `{{plan}}` stays text.
//
// Untrusted values (written by users, or by an agent from users' text) are sanitized and fenced as data
// by the renderer itself, so a template author cannot forget to. Markdown (the body, the plan) is
// reduced to what the forge renders; plain text (the title, which the forge shows literally, logs,
// files) loses HTML comments and invisible characters; the thread arrives reduced per comment
// (formatThread). A value may carry a note from agentloop (what was left out), rendered below the
// fence. Trusted values (numbers, names that agentloop computed, URLs the forge returned, the appendix
// from config) are inserted as they are.
//
// Absent values: every variable is known to every prompt, but not every transition has a value for it
// (a plan run has no PR, a code run has no CI logs). A known variable whose value is undefined or null
// renders as "(none)" — visible, so the agent does not read an empty fence as "the plan is empty" —
// except `appendix`, which is an optional trailing addition and renders as nothing. An untrusted value
// that is empty once sanitized renders as "(empty)" instead of an empty fence.

import { fenceAsData, type KeepPart, sanitizeMarkdown, sanitizeText, stripInvisible } from './sanitize.js';

export const PROMPT_NAMES = ['plan', 'code', 'fix-ci', 'rebase', 'breakdown', 'address-review', 'review'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

interface UntrustedSpec {
  /** Used in the header above the fence: "The following <label> is untrusted data …". */
  label: string;
  maxChars: number;
  keep: KeepPart;
  /** markdown: sanitizeMarkdown; text: sanitizeText; reduced: already reduced, invisible characters only. */
  as: 'markdown' | 'text' | 'reduced';
}

const SANITIZERS: Record<UntrustedSpec['as'], (text: string) => string> = {
  markdown: sanitizeMarkdown,
  text: sanitizeText,
  reduced: stripInvisible,
};

interface VariableSpec {
  description: string;
  /** Present for untrusted values: sanitized, capped and fenced. */
  untrusted?: UntrustedSpec;
  /** Rendered when the value is absent. */
  absent: string;
}

const NONE = '(none)';
const EMPTY = '(empty)';

/** Every variable a template may use, with what it holds. Order is the order shown in errors. */
export const PROMPT_VARIABLE_SPECS = {
  'issue.number': { description: 'the issue number', absent: NONE },
  'issue.title': {
    description: 'the issue title (untrusted, fenced)',
    untrusted: { label: 'issue title', maxChars: 1_000, keep: 'start', as: 'text' },
    absent: NONE,
  },
  'issue.body': {
    description: 'the issue body (untrusted, fenced)',
    untrusted: { label: 'issue body', maxChars: 30_000, keep: 'start', as: 'markdown' },
    absent: NONE,
  },
  'issue.url': { description: 'the issue web URL', absent: NONE },
  thread: {
    description: 'comments by people with write access made before the trigger, oldest first (untrusted, fenced)',
    untrusted: { label: 'issue discussion', maxChars: 30_000, keep: 'end', as: 'reduced' },
    absent: NONE,
  },
  plan: {
    description: "agentloop's plan comment for the issue, if any (untrusted, fenced)",
    untrusted: { label: 'plan', maxChars: 30_000, keep: 'start', as: 'markdown' },
    absent: NONE,
  },
  repo: { description: 'owner/name of the repository', absent: NONE },
  default_branch: { description: 'the default branch name', absent: NONE },
  branch: { description: 'the working branch (agentloop/issue-N)', absent: NONE },
  'pr.number': { description: 'the pull request number', absent: NONE },
  'pr.url': { description: 'the pull request web URL', absent: NONE },
  'ci.logs': {
    description: "tails of the failing jobs' logs (untrusted, fenced)",
    untrusted: { label: 'CI log excerpt', maxChars: 40_000, keep: 'end', as: 'text' },
    absent: NONE,
  },
  'ci.failing': {
    description: 'the failing checks/jobs and steps (untrusted, fenced)',
    untrusted: { label: 'list of failing CI jobs', maxChars: 5_000, keep: 'start', as: 'text' },
    absent: NONE,
  },
  attempt: { description: 'this fix attempt, counting from 1', absent: NONE },
  max_attempts: { description: 'the most fix attempts allowed', absent: NONE },
  max_issues: { description: 'the most child issues a breakdown may propose (max-breakdown-issues)', absent: NONE },
  conflicts: {
    description: 'the files a rebase stopped on, with conflict markers (untrusted, fenced)',
    untrusted: { label: 'list of conflicted files', maxChars: 10_000, keep: 'start', as: 'text' },
    absent: NONE,
  },
  reviews: {
    description: "the reviews asking for changes, each with its comments on lines (file:line), writers' only (untrusted, fenced)",
    untrusted: { label: 'review', maxChars: 30_000, keep: 'start', as: 'markdown' },
    absent: NONE,
  },
  round: { description: 'this review round, counting from 1', absent: NONE },
  max_rounds: { description: 'the most review rounds allowed (max-review-rounds)', absent: NONE },
  diff: {
    description: "the pull request's changes against its base, as a unified diff (untrusted, fenced)",
    untrusted: { label: 'diff', maxChars: 60_000, keep: 'start', as: 'text' },
    absent: NONE,
  },
  appendix: { description: 'optional extra instructions from configuration (empty when none)', absent: '' },
  requester: { description: 'login of the person who applied the trigger label', absent: NONE },
} as const satisfies Record<string, VariableSpec>;

export type PromptVariable = keyof typeof PROMPT_VARIABLE_SPECS;
export const PROMPT_VARIABLES = Object.keys(PROMPT_VARIABLE_SPECS) as PromptVariable[];

/** A value with a line agentloop adds below it, outside the data fence (e.g. what was left out). */
export interface NotedValue {
  text: string;
  note: string;
}

/** Values for one render. Any key may be absent (see the header comment for how that renders). */
export type PromptVars = Partial<Record<PromptVariable, string | number | NotedValue | null | undefined>>;

export function isPromptVariable(name: string): name is PromptVariable {
  return Object.hasOwn(PROMPT_VARIABLE_SPECS, name);
}

export class PromptError extends Error {
  override readonly name = 'PromptError';
  /** The template's name or path as given to the renderer/validator. */
  readonly template: string;
  /** The unknown variable names, in order of first use. */
  readonly variables: readonly string[];

  constructor(message: string, template: string, variables: readonly string[]) {
    super(message);
    this.template = template;
    this.variables = variables;
  }
}

// `\{{…}}` (escaped) or `{{…}}`; the inner part cannot contain braces.
const PLACEHOLDER = /(\\?)\{\{([^{}]*)\}\}/g;

/** The variable names a template uses (known or not), each once, in order of first use. */
export function variablesOf(template: string): string[] {
  const seen = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m[1] === '\\') continue;
    seen.add((m[2] ?? '').trim());
  }
  return [...seen];
}

/** The names a template uses that are not PROMPT_VARIABLES. */
export function unknownVariables(template: string): string[] {
  return variablesOf(template).filter((v) => !isPromptVariable(v));
}

/**
 * Throw a PromptError when the template uses an unknown variable. `name` identifies the template in
 * the message (a prompt name, or the override's path).
 */
export function validateTemplate(template: string, name?: string): void {
  const unknown = unknownVariables(template);
  if (unknown.length > 0) throw unknownError(unknown, name);
}

export interface RenderOptions {
  /** Identifies the template in error messages, e.g. 'code' or '.agentloop/prompts/code.md'. */
  name?: string;
}

/** Render a template. Throws PromptError (before producing anything) on an unknown variable. */
export function renderPrompt(template: string, vars: PromptVars, opts: RenderOptions = {}): string {
  validateTemplate(template, opts.name);
  const out = template.replace(PLACEHOLDER, (whole: string, backslash: string, inner: string, offset: number) => {
    if (backslash === '\\') return whole.slice(1);
    const name = inner.trim() as PromptVariable;
    const spec: VariableSpec = PROMPT_VARIABLE_SPECS[name];
    const value = vars[name];
    if (value === undefined || value === null) return spec.absent;
    const text = typeof value === 'object' ? value.text : String(value);
    const note = typeof value === 'object' && value.note ? `\n${value.note}` : '';
    if (!spec.untrusted) return `${text}${note}`;
    const block = fenceUntrusted(text, spec.untrusted);
    if (block === null) return `${EMPTY}${note}`;
    // A fence only works at the start of a line: give the block lines of its own.
    const before = offset > 0 && template[offset - 1] !== '\n' ? '\n' : '';
    const end = offset + whole.length;
    const after = end < template.length && template[end] !== '\n' ? '\n' : '';
    return `${before}${block}${note}${after}`;
  });
  return `${out.replace(/\s+$/, '')}\n`;
}

function fenceUntrusted(value: string, spec: UntrustedSpec): string | null {
  const sanitize = SANITIZERS[spec.as];
  const clean = sanitize(value);
  if (clean.trim() === '') return null;
  // Already clean: the fence's own pass only strips invisible characters (idempotent on this text).
  return fenceAsData(spec.label, clean, { maxChars: spec.maxChars, keep: spec.keep, sanitize: stripInvisible });
}

function unknownError(unknown: readonly string[], name: string | undefined): PromptError {
  const which = name ? `Prompt template "${name}"` : 'The prompt template';
  const list = unknown.map((v) => `{{${v}}}${hint(v)}`).join(', ');
  const noun = unknown.length === 1 ? 'an unknown variable' : 'unknown variables';
  const available = PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(', ');
  return new PromptError(
    `${which} uses ${noun}: ${list}. Available variables: ${available}. (Write \\{{ for a literal "{{".)`,
    name ?? '',
    unknown,
  );
}

function hint(unknown: string): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of PROMPT_VARIABLES) {
    const d = editDistance(unknown.toLowerCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === null ? '' : ` (did you mean {{${best}}}?)`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
