// `${{ }}` expressions for the embedded forge, evaluated with GitHub's own evaluator
// (@actions/expressions: Lexer → Parser → Evaluator over a data.Dictionary).
import { data, Evaluator, Lexer, type Result as LexResult, Parser } from '@actions/expressions';
import type { ConcurrencySpec, ForgeFlavor, TriggerEvent } from './workflow-parse.js';

type ExpressionData = data.ExpressionData;

/** Status of the job so far, for `success()` / `failure()` / `cancelled()` (job-level `if:` = success). */
export type JobStatus = 'success' | 'failure' | 'cancelled';

export interface ExpressionContext {
  github: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  env?: Record<string, string>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  steps?: Record<string, unknown>;
  needs?: Record<string, unknown>;
  job?: Record<string, unknown>;
  runner?: Record<string, unknown>;
  matrix?: Record<string, unknown>;
  strategy?: Record<string, unknown>;
  /** Drives the status functions; default 'success'. */
  status?: JobStatus;
}

const CONTEXT_NAMES = ['github', 'inputs', 'env', 'vars', 'secrets', 'steps', 'needs', 'job', 'runner', 'matrix', 'strategy'] as const;

const STATUS_FUNCTIONS = ['success', 'always', 'failure', 'cancelled'];

function toData(value: unknown): ExpressionData {
  const json = JSON.stringify(value ?? null);
  return JSON.parse(json ?? 'null', data.reviver) as ExpressionData;
}

function toPlain(d: ExpressionData | undefined): unknown {
  if (d === undefined) return null;
  switch (d.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
      return (d as data.BooleanData).value;
    case data.Kind.Number:
      return d.number();
    case data.Kind.String:
      return d.coerceString();
    case data.Kind.Array:
      return (d as { values(): ExpressionData[] }).values().map(toPlain);
    default: {
      const out: Record<string, unknown> = {};
      for (const p of (d as data.Dictionary).pairs()) out[p.key] = toPlain(p.value);
      return out;
    }
  }
}

function contextDictionary(ctx: ExpressionContext): data.Dictionary {
  const dict = new data.Dictionary();
  for (const name of CONTEXT_NAMES) dict.add(name, toData(ctx[name] ?? {}));
  return dict;
}

function statusFunctions(status: JobStatus) {
  const fn = (name: string, result: () => boolean) => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: (): ExpressionData => new data.BooleanData(result()),
  });
  return [
    fn('success', () => status === 'success'),
    fn('always', () => true),
    fn('failure', () => status === 'failure'),
    fn('cancelled', () => status === 'cancelled'),
  ];
}

function evaluateData(expr: string, ctx: ExpressionContext): ExpressionData {
  try {
    const tokens = new Lexer(expr).lex().tokens;
    const funcs = statusFunctions(ctx.status ?? 'success');
    const ast = new Parser(tokens, [...CONTEXT_NAMES], funcs).parse();
    const result = new Evaluator(ast, contextDictionary(ctx), new Map(funcs.map((f) => [f.name, f]))).evaluate();
    return result ?? new data.Null();
  } catch (err) {
    throw new Error(`invalid expression \`${expr}\`: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Evaluates one expression (written WITHOUT `${{ }}`) to a plain JS value. Throws on syntax errors. */
export function evaluate(expr: string, ctx: ExpressionContext): unknown {
  return toPlain(evaluateData(expr, ctx));
}

/** GitHub's truthiness: false, 0, -0, NaN, '' and null are falsy; objects and arrays are truthy. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return true;
}

interface Segment {
  literal?: string;
  expr?: string;
}

/** Splits a string into literal text and `${{ … }}` expressions (string literals may contain `}}`). */
function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${{', i);
    if (open < 0) {
      out.push({ literal: text.slice(i) });
      break;
    }
    if (open > i) out.push({ literal: text.slice(i, open) });
    let j = open + 3;
    let inString = false;
    let close = -1;
    while (j < text.length) {
      const c = text[j];
      if (inString) {
        if (c === "'") {
          if (text[j + 1] === "'") j++;
          else inString = false;
        }
      } else if (c === "'") {
        inString = true;
      } else if (c === '}' && text[j + 1] === '}') {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new Error(`unterminated \${{ in \`${text}\``);
    out.push({ expr: text.slice(open + 3, close).trim() });
    i = close + 2;
  }
  return out;
}

/** Replaces every `${{ … }}` in a string with its value coerced to a string (null → ''). */
export function evaluateTemplate(text: string, ctx: ExpressionContext): string {
  if (!text.includes('${{')) return text;
  return segments(text)
    .map((s) => (s.expr === undefined ? (s.literal ?? '') : coerce(evaluateData(s.expr, ctx))))
    .join('');
}

function coerce(d: ExpressionData): string {
  return d.kind === data.Kind.Null ? '' : d.coerceString();
}

/**
 * Evaluates a raw value that may be exactly one `${{ }}` (keeping its type: boolean, number, …)
 * or a template (→ string) or a plain literal.
 */
export function evaluateValue(raw: string | boolean | number, ctx: ExpressionContext): unknown {
  if (typeof raw !== 'string') return raw;
  const segs = segments(raw);
  if (segs.length === 1 && segs[0]?.expr !== undefined) return evaluate(segs[0].expr, ctx);
  return evaluateTemplate(raw, ctx);
}

