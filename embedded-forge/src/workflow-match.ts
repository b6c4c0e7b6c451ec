// Does a workflow's `on:` match an incoming event? With each forge's real rules:
// - GitHub: docs.github.com "Events that trigger workflows" (default activity types, filter patterns).
// - Forgejo: modules/actions/workflows.go (detectMatched / matchIssuesEvent / matchPullRequestEvent,
//   inherited from Gitea): hook names like `issue_label` count as `issues`, the action
//   `label_updated` counts as `labeled` — also when a label was REMOVED and others remain —
//   and `label_cleared` as `unlabeled`; `synchronized` → `synchronize`; there is no `workflow_run`.
//   Reviews (modules/actions/github.go canGithubEventMatch, workflows.go matchPullRequestReview*Event):
//   the hooks pull_request_review_approved and _rejected run `on: pull_request_review`; the hook
//   pull_request_review_comment (a COMMENT review) runs `on: pull_request_review` and
//   `on: pull_request_review_comment`. Their action `reviewed` counts as `submitted` or `edited` for the
//   approved/rejected hooks and as `created` or `edited` for the comment hook, under either workflow event
//   (so `on: pull_request_review: types: [submitted]` does not run for a COMMENT review).
import type { ForgeFlavor, ParsedWorkflow, TriggerEvent } from './workflow-parse.js';

/** Forgejo/Gitea webhook event names → the workflow event they trigger. */
const FORGEJO_EVENT_ALIASES: Record<string, string> = {
  issue_label: 'issues',
  issue_assign: 'issues',
  issue_milestone: 'issues',
  pull_request_sync: 'pull_request',
  pull_request_label: 'pull_request',
  pull_request_assign: 'pull_request',
  pull_request_milestone: 'pull_request',
  pull_request_review_request: 'pull_request',
  pull_request_comment: 'issue_comment',
  pull_request_review_approved: 'pull_request_review',
  pull_request_review_rejected: 'pull_request_review',
};

const FORGEJO_ACTION_ALIASES: Record<string, string> = {
  label_updated: 'labeled',
  label_cleared: 'unlabeled',
  synchronized: 'synchronize',
};

const PR_DEFAULT_TYPES = ['opened', 'synchronize', 'reopened'];

/** Forgejo: the one hook that runs workflows of two events. */
const FORGEJO_REVIEW_COMMENT = 'pull_request_review_comment';

/** Forgejo's `reviewed` action as the activity types it matches, by hook (workflows.go). */
const FORGEJO_REVIEWED: Record<string, string[]> = {
  pull_request_review_approved: ['submitted', 'edited'],
  pull_request_review_rejected: ['submitted', 'edited'],
  pull_request_review_comment: ['created', 'edited'],
};

/** Every workflow event name an event is matched under: one, except Forgejo's review comment hook. */
export function workflowEventNames(ev: TriggerEvent, flavor: ForgeFlavor): string[] {
  if (flavor !== 'forgejo' || ev.hook !== undefined) return [ev.name];
  if (ev.name === FORGEJO_REVIEW_COMMENT) return ['pull_request_review', FORGEJO_REVIEW_COMMENT];
  return [FORGEJO_EVENT_ALIASES[ev.name] ?? ev.name];
}

/** The activity types compared with `types:`, for the flavor: what an event counts as (several for a Forgejo review); [] when it has none. */
export function activityTypes(ev: TriggerEvent, flavor: ForgeFlavor): string[] {
  const raw = ev.action ?? (typeof ev.payload.action === 'string' ? ev.payload.action : undefined);
  if (raw === undefined) return [];
  if (flavor !== 'forgejo') return [raw];
  const reviewed = raw === 'reviewed' ? FORGEJO_REVIEWED[ev.hook ?? ev.name] : undefined;
  return reviewed ?? [FORGEJO_ACTION_ALIASES[raw] ?? raw];
}

// ---------------------------------------------------------------------------------------------
// Filter patterns (GitHub's cheat sheet; Forgejo uses act's port of the same rules):
// `*` any chars but `/`, `**` any chars, `?` zero or one of the preceding char, `+` one or more of
// the preceding char, `[…]` a character class, `\` escapes, a leading `!` negates; patterns apply
// in order, the last one that matches decides.

function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?' || c === '+') {
      re += re === '' ? `\\${c}` : c;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        re += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += (pattern[i + 1] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** True when `name` is selected by an ordered list of filter patterns (`!` = exclude). */
export function matchPatterns(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (patternRegExp(p.slice(1)).test(name)) matched = false;
    } else if (patternRegExp(p).test(name)) {
      matched = true;
    }
  }
  return matched;
}

type Filters = Record<string, unknown>;

function list(f: Filters, key: string): string[] | undefined {
  const v = f[key];
  return Array.isArray(v) ? v.map(String) : undefined;
}

/** include-list / ignore-list filter on one name (GitHub forbids both; include wins if both). */
function includeIgnore(f: Filters, key: string, name: string): boolean {
  const include = list(f, key);
  if (include) return matchPatterns(include, name);
  const ignore = list(f, `${key}-ignore`);
  if (ignore) return !matchPatterns(ignore, name);
  return true;
}

/** `paths:` passes if any changed file is selected; `paths-ignore:` skips only if all are ignored. */
function pathsFilter(f: Filters, changed: string[] | undefined): boolean {
  if (changed === undefined) return true;
  const include = list(f, 'paths');
  if (include) return changed.some((p) => matchPatterns(include, p));
  const ignore = list(f, 'paths-ignore');
  if (ignore) return changed.some((p) => !matchPatterns(ignore, p));
  return true;
}

