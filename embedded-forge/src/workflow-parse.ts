// Workflow files → typed workflows, for the embedded forge's workflow engine.
//
// Validation and the `on:` section come from GitHub's own parser (@actions/workflow-parser:
// parseWorkflow → convertWorkflowTemplate), so a workflow GitHub rejects is rejected here too.
// Everything the converter drops (`with:`, `permissions:`, `timeout-minutes:`, …) is read from the
// same text with the `yaml` package: raw strings, `${{ }}` left in place, evaluated later by
// workflow-expr.ts. (The converter's own tokens are not used for values: for block scalars
// containing `${{ }}` its `source` keeps the YAML indentation.)

import type { WorkflowTemplate } from '@actions/workflow-parser';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse as parseYaml } from 'yaml';

export type ForgeFlavor = 'github' | 'forgejo';

/** A workflow file as stored in the repository. */
export interface WorkflowFile {
  /** Repository-relative path, e.g. `.github/workflows/agentloop-plan.yml`. */
  path: string;
  text: string;
}

/** An event as the forge delivers it to its workflow engine. */
export interface TriggerEvent {
  /** Workflow event name: 'issues' | 'pull_request' | 'workflow_run' | 'schedule' | 'workflow_dispatch' | 'push' | …
   *  (Forgejo hook names such as 'issue_label' or 'pull_request_sync' are accepted too). */
  name: string;
  /** Activity type (`payload.action` on GitHub; Forgejo's own, e.g. 'label_updated'). */
  action?: string;
  /** Forgejo: the webhook event it was delivered as, once `name` is the workflow event it is matched under. */
  hook?: string;
  payload: Record<string, unknown>;
  /** e.g. `refs/heads/main`; empty = the default branch. */
  ref: string;
  sha: string;
  /** workflow_dispatch: the target workflow's path. */
  workflowPath?: string;
  /** push / pull_request: changed paths, for `paths:` filters (absent → path filters pass). */
  changedFiles?: string[];
}

/** The normalized `on:` section (every form — string, list, mapping — becomes a mapping). */
export type WorkflowEvents = WorkflowTemplate['events'];

/** `permissions:` — a per-scope mapping, or one of the shorthands. */
export type Permissions = Record<string, string> | 'read-all' | 'write-all';

export interface ConcurrencySpec {
  /** Raw group, may contain `${{ }}`. */
  group: string;
  /** Literal boolean, or a raw `${{ }}` expression string; undefined when the key is absent. */
  cancelInProgress?: boolean | string;
  /** Whether `cancel-in-progress` was written at all (Forgejo serializes only when it is, and false). */
  cancelInProgressExplicit: boolean;
  queue?: 'single' | 'max';
}

export interface ParsedStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  /** `with:` values as raw strings (numbers/booleans stringified, `${{ }}` kept). */
  with: Record<string, string>;
  env: Record<string, string>;
  shell?: string;
  workingDirectory?: string;
  /** Literal boolean or raw expression. */
  continueOnError?: boolean | string;
  timeoutMinutes?: number;
}

export interface ParsedJob {
  id: string;
  /** Raw `name:` (may contain `${{ }}`); the job id when absent. */
  name: string;
  /** Raw `if:` (with or without `${{ }}`); undefined = `success()`. */
  if?: string;
  needs: string[];
  runsOn?: string | string[];
  /** Reusable-workflow reference (`jobs.<id>.uses`); such jobs have no steps. */
  uses?: string;
  concurrency?: ConcurrencySpec;
  permissions?: Permissions;
  /** Literal minutes; undefined when absent or written as an expression. */
  timeoutMinutes?: number;
  env: Record<string, string>;
  steps: ParsedStep[];
}

