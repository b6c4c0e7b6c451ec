// `agentloop doctor`, the installed workflows: which of them run agentloop and in which lane, their pins,
// the CI workflows they wait for, the agent's key, the label names their `if:` routes on, and the
// configuration they add up to with `.github/agentloop.yml`.
import { parseDocument } from 'yaml';
import { type AgentName, type Config, ConfigError, parseConfig } from './config.js';
import type { Answer, CodeTokenSource, Finding } from './doctor.js';
import { type LabelNames, labelNames } from './labels.js';
import { AGENT_CREDENTIALS, AGENT_SECRET, STRONG_TOKEN_SECRET } from './workflow-install.js';
import {
  AGENTLOOP_USES,
  agentloopSteps,
  appTokenSteps,
  envKeys,
  labelExpressions,
  quotedNames,
  secretsIn,
  stepValue,
} from './workflow-yaml.js';

export interface ListedWorkflow {
  name: string;
  path: string;
  /** active, disabled_manually, disabled_inactivity, … */
  state: string;
}

export interface WorkflowFacts {
  /** `GET /repos/{o}/{r}/actions/workflows`. */
  list: Answer & { items: ListedWorkflow[] };
  /** Workflow files read from the default branch (null: could not be read). */
  files: { path: string; text: string | null }[];
  config: { path: string; text: string | null };
}

export interface Release {
  version: string;
  /** The commit the running agentloop was bundled from, '' when unknown. */
  commit: string;
}

interface LoopStep {
  path: string;
  file: string;
  lane: string;
  ref: string;
  with: Record<string, string>;
  env: Record<string, string>;
  jobIf: string;
  labelTexts: string[];
  ciNames: string[];
  appStep: boolean;
}

export interface WorkflowReport {
  findings: Finding[];
  names: LabelNames;
  codeToken: CodeTokenSource;
  /** The paths of the workflows that run agentloop. */
  loopFiles: string[];
}

const base = (path: string) => path.split('/').at(-1)!;