function typesFilter(f: Filters, actual: string[], defaults?: string[]): boolean {
  const types = list(f, 'types') ?? defaults;
  if (!types) return true;
  return actual.some((t) => types.includes(t));
}

function str(obj: unknown, ...path: string[]): string | undefined {
  let cur = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return typeof cur === 'string' ? cur : undefined;
}

function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

/**
 * Whether the workflow runs for the event. Invalid workflows (errors) never match.
 * Note for callers: on both forges a pull-request activity also triggers `pull_request_target`
 * workflows; call this with `name: 'pull_request_target'` (and the base ref/sha) for those.
 */
export function matchesOn(wf: ParsedWorkflow, ev: TriggerEvent, flavor: ForgeFlavor): boolean {
  if (wf.errors.length > 0) return false;
  const names = workflowEventNames(ev, flavor);
  // Forgejo's review comment hook, not yet split by the engine: either of its workflow events.
  if (names.length > 1) return names.some((name) => matchesOn(wf, { ...ev, name, hook: ev.name }, flavor));
  const name = names[0]!;
  if (!Object.hasOwn(wf.on, name)) return false;
  const raw = wf.on[name];
  const f: Filters = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Filters) : {};
  const types = activityTypes(ev, flavor);

  switch (name) {
    case 'workflow_dispatch':
      return ev.workflowPath === wf.path;

    case 'workflow_call':
      return false; // only as a reusable workflow

    case 'schedule': {
      const cron = ev.payload.schedule;
      if (typeof cron !== 'string') return true;
      return (wf.on.schedule ?? []).some((s) => s.cron === cron);
    }

    case 'push': {
      const ref = ev.ref || str(ev.payload, 'ref') || '';
      const isTag = ref.startsWith('refs/tags/');
      const hasBranches = list(f, 'branches') !== undefined || list(f, 'branches-ignore') !== undefined;
      const hasTags = list(f, 'tags') !== undefined || list(f, 'tags-ignore') !== undefined;
      // Only branch filters → tag pushes do not run, and vice versa; both → each kind by its own.
      const refOk = isTag
        ? hasTags
          ? includeIgnore(f, 'tags', shortRef(ref))
          : !hasBranches
        : hasBranches
          ? includeIgnore(f, 'branches', shortRef(ref))
          : !hasTags;
      return refOk && pathsFilter(f, ev.changedFiles);
    }

    case 'pull_request':
    case 'pull_request_target': {
      if (!typesFilter(f, types, PR_DEFAULT_TYPES)) return false;
      const base = str(ev.payload, 'pull_request', 'base', 'ref') ?? '';
      return includeIgnore(f, 'branches', shortRef(base)) && pathsFilter(f, ev.changedFiles);
    }

    case 'workflow_run': {
      if (flavor === 'forgejo') return false; // Forgejo has no workflow_run event
      const workflows = list(f, 'workflows');
      const runName = str(ev.payload, 'workflow_run', 'name');
      if (!workflows || runName === undefined || !matchPatterns(workflows, runName)) return false;
      if (!typesFilter(f, types)) return false;
      return includeIgnore(f, 'branches', str(ev.payload, 'workflow_run', 'head_branch') ?? '');
    }

    default:
      // issues, issue_comment, …: `types:` when given, all activity types otherwise.
      return typesFilter(f, types);
  }
}

export type DispatchInputValue = string | boolean | number;

/**
 * The `inputs` of a workflow_dispatch run: given values, declared defaults filled in for the rest
 * ('' — or false for booleans — when there is no default). Boolean inputs become booleans and
 * number inputs numbers (the `inputs` context keeps types; `github.event.inputs` holds strings —
 * see dispatchEventInputs). Undeclared inputs are dropped (validateDispatchInputs reports them).
 */
export function dispatchInputs(wf: ParsedWorkflow, given: Record<string, unknown> = {}): Record<string, DispatchInputValue> {
  const out: Record<string, DispatchInputValue> = {};
  const declared = wf.on.workflow_dispatch?.inputs ?? {};
  for (const [name, cfg] of Object.entries(declared)) {
    const v = Object.hasOwn(given, name) ? given[name] : cfg.default;
    const type = String(cfg.type ?? 'string');
    if (type === 'boolean') out[name] = v === true || v === 'true';
    else if (type === 'number') out[name] = v === undefined || v === '' ? '' : Number(v);
    else out[name] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

/** The same inputs as the event payload carries them (`github.event.inputs`: all strings). */
export function dispatchEventInputs(wf: ParsedWorkflow, given: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(dispatchInputs(wf, given)).map(([k, v]) => [k, String(v)]));
}

/** What GitHub answers 422 for: unexpected inputs, missing required ones, a choice not offered. */
export function validateDispatchInputs(wf: ParsedWorkflow, given: Record<string, unknown> = {}): string[] {
  const errors: string[] = [];
  if (!wf.on.workflow_dispatch) return [`Workflow does not have 'workflow_dispatch' trigger`];
  const declared = wf.on.workflow_dispatch.inputs ?? {};
  const unexpected = Object.keys(given).filter((k) => !Object.hasOwn(declared, k));
  if (unexpected.length > 0) errors.push(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  for (const [name, cfg] of Object.entries(declared)) {
    const has = Object.hasOwn(given, name);
    if (cfg.required && !has && cfg.default === undefined) errors.push(`Required input '${name}' not provided`);
    if (has && String(cfg.type) === 'choice' && cfg.options && !cfg.options.includes(String(given[name]))) {
      errors.push(`Provided value '${String(given[name])}' for input '${name}' not in the list of allowed values`);
    }
  }
  return errors;
}
