// One zod schema for action inputs and the repository file `.github/agentloop.yml` (DESIGN §6).
// Inputs win over the file; the file wins over defaults. A bad value fails before any write.

import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { LOGIN_PATTERN } from './escalation.js';
import { LABEL_KEYS, type LabelNames, labelNames } from './labels.js';

export const AGENTS = ['command', 'claude', 'codex', 'gemini', 'opencode'] as const;
export const LANES = ['auto', 'plan', 'code', 'sweep'] as const;
export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;
export const FORGES = ['auto', 'github', 'forgejo'] as const;

export type AgentName = (typeof AGENTS)[number];
export type LaneSetting = (typeof LANES)[number];

interface Field<T> {
  schema: z.ZodType<T>;
  /** What is allowed, in words, for error messages. */
  allowed: string;
  /**
   * Where the key may be set: secrets and per-workflow settings stay out of the repository file;
   * structured settings (`routes`) are too big for an input and live in the file only.
   */
  from: 'input' | 'both' | 'file';
}

const bool = (): z.ZodType<boolean> => z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

// Each union branch carries the whole rule (not a union piped into it) so that the JSON Schema generated
// for editors (scripts/generate.ts, which describes the input side) keeps the range and the minimum sizes.
/** A whole number in [min, max]: a number, or a string of digits (action inputs are strings). */
const int = (min: number, max: number): z.ZodType<number> => {
  const n = z.number().int().min(min).max(max);
  return z.union([
    n,
    z
      .string()
      .regex(/^\s*-?\d+\s*$/)
      .transform(Number)
      .pipe(n),
  ]);
};

/** A list: a YAML/JSON list, or a string split on commas and newlines. */
const list = (item: z.ZodType<string, string> = z.string().min(1), minItems = 0): z.ZodType<string[]> => {
  const items = minItems > 0 ? z.array(item).min(minItems) : z.array(item);
  return z.union([
    items,
    z
      .string()
      .transform((s) =>
        s.trim().startsWith('[')
          ? (JSON.parse(s) as string[])
          : s
              .split(/[,\n]/)
              .map((x) => x.trim())
              .filter(Boolean),
      )
      .pipe(items),
  ]);
};

/** Agent arguments: a list, or a string split on whitespace (no shell is involved). */
const argv = (): z.ZodType<string[]> =>
  z.union([z.array(z.string()), z.string().transform((s) => (s.trim() === '' ? [] : s.trim().split(/\s+/)))]);

const text = (min = 0): z.ZodType<string> => z.string().min(min);

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values) as unknown as z.ZodType<T[number]>;