export interface ParsedWorkflow {
  path: string;
  /** `name:`, or the file path when absent (what GitHub shows and matches `workflow_run` against). */
  name: string;
  runName?: string;
  on: WorkflowEvents;
  concurrency?: ConcurrencySpec;
  permissions?: Permissions;
  env: Record<string, string>;
  jobs: ParsedJob[];
  /** Validation errors; a workflow with errors never matches an event. */
  errors: string[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    const s = scalar(val);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function permissions(v: unknown): Permissions | undefined {
  if (v === 'read-all' || v === 'write-all') return v;
  if (isObj(v)) return stringMap(v);
  return undefined;
}

function concurrency(v: unknown): ConcurrencySpec | undefined {
  if (typeof v === 'string') return { group: v, cancelInProgressExplicit: false };
  if (!isObj(v)) return undefined;
  const group = scalar(v.group) ?? '';
  const spec: ConcurrencySpec = { group, cancelInProgressExplicit: 'cancel-in-progress' in v };
  const cip = v['cancel-in-progress'];
  if (typeof cip === 'boolean' || typeof cip === 'string') spec.cancelInProgress = cip;
  if (v.queue === 'single' || v.queue === 'max') spec.queue = v.queue;
  return spec;
}

function step(v: unknown): ParsedStep {
  const s = isObj(v) ? v : {};
  const out: ParsedStep = { with: stringMap(s.with), env: stringMap(s.env) };
  const str = (k: string): string | undefined => scalar(s[k]);
  const id = str('id');
  if (id !== undefined) out.id = id;
  const name = str('name');
  if (name !== undefined) out.name = name;
  const uses = str('uses');
  if (uses !== undefined) out.uses = uses;
  const run = str('run');
  if (run !== undefined) out.run = run;
  const cond = str('if');
  if (cond !== undefined) out.if = cond;
  const shell = str('shell');
  if (shell !== undefined) out.shell = shell;
  const wd = str('working-directory');
  if (wd !== undefined) out.workingDirectory = wd;
  const coe = s['continue-on-error'];
  if (typeof coe === 'boolean' || typeof coe === 'string') out.continueOnError = coe;
  if (typeof s['timeout-minutes'] === 'number') out.timeoutMinutes = s['timeout-minutes'];
  return out;
}

function job(id: string, v: unknown): ParsedJob {
  const j = isObj(v) ? v : {};
  const out: ParsedJob = {
    id,
    name: scalar(j.name) ?? id,
    needs: typeof j.needs === 'string' ? [j.needs] : Array.isArray(j.needs) ? j.needs.map(String) : [],
    env: stringMap(j.env),
    steps: Array.isArray(j.steps) ? j.steps.map(step) : [],
  };
  const cond = scalar(j.if);
  if (cond !== undefined) out.if = cond;
  const runsOn = j['runs-on'];
  if (typeof runsOn === 'string') out.runsOn = runsOn;
  else if (Array.isArray(runsOn)) out.runsOn = runsOn.map(String);
  const uses = scalar(j.uses);
  if (uses !== undefined) out.uses = uses;
  const conc = concurrency(j.concurrency);
  if (conc) out.concurrency = conc;
  const perms = permissions(j.permissions);
  if (perms) out.permissions = perms;
  if (typeof j['timeout-minutes'] === 'number') out.timeoutMinutes = j['timeout-minutes'];
  return out;
}

/** GitHub rejects `queue: max` together with `cancel-in-progress: true` (documented validation error). */
function checkConcurrency(where: string, spec: ConcurrencySpec | undefined, errors: string[]): void {
  if (spec?.queue === 'max' && spec.cancelInProgress === true) {
    errors.push(`${where}: concurrency 'queue: max' cannot be combined with 'cancel-in-progress: true'`);
  }
}

/**
 * Parses and validates one workflow file. Never throws: problems land in `errors` (and such a
 * workflow then matches no event — GitHub does not run invalid workflows either).
 * Async because the library's converter is.
 */
export async function parseWorkflowFile(file: WorkflowFile): Promise<ParsedWorkflow> {
  const wf: ParsedWorkflow = { path: file.path, name: file.path, on: {}, env: {}, jobs: [], errors: [] };
  try {
    const parsed = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
    if (parsed.value === undefined) {
      wf.errors.push(...parsed.context.errors.getErrors().map((e) => e.message));
      if (wf.errors.length === 0) wf.errors.push(`${file.path}: empty workflow`);
      return wf;
    }
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    wf.errors.push(...(template.errors ?? []).map((e) => e.Message));
    wf.on = template.events ?? {};
  } catch (err) {
    wf.errors.push(`${file.path}: ${err instanceof Error ? err.message : String(err)}`);
  }

  let doc: unknown;
  try {
    doc = parseYaml(file.text);
  } catch (err) {
    if (wf.errors.length === 0) wf.errors.push(`${file.path}: ${err instanceof Error ? err.message : String(err)}`);
    return wf;
  }
  if (!isObj(doc)) return wf;
  const name = scalar(doc.name);
  if (name) wf.name = name;
  const runName = scalar(doc['run-name']);
  if (runName !== undefined) wf.runName = runName;
  const conc = concurrency(doc.concurrency);
  if (conc) wf.concurrency = conc;
  const perms = permissions(doc.permissions);
  if (perms) wf.permissions = perms;
  wf.env = stringMap(doc.env);
  if (isObj(doc.jobs)) wf.jobs = Object.entries(doc.jobs).map(([id, j]) => job(id, j));

  checkConcurrency(file.path, wf.concurrency, wf.errors);
  for (const j of wf.jobs) checkConcurrency(`${file.path} job '${j.id}'`, j.concurrency, wf.errors);
  return wf;
}

/**
 * The concurrency spec that governs a job.
 * - GitHub: both levels exist (the run waits for the workflow group, then the job for its own
 *   group). Simplified on purpose: the job-level spec wins when present, else the workflow-level.
 * - Forgejo: job-level `concurrency` is ignored; only the workflow level counts.
 */
export function effectiveConcurrency(wf: ParsedWorkflow, job: ParsedJob | undefined, flavor: ForgeFlavor): ConcurrencySpec | undefined {
  if (flavor === 'forgejo') return wf.concurrency;
  return job?.concurrency ?? wf.concurrency;
}

/**
 * The `permissions:` that apply to a job's token. GitHub: job level, else workflow level, else
 * undefined (= the repository's default token permissions). Forgejo: ignored → undefined
 * (assumption from the brief: Forgejo's automatic token does not honour `permissions:`).
 */
export function effectivePermissions(wf: ParsedWorkflow, job: ParsedJob | undefined, flavor: ForgeFlavor): Permissions | undefined {
  if (flavor === 'forgejo') return undefined;
  return job?.permissions ?? wf.permissions;
}

/**
 * Which of a repository's files are workflows, as each forge looks for them.
 * - GitHub: `.github/workflows/*.yml|yaml`, top level only.
 * - Forgejo: the first of `.forgejo/workflows`, `.gitea/workflows`, `.github/workflows` that holds
 *   any workflow (recursively); the others are ignored.
 */
export function selectWorkflowPaths(paths: string[], flavor: ForgeFlavor): string[] {
  const isYaml = (p: string): boolean => p.endsWith('.yml') || p.endsWith('.yaml');
  if (flavor === 'github') {
    return paths.filter((p) => isYaml(p) && /^\.github\/workflows\/[^/]+$/.test(p));
  }
  for (const dir of ['.forgejo/workflows/', '.gitea/workflows/', '.github/workflows/']) {
    const found = paths.filter((p) => isYaml(p) && p.startsWith(dir));
    if (found.length > 0) return found;
  }
  return [];
}
