// agentloop's workflows as YAML documents: where the agentloop step is, what it is given, which labels
// the workflow's `if:` and `concurrency.group` expressions name. Shared by `agentloop init` (which writes
// the templates) and `agentloop doctor` (which reads what a repository has installed).
import { type Document, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { type LabelNames, labelNames } from './labels.js';

/**
 * `uses:` of agentloop's own action: `<owner>/agentloop@<ref>` (a fork keeps the repository name), or on
 * Forgejo its full URL, `https://<host>/<owner>/agentloop@<ref>`.
 */
export const AGENTLOOP_USES = /^((?:https?:\/\/[^\s/@]+\/(?:[^\s@]+\/)?)?[A-Za-z0-9_.-]+\/agentloop)@(\S*)$/;
export const APP_TOKEN_ACTION = 'actions/create-github-app-token';

export interface StepRef {
  job: string;
  jobMap: YAMLMap;
  steps: YAMLMap[];
  index: number;
  step: YAMLMap;
}

export function jobsOf(doc: Document): { name: string; map: YAMLMap }[] {
  const jobs = doc.get('jobs');
  if (!isMap(jobs)) return [];
  return jobs.items.flatMap((pair) => {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    return isMap(pair.value) ? [{ name, map: pair.value as YAMLMap }] : [];
  });
}

function stepsOf(job: YAMLMap): YAMLMap[] {
  const steps = job.get('steps');
  return isSeq(steps) ? (steps.items.filter((s) => isMap(s)) as YAMLMap[]) : [];
}

/** Every step whose `uses:` matches. */
export function stepsUsing(doc: Document, match: (uses: string) => boolean): StepRef[] {
  const out: StepRef[] = [];
  for (const { name, map } of jobsOf(doc)) {
    const steps = stepsOf(map);
    steps.forEach((step, index) => {
      const uses = step.get('uses');
      if (typeof uses === 'string' && match(uses)) out.push({ job: name, jobMap: map, steps, index, step });
    });
  }
  return out;
}

export const agentloopSteps = (doc: Document) => stepsUsing(doc, (u) => AGENTLOOP_USES.test(u));
export const appTokenSteps = (doc: Document) => stepsUsing(doc, (u) => u.startsWith(`${APP_TOKEN_ACTION}@`));

/** A `with:` or `env:` value of a step as text ('' when absent). */
export function stepValue(step: YAMLMap, section: 'with' | 'env', key: string): string {
  const v = step.getIn([section, key]);
  return v === undefined || v === null ? '' : String(v);
}

/** The keys of a step's `env:`. */
export function envKeys(step: YAMLMap): string[] {
  const env = step.get('env');
  return isMap(env) ? env.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : [];
}

/** Secrets a value reads: `${{ secrets.NAME }}`, `${{ secrets.A || github.token }}`. */
export function secretsIn(value: string): string[] {
  return [...value.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/** The expressions that route events by label name: every job's and step's `if:`, and the `concurrency.group`s. */
export function labelExpressions(doc: Document): { path: (string | number)[]; text: string }[] {
  const out: { path: (string | number)[]; text: string }[] = [];
  const push = (path: (string | number)[]) => {
    const v = doc.getIn(path);
    if (typeof v === 'string') out.push({ path, text: v });
  };
  push(['concurrency', 'group']);
  for (const { name, map } of jobsOf(doc)) {
    push(['jobs', name, 'if']);
    push(['jobs', name, 'concurrency', 'group']);
    stepsOf(map).forEach((_s, i) => {
      push(['jobs', name, 'steps', i, 'if']);
    });
  }
  return out;
}

/** `text` with every quoted label name of `from` (e.g. 'loop/plan', "loop/code") renamed to the one of `to`. */
export function renameLabels(text: string, from: LabelNames, to: LabelNames): string {
  let out = text;
  for (const key of Object.keys(from) as (keyof LabelNames)[]) {
    if (from[key] === to[key]) continue;
    const escaped = from[key].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(['"])${escaped}\\1`, 'g'), (_m, q: string) => `${q}${to[key]}${q}`);
  }
  return out;
}

/** The label names a template's expressions are written for. */
export const TEMPLATE_LABELS: LabelNames = labelNames('loop/');

/**
 * The strings an expression compares against: its string literals ('…', with '' for a quote), and the
 * items of a JSON list literal (`fromJSON('["loop/code","automerge"]')`).
 */
export function quotedNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/'((?:[^']|'')*)'/g)) {
    const literal = m[1]!.replace(/''/g, "'");
    if (literal.startsWith('[')) {
      try {
        const list = JSON.parse(literal) as unknown;
        if (Array.isArray(list)) {
          out.push(...list.filter((x): x is string => typeof x === 'string'));
          continue;
        }
      } catch {
        // Not JSON: an ordinary string.
      }
    }
    out.push(literal);
  }
  return out;
}