const labelOverrides = z
  .strictObject(
    Object.fromEntries(LABEL_KEYS.map((k) => [k, z.string().min(1).optional()])) as Record<
      (typeof LABEL_KEYS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .partial();

/** One entry of `routes:` in the repository file, as parsed (camelCase keys; absent keys fall back to the defaults). */
export interface Route {
  /** The route applies when the issue has ANY of these labels (compared case-insensitively). */
  labels: string[];
  agent?: AgentName;
  model?: string;
  agentCommand?: string;
  agentArgs?: string[];
  /** Added to the end of the rendered prompt for issues this route matches. */
  appendix?: string;
}

export const ROUTE_APPENDIX_MAX = 4000;

/** The keys of one route, as written in the file, with what each allows (for error messages). */
const ROUTE_FIELDS = {
  labels: { schema: list(z.string().min(1), 1), allowed: 'a non-empty list of label names' },
  agent: { schema: oneOf(AGENTS), allowed: AGENTS.join(', ') },
  model: { schema: text(), allowed: 'a model name' },
  'agent-command': { schema: text(), allowed: 'a command line (for agent command)' },
  'agent-args': { schema: argv(), allowed: 'extra arguments, a list or a space-separated string' },
  appendix: {
    schema: z.string().max(ROUTE_APPENDIX_MAX),
    allowed: `text of at most ${ROUTE_APPENDIX_MAX} characters`,
  },
} as const;
const ROUTE_KEYS = Object.keys(ROUTE_FIELDS) as (keyof typeof ROUTE_FIELDS)[];

const routeSchema: z.ZodType<Route> = z
  .strictObject({
    labels: ROUTE_FIELDS.labels.schema,
    agent: ROUTE_FIELDS.agent.schema.optional(),
    model: ROUTE_FIELDS.model.schema.optional(),
    'agent-command': ROUTE_FIELDS['agent-command'].schema.optional(),
    'agent-args': ROUTE_FIELDS['agent-args'].schema.optional(),
    appendix: ROUTE_FIELDS.appendix.schema.optional(),
  })
  .transform((r) => {
    const route: Route = { labels: r.labels };
    if (r.agent !== undefined) route.agent = r.agent;
    if (r.model !== undefined) route.model = r.model;
    if (r['agent-command'] !== undefined) route.agentCommand = r['agent-command'];
    if (r['agent-args'] !== undefined) route.agentArgs = r['agent-args'];
    if (r.appendix !== undefined) route.appendix = r.appendix;
    return route;
  });

const ROUTES_ALLOWED = `a list of routes, each a map with labels (required) and any of ${ROUTE_KEYS.filter((k) => k !== 'labels').join(', ')}`;

export const FIELDS = {
  token: { schema: text(1), allowed: 'a non-empty token', from: 'input' },
  // Who agentloop is (services/identity.ts): the workflow token acts as the forge's Actions bot; an App's
  // installation token as <app-slug>[bot], which the token itself cannot look up.
  'workflow-token': { schema: text(), allowed: "the workflow's own token (leave it to its default)", from: 'input' },
  'app-slug': {
    schema: z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9-]{0,98})?$/),
    allowed: "a GitHub App's slug (letters, digits and -), e.g. actions/create-github-app-token's app-slug output",
    from: 'input',
  },
  // Which API the forge speaks; auto: FORGEJO_ACTIONS, then GITEA_ACTIONS, else GitHub (run/actions-env.ts).
  forge: { schema: oneOf(FORGES), allowed: FORGES.join(', '), from: 'input' },
  agent: { schema: oneOf(AGENTS), allowed: AGENTS.join(', '), from: 'both' },
  'agent-command': { schema: text(), allowed: 'a command line (required when agent is command)', from: 'both' },
  'agent-args': { schema: argv(), allowed: 'extra arguments, a list or a space-separated string', from: 'both' },
  model: { schema: text(), allowed: 'a model name, or empty for the agent default', from: 'both' },
  lane: { schema: oneOf(LANES), allowed: LANES.join(', '), from: 'input' },
  'label-prefix': {
    schema: z.string().regex(/^[A-Za-z0-9._:/ -]{0,30}$/),
    allowed: 'up to 30 letters, digits, or . _ : / - and space',
    from: 'both',
  },
  labels: {
    schema: labelOverrides as unknown as z.ZodType<Partial<LabelNames>>,
    allowed: `a map from ${LABEL_KEYS.join(', ')} to label names`,
    from: 'both',
  },
  'dry-run': { schema: bool(), allowed: 'true or false', from: 'both' },
  paused: { schema: bool(), allowed: 'true or false', from: 'both' },
  'allowed-bots': { schema: list(), allowed: 'a list of bot logins', from: 'both' },
  // Who is @-mentioned when agentloop hands an item to a human (core/escalation.ts); none set: the writer
  // who applied the item's trigger label.
  supervisors: {
    schema: list(
      z
        .string()
        .trim()
        .regex(LOGIN_PATTERN)
        .transform((s) => s.replace(/^@/, '')),
    ),
    allowed: 'a list of logins (letters, digits, and - _ . inside; the @ is optional), e.g. [maria, "@ops-lead"]',
    from: 'both',
  },
  'agent-timeout-minutes': { schema: int(1, 360), allowed: 'a whole number from 1 to 360', from: 'both' },
  'agent-isolation': { schema: oneOf(['user', 'unsafe-none'] as const), allowed: 'user or unsafe-none', from: 'input' },
  'merge-method': { schema: oneOf(MERGE_METHODS), allowed: MERGE_METHODS.join(', '), from: 'both' },
  'auto-merge': { schema: bool(), allowed: 'true or false', from: 'both' },
  'max-open-prs': { schema: int(1, 20), allowed: 'a whole number from 1 to 20', from: 'both' },
  'max-fix-attempts': { schema: int(0, 10), allowed: 'a whole number from 0 to 10', from: 'both' },
  // Child issues one breakdown may create (core/breakdown.ts); the proposal comment must fit one comment.
  'max-breakdown-issues': { schema: int(1, 20), allowed: 'a whole number from 1 to 20', from: 'both' },
  'max-review-rounds': { schema: int(0, 10), allowed: 'a whole number from 0 to 10', from: 'both' },
  review: { schema: oneOf(['none', 'agent'] as const), allowed: 'none or agent', from: 'both' },
  'max-diff-lines': { schema: int(1, 100000), allowed: 'a whole number from 1 to 100000', from: 'both' },
  'stuck-after-minutes': { schema: int(5, 1440), allowed: 'a whole number from 5 to 1440', from: 'both' },
  'ci-timeout-minutes': { schema: int(1, 1440), allowed: 'a whole number from 1 to 1440', from: 'both' },
  'ci-failure-autofix': { schema: bool(), allowed: 'true or false', from: 'both' },
  'protected-paths': { schema: list(), allowed: 'a list of glob patterns', from: 'both' },
  'required-checks': { schema: list(), allowed: 'a list of check names', from: 'both' },
  'prompts-dir': {
    schema: z.string().regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+$/),
    allowed: 'a relative path inside the repository',
    from: 'both',
  },
  'config-file': {
    schema: z.string().regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+$/),
    allowed: 'a relative path inside the repository',
    from: 'input',
  },
  'max-chain': { schema: int(0, 100), allowed: 'a whole number from 0 to 100', from: 'both' },
  'operations-per-run': { schema: int(50, 100000), allowed: 'a whole number from 50 to 100000', from: 'both' },
  'plan-workflow': {
    schema: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/),
    allowed: 'a workflow file name in .github/workflows',
    from: 'both',
  },
  'code-workflow': {
    schema: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/),
    allowed: 'a workflow file name in .github/workflows',
    from: 'both',
  },
  routes: { schema: z.array(routeSchema), allowed: ROUTES_ALLOWED, from: 'file' },
} satisfies Record<string, Field<unknown>>;

