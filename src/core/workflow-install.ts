// `agentloop init`: the workflow templates (workflows-templates/github/) made ready for one repository,
// edited through the YAML document (comments, order and everything else kept): the agentloop step pinned
// to a release, the chosen agent and its key, the token kind, a custom label prefix, the CI workflows.
import { type Document, isMap, isScalar, isSeq, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { type AgentName, DEFAULTS } from './config.js';
import { labelNames } from './labels.js';
import {
  AGENTLOOP_USES,
  APP_TOKEN_ACTION,
  agentloopSteps,
  appTokenSteps,
  jobsOf,
  labelExpressions,
  renameLabels,
  secretsIn,
  stepValue,
  TEMPLATE_LABELS,
} from './workflow-yaml.js';

export const TOKEN_KINDS = ['workflow', 'pat', 'app'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** The secret `init` wires into the agentloop step for each agent (none for a command of your own). */
export const AGENT_SECRET: Record<AgentName, string | null> = {
  claude: 'ANTHROPIC_API_KEY',
  codex: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
  // opencode reads the key of whichever provider `model` names; Anthropic is its usual default.
  opencode: 'ANTHROPIC_API_KEY',
  command: null,
};

/** The npm package of each agent's CLI (a template's `npm install -g` step installs the chosen one). */
export const AGENT_PACKAGE: Record<AgentName, string | null> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
  opencode: 'opencode-ai',
  command: null,
};
const PACKAGE_SPEC = /(@anthropic-ai\/claude-code|@openai\/codex|@google\/gemini-cli|opencode-ai)(@[^\s'"]+)?/g;

/** Credential variables each agent can work with (any one is enough); `doctor` looks for one of them. */
export const AGENT_CREDENTIALS: Record<AgentName, readonly string[]> = {
  claude: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'],
  codex: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'],
  opencode: [
    'ANTHROPIC_API_KEY',
    'OPENAI_API_KEY',
    'GEMINI_API_KEY',
    'GOOGLE_GENERATIVE_AI_API_KEY',
    'OPENROUTER_API_KEY',
    'GROQ_API_KEY',
    'XAI_API_KEY',
    'DEEPSEEK_API_KEY',
    'MISTRAL_API_KEY',
    'OPENCODE_API_KEY',
    'AZURE_API_KEY',
    'OPENCODE_AUTH_CONTENT',
  ],
  command: [],
};
const ALL_AGENT_KEYS = new Set(Object.values(AGENT_CREDENTIALS).flat());

/** The step `init` adds when a template has none (actions/create-github-app-token v3.1.1). */
export const APP_TOKEN_STEP = {
  uses: `${APP_TOKEN_ACTION}@1b10c78c7865c340bc4f6099eb2f838309f1e8c3`,
  comment: ' v3.1.1',
  clientIdSecret: 'APP_ID',
  privateKeySecret: 'APP_PRIVATE_KEY',
};

export const STRONG_TOKEN_SECRET = 'AGENTLOOP_TOKEN';

/** Forgejo reads workflows only from the first of these directories that exists. */
export const FORGEJO_WORKFLOW_DIRS = ['.forgejo/workflows', '.gitea/workflows', '.github/workflows'] as const;

export interface InstallSpec {
  agent: AgentName;
  /** Required for agent: command. */
  agentCommand?: string;
  tokenKind: TokenKind;
  labelPrefix: string;
  /** Names of the repository's CI workflows (`on.workflow_run.workflows`); the templates' list when absent. */
  ciWorkflows?: string[];
  /** The ref `uses: agentloop/agentloop@<ref>` pins, and the comment after it (the version). */
  pin: { ref: string; comment: string };
}

/** The text of one template, made ready for a repository. */
export function renderWorkflow(templateText: string, spec: InstallSpec): string {
  const doc = parseDocument(templateText);
  const gated = appSecrets(doc);
  // Fresh references each time: adding an App token step moves the steps after it.
  for (let i = 0; i < agentloopSteps(doc).length; i++) {
    const ref = agentloopSteps(doc)[i]!;
    const step = ref.step;
    const uses = step.get('uses', true) as Scalar<string>;
    const repo = AGENTLOOP_USES.exec(String(uses.value))![1]!;
    uses.value = `${repo}@${spec.pin.ref}`;
    uses.comment = spec.pin.comment ? ` ${spec.pin.comment}` : null;

    // The agent: only where the template runs one (the sweep runs none).
    if (step.hasIn(['with', 'agent'])) {
      step.setIn(['with', 'agent'], spec.agent);
      if (spec.agent === 'command') step.setIn(['with', 'agent-command'], spec.agentCommand ?? '');
      else deleteIn(step, ['with', 'agent-command']);
      setAgentEnv(doc, step, spec.agent);
    }
    if (spec.labelPrefix !== DEFAULTS['label-prefix']) step.setIn(['with', 'label-prefix'], spec.labelPrefix);
    setToken(doc, ref.steps, ref.index, ref.jobMap, spec.tokenKind);
  }
  if (spec.tokenKind !== 'app') for (const app of appTokenSteps(doc).reverse()) removeStep(app.jobMap, app.index);
  dropUnusedJobEnv(doc, gated);
  setAgentInstall(doc, templateText, spec.agent);

  const names = labelNames(spec.labelPrefix);
  for (const { path, text } of labelExpressions(doc)) {
    const renamed = renameLabels(text, TEMPLATE_LABELS, names);
    if (renamed !== text) setKeepingStyle(doc, path, renamed);
  }
  if (spec.ciWorkflows?.length) {
    const wr = doc.getIn(['on', 'workflow_run', 'workflows']);
    if (isSeq(wr)) wr.items = spec.ciWorkflows.map((w) => doc.createNode(w)) as typeof wr.items;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const AGENT_TITLE: Record<AgentName, string> = {
  claude: 'Claude Code',
  codex: 'Codex CLI',
  gemini: 'Gemini CLI',
  opencode: 'opencode',
  command: 'your command',
};

/**
 * A template's `npm install` step of an agent CLI installs the chosen agent's instead, at the version the
 * template names for it (its comments list each agent's tested version); for a command of your own, none.
 */
function setAgentInstall(doc: Document, templateText: string, agent: AgentName): void {
  const wanted = AGENT_PACKAGE[agent];
  const version = wanted
    ? new RegExp(`${wanted.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@([0-9][^\\s'"]*)`).exec(templateText)?.[1]
    : undefined;
  for (const { map } of jobsOf(doc)) {
    const seq = map.get('steps');
    if (!isSeq(seq)) continue;
    for (let i = seq.items.length - 1; i >= 0; i--) {
      const step = seq.items[i];
      if (!isMap(step)) continue;
      const run = step.get('run', true);
      if (!isScalar(run) || typeof run.value !== 'string' || !/\bnpm\s+(install|i)\b/.test(run.value)) continue;
      if (!new RegExp(PACKAGE_SPEC.source).test(run.value)) continue;
      if (!wanted) {
        seq.items.splice(i, 1);
        continue;
      }
      run.value = run.value.replace(PACKAGE_SPEC, (whole, pkg: string) =>
        pkg === wanted ? whole : version ? `${wanted}@${version}` : wanted,
      );
      const name = step.get('name');
      if (typeof name === 'string') step.set('name', name.replace(/\(([^)]*)\)$/, `(${AGENT_TITLE[agent]})`));
    }
  }
}

/** The agent's key in the step's env: the chosen agent's secret, and no other agent's. */
function setAgentEnv(doc: Document, step: YAMLMap, agent: AgentName): void {
  let env = step.get('env');
  if (isMap(env))
    for (const pair of [...env.items]) if (ALL_AGENT_KEYS.has(String(isScalar(pair.key) ? pair.key.value : pair.key))) env.delete(pair.key);
  const secret = AGENT_SECRET[agent];
  if (secret) {
    if (!isMap(env)) {
      env = doc.createNode({});
      step.set('env', env);
    }
    (env as YAMLMap).set(secret, `\${{ secrets.${secret} }}`);
  }
  if (isMap(env) && env.items.length === 0) step.delete('env');
}

/**
 * The token of a step that gets agentloop's strong token (the code and sweep lanes; the plan lane keeps
 * the workflow token whatever the kind). The templates try each kind in turn
 * (`steps.app.outputs.token || secrets.AGENTLOOP_TOKEN || github.token`); init keeps the alternatives
 * of the chosen kind: the App step's token (the App step then always runs), the secret falling back to
 * the workflow token (as the templates do), or the workflow token alone.
 */
function setToken(doc: Document, steps: YAMLMap[], index: number, job: YAMLMap, kind: TokenKind): void {
  const step = steps[index]!;
  const current = stepValue(step, 'with', 'token');
  if (!current.includes(STRONG_TOKEN_SECRET) && !/\bsteps\./.test(current)) return;
  const parts = (/^\$\{\{(.*)\}\}$/s.exec(current.trim())?.[1] ?? '')
    .split('||')
    .map((p) => p.trim())
    .filter(Boolean);
  if (kind !== 'app') {
    const kept = kind === 'workflow' ? parts.filter((p) => p === 'github.token') : parts.filter((p) => !p.startsWith('steps.'));
    const fallback = kind === 'workflow' ? ['github.token'] : [`secrets.${STRONG_TOKEN_SECRET}`, 'github.token'];
    step.setIn(['with', 'token'], `\${{ ${(kept.length ? kept : fallback).join(' || ')} }}`);
    deleteIn(step, ['with', 'app-slug']);
    return;
  }
  let app = appTokenSteps(doc).find((s) => s.jobMap === job && s.index < index);
  if (!app) {
    const seq = job.get('steps') as unknown as { items: unknown[] };
    const node = doc.createNode({
      uses: APP_TOKEN_STEP.uses,
      id: 'app',
      with: {
        'client-id': `\${{ secrets.${APP_TOKEN_STEP.clientIdSecret} }}`,
        'private-key': `\${{ secrets.${APP_TOKEN_STEP.privateKeySecret} }}`,
      },
    }) as YAMLMap;
    (node.get('uses', true) as Scalar).comment = APP_TOKEN_STEP.comment;
    seq.items.splice(index, 0, node);
    app = appTokenSteps(doc).find((s) => s.jobMap === job)!;
  }
  let id = String(app.step.get('id') ?? '');
  if (!id) {
    id = 'app';
    app.step.set('id', id);
  }
  // The App is what this repository uses: its step runs always (a missing secret then fails the run loudly).
  app.step.delete('if');
  step.setIn(['with', 'token'], `\${{ steps.${id}.outputs.token }}`);
  step.setIn(['with', 'app-slug'], `\${{ steps.${id}.outputs.app-slug }}`);
}

/** The App token steps' secrets (before they are removed or ungated). */
function appSecrets(doc: Document): Set<string> {
  const out = new Set<string>();
  for (const app of appTokenSteps(doc)) {
    const w = app.step.get('with');
    if (isMap(w)) for (const p of w.items) for (const name of secretsIn(String(isScalar(p.value) ? p.value.value : ''))) out.add(name);
  }
  return out;
}

/** Job `env:` entries that only fed an App step's `if:` (the templates' APP_ID), once no expression reads them. */
function dropUnusedJobEnv(doc: Document, secrets: Set<string>): void {
  for (const { map } of jobsOf(doc)) {
    const env = map.get('env');
    if (!isMap(env)) continue;
    const jobText = String(map.get('steps', true) ?? '') + String(map.get('if') ?? '');
    for (const pair of [...env.items]) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const value = String(isScalar(pair.value) ? pair.value.value : '');
      if (secretsIn(value).some((s) => secrets.has(s)) && !new RegExp(`\\benv\\.${key}\\b`).test(jobText)) env.delete(pair.key);
    }
    if (env.items.length === 0) map.delete('env');
  }
}

function removeStep(job: YAMLMap, index: number): void {
  const seq = job.get('steps');
  if (isSeq(seq)) seq.items.splice(index, 1);
}

function deleteIn(step: YAMLMap, path: [string, string]): void {
  const section = step.get(path[0]);
  if (isMap(section)) {
    section.delete(path[1]);
    if (section.items.length === 0) step.delete(path[0]);
  }
}

/** Replace a scalar's value, keeping its quoting style and comments. */
function setKeepingStyle(doc: Document, path: (string | number)[], value: string): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) node.value = value;
  else doc.setIn(path, value);
}