function readSteps(files: WorkflowFacts['files'], findings: Finding[]): LoopStep[] {
  const steps: LoopStep[] = [];
  for (const { path, text } of files) {
    if (text === null) continue;
    const doc = parseDocument(text);
    if (doc.errors.length) {
      if (/agentloop@/.test(text))
        findings.push({
          level: 'problem',
          topic: 'workflows',
          message: `${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
        });
      continue;
    }
    const wr = doc.getIn(['on', 'workflow_run', 'workflows']);
    const ciNames = Array.isArray((wr as { toJSON?: () => unknown })?.toJSON?.())
      ? ((wr as { toJSON(): unknown[] }).toJSON().map(String) as string[])
      : [];
    const labelTexts = labelExpressions(doc).map((e) => e.text);
    for (const ref of agentloopSteps(doc)) {
      const withMap = (ref.step.get('with') as { toJSON?: () => Record<string, unknown> } | undefined)?.toJSON?.() ?? {};
      const env: Record<string, string> = {};
      for (const key of envKeys(ref.step)) env[key] = stepValue(ref.step, 'env', key);
      steps.push({
        path,
        file: base(path),
        lane: String(withMap.lane ?? 'auto'),
        ref: AGENTLOOP_USES.exec(String(ref.step.get('uses')))![2]!,
        with: Object.fromEntries(Object.entries(withMap).map(([k, v]) => [k, v === null ? '' : String(v)])),
        env,
        jobIf: String(ref.jobMap.get('if') ?? ''),
        labelTexts,
        ciNames,
        appStep: appTokenSteps(doc).some((a) => a.jobMap === ref.jobMap && a.index < ref.index),
      });
    }
  }
  return steps;
}

/** The configuration a lane's step adds up to: its literal inputs over the repository file. */
function configOf(step: LoopStep, facts: WorkflowFacts, findings: Finding[]): Config | undefined {
  const inputs: Record<string, string> = { token: 'doctor' };
  for (const [k, v] of Object.entries(step.with)) if (!v.includes('${{') && k !== 'token') inputs[k] = v;
  try {
    return parseConfig({ inputs, fileText: facts.config.text, fileName: facts.config.path });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    findings.push({
      level: 'problem',
      topic: 'config',
      message: `${step.path} with ${facts.config.path}: ${err.problems.join('; ')}`,
      fix: 'Correct the key named above; every run of this workflow stops before it writes anything until then.',
    });
    return undefined;
  }
}

export function tokenSource(token: string | undefined): CodeTokenSource {
  if (token === undefined) return 'none';
  const workflow = token.trim() === '' || /github\.token|secrets\.GITHUB_TOKEN/.test(token);
  const other = /\bsteps\./.test(token) || secretsIn(token).some((s) => s !== 'GITHUB_TOKEN');
  // The templates try an App token, then AGENTLOOP_TOKEN, then the workflow token: it can fall back.
  if (workflow) return other ? 'secret-or-workflow' : 'workflow';
  return /\bsteps\./.test(token) ? 'app' : 'secret';
}

export function workflowFindings(repo: string, facts: WorkflowFacts, release?: Release): WorkflowReport {
  const findings: Finding[] = [];
  const steps = readSteps(facts.files, findings);
  const none: WorkflowReport = { findings, names: labelNames('loop/'), codeToken: 'none', loopFiles: [] };
  if (steps.length === 0) {
    findings.push({
      level: 'problem',
      topic: 'workflows',
      message: `no workflow in .github/workflows on the default branch runs agentloop`,
      fix: `npx agentloop init --repo ${repo}`,
    });
    return none;
  }
  const byLane = (lane: string) => steps.find((s) => s.lane === lane) ?? steps.find((s) => s.lane === 'auto');
  const main = byLane('code') ?? steps[0]!;
  const config = configOf(main, facts, findings);
  const names = config?.labelNames ?? labelNames(main.with['label-prefix'] || 'loop/');

  // Lanes, and the file names the sweep dispatches.
  const lanes = new Set(steps.map((s) => s.lane));
  const loopFiles = [...new Set(steps.map((s) => s.path))];
  findings.push({
    level: 'ok',
    topic: 'workflows',
    message: `agentloop runs in ${loopFiles.join(', ')} (lanes: ${[...lanes].join(', ')})`,
  });
  for (const [lane, why] of [
    ['plan', `${names.plan} does nothing`],
    ['code', `${names.code} does nothing`],
    ['sweep', 'runs that died stay in process and dropped events are never repaired'],
  ] as const) {
    if (!lanes.has(lane) && !lanes.has('auto'))
      findings.push({
        level: 'warning',
        topic: 'workflows',
        message: `no workflow runs the ${lane} lane: ${why}`,
        fix: `npx agentloop init --repo ${repo}`,
      });
  }
  if (config) {
    for (const [lane, key, wanted] of [
      ['plan', 'plan-workflow', config.planWorkflow],
      ['code', 'code-workflow', config.codeWorkflow],
    ] as const) {
      const s = steps.find((x) => x.lane === lane);
      if (s && s.file !== wanted)
        findings.push({
          level: 'problem',
          topic: 'workflows',
          message: `the ${lane} lane runs in ${s.path}, but the sweep and the chain dispatch ${wanted}`,
          fix: `Set ${key}: ${s.file} in ${facts.config.path}.`,
        });
    }
  }

  // Disabled workflows (GitHub disables scheduled workflows after 60 days without activity).
  for (const path of loopFiles) {
    const listed = facts.list.items.find((w) => w.path === path);
    if (listed && listed.state !== 'active')
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${path} is ${listed.state.replace(/_/g, ' ')}: it runs for no event`,
        fix: `gh workflow enable ${base(path)} -R ${repo}`,
      });
  }

  pinFindings(steps, findings, release);
  ciNameFindings(repo, steps, facts, findings);
  secretFindings(steps, config, findings);
  strongTokenNote(steps, findings);
  labelRouteFindings(steps, names, findings);

  const prefixes = new Set(steps.map((s) => s.with['label-prefix'] ?? ''));
  if (prefixes.size > 1)
    findings.push({
      level: 'problem',
      topic: 'config',
      message: `the workflows set different label-prefix inputs (${[...prefixes].map((p) => p || '(none)').join(', ')}): the lanes disagree on the label names`,
      fix: 'Set the same label-prefix in every agentloop step, or set it once in .github/agentloop.yml.',
    });
  const codeStep = steps.find((s) => s.lane === 'code') ?? steps.find((s) => s.lane === 'auto');
  return { findings, names, codeToken: codeStep ? tokenSource(codeStep.with.token ?? '') : 'none', loopFiles };
}

/** Pins: no placeholder, a commit SHA, one version across files. `init`: the command that writes pinned files. */
export function pinFindings(
  steps: readonly { path: string; ref: string }[],
  findings: Finding[],
  release?: Release,
  init = 'npx agentloop init --force',
): void {
  const refs = new Set(steps.map((s) => s.ref));
  for (const s of steps) {
    if (/^0{40}$/.test(s.ref))
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${s.path} pins agentloop to the template's placeholder 000…0, which names no commit`,
        fix: `Replace it with the commit SHA of the agentloop release you use (${init} writes the running release).`,
      });
    else if (!/^[0-9a-f]{40}$/.test(s.ref))
      findings.push({
        level: 'warning',
        topic: 'workflows',
        message: `${s.path} uses agentloop@${s.ref}, a tag or branch: whoever can move it changes the code that holds your token`,
        fix: `Pin the full commit SHA of the release (${init} --pin <sha>).`,
      });
  }
  if (refs.size > 1)
    findings.push({
      level: 'warning',
      topic: 'workflows',
      message: `the workflows pin different agentloop versions (${[...refs].join(', ')}): the lanes may disagree`,
      fix: `Pin the same commit in every agentloop step (${init}).`,
    });
  else if (release?.commit && !refs.has(release.commit))
    findings.push({
      level: 'ok',
      topic: 'workflows',
      message: `agentloop is pinned to ${[...refs][0]}; this doctor is v${release.version} (${release.commit.slice(0, 12)})`,
    });
  else if (refs.size === 1 && /^[0-9a-f]{40}$/.test([...refs][0]!) && !/^0{40}$/.test([...refs][0]!))
    findings.push({ level: 'ok', topic: 'workflows', message: `agentloop is pinned to ${[...refs][0]}` });
}