export type ConfigKey = keyof typeof FIELDS;
type FieldValue<K extends ConfigKey> = (typeof FIELDS)[K] extends Field<infer T> ? T : never;

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
export type Config = { [K in ConfigKey as Camel<K>]: FieldValue<K> } & { labelNames: LabelNames };

export const DEFAULTS: { [K in ConfigKey]?: FieldValue<K> } = {
  'workflow-token': '',
  'app-slug': '',
  forge: 'auto',
  agent: 'command',
  'agent-command': '',
  'agent-args': [],
  model: '',
  lane: 'auto',
  'label-prefix': 'loop/',
  labels: {},
  'dry-run': false,
  paused: false,
  'allowed-bots': [],
  supervisors: [],
  'agent-timeout-minutes': 30,
  'agent-isolation': 'user',
  'merge-method': 'squash',
  'auto-merge': false,
  'max-open-prs': 1,
  'max-fix-attempts': 2,
  'max-breakdown-issues': 10,
  'max-review-rounds': 3,
  review: 'none',
  'max-diff-lines': 2000,
  'stuck-after-minutes': 90,
  'ci-timeout-minutes': 30,
  'ci-failure-autofix': false,
  'protected-paths': [
    '.github/**',
    '.forgejo/**',
    '.gitea/**',
    '.agentloop/**',
    'action.yml',
    'action.yaml',
    'CODEOWNERS',
    '.gitmodules',
    '.gitattributes',
  ],
  'required-checks': [],
  'prompts-dir': '.agentloop/prompts',
  'config-file': '.github/agentloop.yml',
  'max-chain': 20,
  'operations-per-run': 300,
  'plan-workflow': 'agentloop-plan.yml',
  'code-workflow': 'agentloop-code.yml',
  routes: [],
};

export const CONFIG_KEYS = Object.keys(FIELDS) as ConfigKey[];
/** Keys that are action inputs (every key is, except `labels` and the file-only keys such as `routes`). */
export const INPUT_KEYS = CONFIG_KEYS.filter((k) => k !== 'labels' && FIELDS[k].from !== 'file');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid agentloop configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));

export interface ConfigSources {
  /** Action inputs by name; empty strings mean "not set" (action.yml declares no defaults). */
  inputs: Partial<Record<string, string>>;
  /** Text of the repository config file, if it exists. */
  fileText?: string | null;
  fileName?: string;
}

/**
 * What is wrong with `routes`, one problem per bad entry and key, named like `'routes[1].agent'`
 * (zero-based, as in the list), with the value and what is allowed.
 */