function usesStatusFunction(expr: string): boolean {
  let tokens: LexResult['tokens'];
  try {
    tokens = new Lexer(expr).lex().tokens;
  } catch {
    return false; // evaluate() reports the syntax error
  }
  return tokens.some((t, i) => STATUS_FUNCTIONS.includes(t.lexeme.toLowerCase()) && tokens[i + 1]?.lexeme === '(');
}

/**
 * A job or step `if:`. The `${{ }}` wrapper is optional; an empty condition means `success()`;
 * a condition without a status function is implicitly `success() && (…)` (GitHub's rule).
 * A condition that mixes text and `${{ }}` is a string, hence true when non-empty (GitHub's gotcha).
 */
export function evaluateIf(cond: string | undefined, ctx: ExpressionContext): boolean {
  let expr = (cond ?? '').trim();
  if (expr.includes('${{')) {
    const segs = segments(expr);
    const only = segs.length === 1 ? segs[0]?.expr : undefined;
    if (only === undefined) return truthy(evaluateTemplate(expr, ctx));
    expr = only;
  }
  if (expr === '') expr = 'success()';
  if (!usesStatusFunction(expr)) expr = `success() && (${expr})`;
  return truthy(evaluate(expr, ctx));
}

export interface ResolvedConcurrency {
  /** Evaluated group; undefined when there is no concurrency or it evaluated to ''. */
  group?: string;
  /** undefined = `cancel-in-progress` not written (matters on Forgejo). */
  cancelInProgress?: boolean;
  queueMax: boolean;
}

/**
 * Evaluates a concurrency spec (allowed contexts on GitHub: github, inputs, vars, needs, strategy,
 * matrix — pass no secrets/env).
 */
export function resolveConcurrency(spec: ConcurrencySpec | undefined, ctx: ExpressionContext): ResolvedConcurrency {
  if (!spec) return { queueMax: false };
  const out: ResolvedConcurrency = { queueMax: spec.queue === 'max' };
  const group = evaluateTemplate(spec.group, ctx);
  if (group !== '') out.group = group;
  if (spec.cancelInProgress !== undefined) out.cancelInProgress = truthy(evaluateValue(spec.cancelInProgress, ctx));
  return out;
}

export interface RepoRef {
  owner: string;
  name: string;
  defaultBranch: string;
}

export interface GithubContextExtra {
  runId?: number;
  runNumber?: number;
  runAttempt?: number;
  actor?: string;
  serverUrl?: string;
  apiUrl?: string;
  graphqlUrl?: string;
  /** The job's automatic token (`github.token`, also `secrets.GITHUB_TOKEN`). */
  token?: string;
  /** The workflow's name (`github.workflow`); defaults to its path. */
  workflowName?: string;
  workflowPath?: string;
  workspace?: string;
  job?: string;
}

/** A value at a path in plain JSON data, or undefined. */
export function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/**
 * The `github` context of a run, as the runner sees it. Numbers the real context carries as strings
 * (run_id, run_number, run_attempt, repository_id) are strings here too.
 */
export function githubContext(
  ev: TriggerEvent,
  repo: RepoRef,
  extra: GithubContextExtra = {},
  flavor: ForgeFlavor = 'github',
): Record<string, unknown> {
  const serverUrl = extra.serverUrl ?? (flavor === 'github' ? 'https://github.com' : 'http://localhost:3000');
  const apiUrl = extra.apiUrl ?? (flavor === 'github' ? 'https://api.github.com' : `${serverUrl}/api/v1`);
  const fullName = `${repo.owner}/${repo.name}`;
  const ref = ev.ref || `refs/heads/${repo.defaultBranch}`;
  const isTag = ref.startsWith('refs/tags/');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const pr = get(ev.payload, 'pull_request');
  const sender = get(ev.payload, 'sender', 'login');
  const actor = extra.actor ?? (typeof sender === 'string' ? sender : repo.owner);
  const workflowPath = extra.workflowPath ?? '';
  const repoId = get(ev.payload, 'repository', 'id');
  const ownerId = get(ev.payload, 'repository', 'owner', 'id');
  const ctx: Record<string, unknown> = {
    event_name: ev.name,
    event: ev.payload,
    ref,
    ref_name: refName,
    ref_type: isTag ? 'tag' : 'branch',
    ref_protected: false,
    sha: ev.sha,
    head_ref: pr ? String(get(pr, 'head', 'ref') ?? '') : '',
    base_ref: pr ? String(get(pr, 'base', 'ref') ?? '') : '',
    repository: fullName,
    repository_owner: repo.owner,
    repositoryUrl: `${serverUrl}/${fullName}.git`,
    actor,
    triggering_actor: actor,
    run_id: String(extra.runId ?? 0),
    run_number: String(extra.runNumber ?? extra.runId ?? 0),
    run_attempt: String(extra.runAttempt ?? 1),
    server_url: serverUrl,
    api_url: apiUrl,
    graphql_url: extra.graphqlUrl ?? (flavor === 'github' ? `${apiUrl}/graphql` : ''),
    workflow: extra.workflowName ?? workflowPath,
    workflow_ref: `${fullName}/${workflowPath}@${ref}`,
    workflow_sha: ev.sha,
    token: extra.token ?? '',
    retention_days: '90',
    secret_source: 'Actions',
  };
  if (repoId !== undefined) ctx.repository_id = String(repoId);
  if (ownerId !== undefined) ctx.repository_owner_id = String(ownerId);
  if (extra.workspace !== undefined) ctx.workspace = extra.workspace;
  if (extra.job !== undefined) ctx.job = extra.job;
  return ctx;
}