function ciNameFindings(repo: string, steps: LoopStep[], facts: WorkflowFacts, findings: Finding[]): void {
  const files = [...new Map(steps.map((s) => [s.path, s])).values()].filter((s) => s.ciNames.length);
  if (files.length === 0) return;
  if (facts.list.status !== 200) {
    findings.push({
      level: 'warning',
      topic: 'workflows',
      message: `could not list the repository's workflows (GET /repos/${repo}/actions/workflows answered ${facts.list.status}): the CI names agentloop waits for were not checked`,
    });
    return;
  }
  const loop = new Set(steps.map((s) => s.path));
  const ci = facts.list.items.filter((w) => !loop.has(w.path));
  const known = new Set(facts.list.items.map((w) => w.name));
  for (const s of files) {
    const missing = s.ciNames.filter((n) => !known.has(n));
    if (missing.length === 0) {
      findings.push({ level: 'ok', topic: 'workflows', message: `${s.path} waits for ${s.ciNames.join(', ')}, which exist` });
      continue;
    }
    findings.push({
      level: 'problem',
      topic: 'workflows',
      message: `${s.path} waits for ${missing.map((n) => `"${n}"`).join(', ')} (on.workflow_run.workflows), which no workflow in ${repo} is called${s.lane === 'sweep' ? '' : ': agentloop never sees its PRs turn green or red'}`,
      fix: ci.length
        ? `In ${s.path}, list your CI workflows by name under on.workflow_run.workflows: ${ci.map((w) => JSON.stringify(w.name)).join(', ')}.`
        : `${repo} has no other workflow: add your CI, then list its name under on.workflow_run.workflows in ${s.path}.`,
    });
  }
}