function routeProblems(raw: unknown, error: z.ZodError | undefined, fileName: string): string[] {
  const problems = new Map<string, string>();
  // No error: parsing threw (a label list written as broken JSON); name the whole setting.
  if (error === undefined) return [`'routes' in ${fileName} = ${show(raw)} is not allowed; allowed: ${ROUTES_ALLOWED}`];
  for (const issue of error.issues) {
    const [index, key] = issue.path;
    if (typeof index !== 'number') {
      problems.set('', `'routes' in ${fileName} = ${show(raw)} is not allowed; allowed: ${ROUTES_ALLOWED}`);
      continue;
    }
    const entry = (raw as unknown[])[index];
    const at = `routes[${index}]`;
    if (issue.code === 'unrecognized_keys') {
      for (const unknown of issue.keys) {
        problems.set(`${at}.${unknown}`, `'${at}' in ${fileName}: unknown key '${unknown}'; allowed keys: ${ROUTE_KEYS.join(', ')}`);
      }
    } else if (typeof key !== 'string' || !(key in ROUTE_FIELDS)) {
      problems.set(
        at,
        `'${at}' in ${fileName} = ${show(entry)} is not allowed; allowed: a map with labels (required) and any of ${ROUTE_KEYS.filter((k) => k !== 'labels').join(', ')}`,
      );
    } else {
      const value = (entry as Record<string, unknown>)[key];
      const allowed = ROUTE_FIELDS[key as keyof typeof ROUTE_FIELDS].allowed;
      problems.set(
        `${at}.${key}`,
        value === undefined
          ? `'${at}.${key}' in ${fileName} is required (${allowed})`
          : `'${at}.${key}' in ${fileName} = ${key === 'appendix' && typeof value === 'string' ? `(${value.length} characters)` : show(value)} is not allowed; allowed: ${allowed}`,
      );
    }
  }
  return [...problems.values()];
}

/** Parse and validate inputs plus the repository file; throws ConfigError naming every bad key. */
export function parseConfig(sources: ConfigSources): Config {
  const problems: string[] = [];
  const fileName = sources.fileName ?? DEFAULTS['config-file']!;
  let file: Record<string, unknown> = {};
  if (sources.fileText != null && sources.fileText.trim() !== '') {
    try {
      const doc = parseYaml(sources.fileText) as unknown;
      if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) {
        problems.push(`${fileName}: must be a map of settings, got ${Array.isArray(doc) ? 'a list' : typeof doc}`);
      } else if (doc) file = doc as Record<string, unknown>;
    } catch (err) {
      problems.push(`${fileName}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  for (const key of Object.keys(file)) {
    const field = (FIELDS as Record<string, Field<unknown>>)[key];
    if (!field)
      problems.push(`${fileName}: unknown key '${key}'; allowed keys: ${CONFIG_KEYS.filter((k) => FIELDS[k].from !== 'input').join(', ')}`);
    else if (field.from === 'input') problems.push(`${fileName}: '${key}' can only be set as an action input`);
  }

  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const field: Field<unknown> = FIELDS[key];
    const input = field.from === 'file' ? undefined : sources.inputs[key];
    const fromInput = input !== undefined && input.trim() !== '';
    const fromFile = !fromInput && field.from !== 'input' && key in file && file[key] !== null;
    const raw = fromInput ? input : fromFile ? file[key] : undefined;
    if (raw === undefined) {
      if (!(key in DEFAULTS)) problems.push(`'${key}' is required (${field.allowed})`);
      else out[camel(key)] = DEFAULTS[key];
      continue;
    }
    let result: ReturnType<typeof field.schema.safeParse>;
    try {
      result = field.schema.safeParse(raw);
    } catch {
      result = { success: false } as ReturnType<typeof field.schema.safeParse>;
    }
    if (result.success) out[camel(key)] = result.data;
    else if (key === 'routes') problems.push(...routeProblems(raw, result.error, fileName));
    else {
      const where = fromInput ? `action input '${key}'` : `'${key}' in ${fileName}`;
      const value = key === 'token' || key === 'workflow-token' ? '(hidden)' : show(raw);
      problems.push(`${where} = ${value} is not allowed; allowed: ${field.allowed}`);
    }
  }
  if (problems.length === 0 && out.agent === 'command' && !String(out.agentCommand ?? '').trim()) {
    problems.push(`'agent-command' is required when agent is command (a command line, e.g. "node agent.js")`);
  }
  if (problems.length === 0) {
    (out.routes as Route[]).forEach((route, i) => {
      const agent = route.agent ?? out.agent;
      if (agent === 'command' && !(route.agentCommand ?? String(out.agentCommand ?? '')).trim()) {
        problems.push(
          `'routes[${i}].agent-command' in ${fileName} is required when the route's agent is command (a command line, e.g. "node agent.js")`,
        );
      }
    });
  }
  if (problems.length) throw new ConfigError(problems);
  const config = out as Omit<Config, 'labelNames'>;
  return { ...config, labelNames: labelNames(config.labelPrefix, config.labels) } as Config;
}