function secretFindings(steps: LoopStep[], config: Config | undefined, findings: Finding[]): void {
  for (const s of steps) {
    if (s.lane === 'sweep') continue;
    const agents = new Set<AgentName>([(s.with.agent as AgentName) || config?.agent || 'command']);
    for (const r of config?.routes ?? []) if (r.agent) agents.add(r.agent);
    for (const agent of agents) {
      const creds = AGENT_CREDENTIALS[agent] ?? [];
      if (creds.length === 0) continue;
      const given = creds.filter((k) => s.env[k] !== undefined && s.env[k] !== '');
      if (given.length)
        findings.push({
          level: 'ok',
          topic: 'secrets',
          message: `${s.path} gives ${agent} ${given
            .map(
              (k) =>
                `${k} (${
                  secretsIn(s.env[k]!)
                    .map((x) => `secrets.${x}`)
                    .join(', ') || 'a literal or variable'
                })`,
            )
            .join(', ')}; doctor cannot see whether the secret is set`,
        });
      else {
        const key = AGENT_SECRET[agent]!;
        findings.push({
          level: 'problem',
          topic: 'secrets',
          message: `${s.path} runs ${agent}, but its agentloop step passes none of ${creds.join(', ')}: the agent cannot reach its model`,
          fix: `Add to the agentloop step of ${s.path}:\n  env:\n    ${key}: \${{ secrets.${key} }}\nand set the secret: gh secret set ${key}`,
        });
      }
    }
  }
  for (const s of steps) {
    const fromStep = /\bsteps\./.test(s.with.token ?? '');
    if (fromStep && !s.appStep)
      findings.push({
        level: 'problem',
        topic: 'secrets',
        message: `${s.path} takes its token from a step output, but no actions/create-github-app-token step comes before agentloop in its job`,
        fix: 'npx agentloop init --token-kind app --force writes the App token step.',
      });
    if (fromStep && !(s.with['app-slug'] ?? '').trim())
      findings.push({
        level: 'problem',
        topic: 'secrets',
        message: `${s.path} runs agentloop with an App token but no app-slug: agentloop cannot tell who it is and stops`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression the user writes
        fix: 'Add `app-slug: ${{ steps.<id>.outputs.app-slug }}` to the agentloop step (the id of the App token step).',
      });
  }
}

function strongTokenNote(steps: LoopStep[], findings: Finding[]): void {
  const readers = [...new Set(steps.filter((s) => secretsIn(s.with.token ?? '').includes(STRONG_TOKEN_SECRET)).map((s) => s.path))];
  if (readers.length)
    findings.push({
      level: 'ok',
      topic: 'secrets',
      message: `${readers.join(', ')} read${readers.length === 1 ? 's' : ''} secrets.${STRONG_TOKEN_SECRET}: set it to an App token or a fine-grained PAT, or agentloop's PRs get no CI (README: Tokens)`,
    });
}

/** The labels a lane's `if:` must let through, and the names its expressions mention. */
function labelRouteFindings(steps: LoopStep[], names: LabelNames, findings: Finding[]): void {
  const wanted: Record<string, string[]> = { plan: [names.plan], code: [names.code, names.merge] };
  for (const s of steps) {
    const need = wanted[s.lane];
    if (!need || !s.jobIf) continue;
    const mentioned = new Set(s.labelTexts.flatMap(quotedNames).map((n) => n.toLowerCase()));
    const missing = need.filter((n) => !mentioned.has(n.toLowerCase()));
    if (missing.length)
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `the if: and concurrency.group of ${s.path} never let ${missing.join(', ')} through: applying ${missing.length > 1 ? 'them' : 'it'} starts no run`,
        fix: `Regenerate with the label prefix in use (npx agentloop init --label-prefix '${names.plan.slice(0, -'plan'.length)}' --force), or rename the labels in the if: and concurrency.group yourself.`,
      });
  }
}
