// `agentloop doctor --forge forgejo`, the workflows: agentloop's three files in the one directory Forgejo
// reads (the first of .forgejo/workflows, .gitea/workflows, .github/workflows that exists), none left in a
// directory it ignores, and in each: a full-URL `uses:` pinned by SHA, workflow-level `concurrency:` with
// `cancel-in-progress: false`, the Forgejo API, the bot's token, and `if:` that let the labels through.
import { type Document, isMap, parseDocument } from 'yaml';
import type { Finding } from './doctor.js';
import type { ForgejoFacts } from './doctor-forgejo.js';
import { pinFindings, type Release } from './doctor-workflows.js';
import { type LabelNames, labelNames } from './labels.js';
import { FORGEJO_WORKFLOW_DIRS, STRONG_TOKEN_SECRET } from './workflow-install.js';
import { AGENTLOOP_USES, agentloopSteps, labelExpressions, quotedNames, secretsIn } from './workflow-yaml.js';

/** agentloop's workflows as `agentloop init --forge forgejo` names them. */
export const FORGEJO_LOOP_FILES = ['agentloop-plan.yml', 'agentloop-code.yml', 'agentloop-sweep.yml'] as const;

const LOOP_FILE = /^agentloop[\w.-]*\.ya?ml$/;
const sameFile = (a: string, b: string) => a.replace(/\.yaml$/, '.yml') === b.replace(/\.yaml$/, '.yml');

export interface ForgejoWorkflowReport {
  findings: Finding[];
  /** The label names the workflows are written for (their label-prefix, loop/ by default). */
  names: LabelNames;
}

/** The workflow directories and agentloop's files in the one Forgejo reads. */
export function forgejoWorkflowFindings(facts: ForgejoFacts, release?: Release): ForgejoWorkflowReport {
  const { repo, dirs = [], files = [] } = facts;
  const findings: Finding[] = [];
  const init = `GITHUB_API_URL=${facts.api} npx agentloop init --forge forgejo --repo ${repo}`;
  const read = dirs.find((d) => d.names !== null);
  const rule = `Forgejo reads only the first of ${FORGEJO_WORKFLOW_DIRS.join(', ')} that exists`;
  if (!read) {
    if (dirs.length)
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `the default branch has none of ${FORGEJO_WORKFLOW_DIRS.join(', ')}: agentloop is not installed`,
        fix: `${init} proposes its workflows as a PR.`,
      });
    return { findings, names: labelNames('loop/') };
  }
  for (const d of dirs) {
    const loop = (d.names ?? []).filter((n) => LOOP_FILE.test(n));
    if (d === read || loop.length === 0) continue;
    const twins = loop.filter((n) => read.names!.some((r) => sameFile(r, n)));
    findings.push({
      level: 'problem',
      topic: 'workflows',
      message: `${d.path} holds ${loop.join(', ')}, which never run: ${rule}, here ${read.path}`,
      fix:
        twins.length === loop.length
          ? `Delete them from ${d.path}: the ones in ${read.path} run.`
          : `Move them into ${read.path} (${init} proposes them there), and delete them from ${d.path}.`,
    });
  }
  const missing = FORGEJO_LOOP_FILES.filter((f) => !read.names!.some((n) => sameFile(n, f)));
  const steps = readSteps(files, findings);
  const prefixes = new Set(steps.map((s) => s.with['label-prefix'] ?? '').filter((p) => !p.includes('${{')));
  // The code lane's prefix names the labels (as on GitHub); an expression cannot be read here.
  const mainPrefix = (steps.find((s) => s.lane === 'code') ?? steps[0])?.with['label-prefix'] ?? '';
  const names = labelNames(mainPrefix && !mainPrefix.includes('${{') ? mainPrefix : 'loop/');
  if (missing.length)
    findings.push({
      level: 'problem',
      topic: 'workflows',
      message: `${read.path} has no ${missing.join(', ')}: ${missing.map((f) => LANE_WITHOUT[f]!(names)).join('; ')}`,
      fix: `${init} proposes them as a PR.`,
    });
  const present = [...new Set(steps.map((s) => s.path))];
  if (present.length)
    findings.push({
      level: 'ok',
      topic: 'workflows',
      message: `agentloop runs in ${present.join(', ')} (${read.path} is the directory Forgejo reads: the first of ${FORGEJO_WORKFLOW_DIRS.join(', ')} that exists)`,
    });
  stepFindings(steps, findings, names);
  pinFindings(steps, findings, release, 'agentloop init --forge forgejo');
  if (prefixes.size > 1)
    findings.push({
      level: 'problem',
      topic: 'config',
      message: `the workflows set different label-prefix inputs (${[...prefixes].map((p) => p || '(none)').join(', ')}): the lanes disagree on the label names`,
      fix: 'Set the same label-prefix in every agentloop step.',
    });
  const tokenOk = steps.length > 0 && steps.every((s) => secretsIn(s.with.token ?? '').includes(STRONG_TOKEN_SECRET));
  if (tokenOk && facts.user)
    findings.push({
      level: 'ok',
      topic: 'secrets',
      message: `the workflows pass secrets.${STRONG_TOKEN_SECRET} as token: store @${facts.user.login}'s token there (doctor cannot see secrets)`,
    });
  return { findings, names };
}

/** What is lost without each of agentloop's files. */
const LANE_WITHOUT: Record<string, (n: LabelNames) => string> = {
  'agentloop-plan.yml': (n) => `${n.plan} does nothing`,
  'agentloop-code.yml': (n) => `${n.code} does nothing`,
  'agentloop-sweep.yml': () => 'nothing notices CI results, runs that died or dropped events',
};

interface LoopStep {
  path: string;
  uses: string;
  name: string;
  ref: string;
  lane: string;
  with: Record<string, string>;
  jobIf: string;
  labelTexts: string[];
}

function readSteps(files: NonNullable<ForgejoFacts['files']>, findings: Finding[]): LoopStep[] {
  const steps: LoopStep[] = [];
  for (const { path, text } of files) {
    if (text === null) continue;
    const doc = parseDocument(text);
    if (doc.errors.length) {
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
      });
      continue;
    }
    const found = agentloopSteps(doc);
    if (found.length === 0)
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${path} has no step that uses agentloop`,
        fix: 'Restore it from workflows-templates/forgejo/ (agentloop init --forge forgejo writes it).',
      });
    else concurrencyFindings(path, doc, findings);
    const labelTexts = labelExpressions(doc).map((e) => e.text);
    for (const ref of found) {
      const uses = String(ref.step.get('uses'));
      const m = AGENTLOOP_USES.exec(uses)!;
      const withMap = (ref.step.get('with') as { toJSON?: () => Record<string, unknown> } | undefined)?.toJSON?.() ?? {};
      const w = Object.fromEntries(Object.entries(withMap).map(([k, v]) => [k, v === null ? '' : String(v)]));
      steps.push({
        path,
        uses,
        name: m[1]!,
        ref: m[2]!,
        lane: w.lane ?? 'auto',
        with: w,
        jobIf: String(ref.jobMap.get('if') ?? ''),
        labelTexts,
      });
    }
  }
  return steps;
}

/** Workflow-level `concurrency:` with `cancel-in-progress: false` written out: only that serializes on Forgejo. */
function concurrencyFindings(path: string, doc: Document, findings: Finding[]): void {
  const c = doc.get('concurrency');
  const cancel = isMap(c) ? c.get('cancel-in-progress') : undefined;
  if (isMap(c) && c.get('group') !== undefined && (cancel === false || cancel === 'false')) return;
  findings.push({
    level: 'problem',
    topic: 'workflows',
    message: `${path} has no workflow-level concurrency with cancel-in-progress: false written out: Forgejo then does not serialize its runs, and two of them can work on the same item or branch at once`,
    fix: 'Restore the top-level concurrency: block of the template (group: …, cancel-in-progress: false); Forgejo ignores it inside a job. agentloop init --forge forgejo writes it.',
  });
}

/** Each agentloop step: a full-URL `uses:`, the Forgejo API, the bot's token, and `if:` that let its labels through. */
function stepFindings(steps: LoopStep[], findings: Finding[], names: LabelNames): void {
  const wanted: Record<string, string[]> = { plan: [names.plan], code: [names.code, names.merge] };
  for (const s of steps) {
    if (!/^https?:\/\//.test(s.name))
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${s.path} uses ${s.uses}, a short name: Forgejo looks short names up on its own action mirror (DEFAULT_ACTIONS_URL, https://code.forgejo.org by default), where agentloop is not, so the job fails`,
        fix: `Write the full URL: uses: https://github.com/${s.name}@${s.ref} (or the URL of your own mirror of agentloop).`,
      });
    if ((s.with.forge ?? '').trim() === 'github')
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `${s.path} sets forge: github: agentloop would speak GitHub's API to Forgejo`,
        fix: "Set forge: forgejo, or leave it out (agentloop recognizes Forgejo's runner).",
      });
    const token = s.with.token ?? '';
    const fix = `In the agentloop step of ${s.path}: token: \${{ secrets.${STRONG_TOKEN_SECRET} }}, and store the bot user's token as the repository's Actions secret ${STRONG_TOKEN_SECRET}.`;
    if (!secretsIn(token).includes(STRONG_TOKEN_SECRET))
      findings.push({
        level: 'problem',
        topic: 'secrets',
        message: `${s.path} gives agentloop ${token.trim() ? `token: ${token.trim()}` : 'no token (so the automatic one)'}, not secrets.${STRONG_TOKEN_SECRET}: the automatic token cannot read other users' permissions, so agentloop cannot check who applied a label and starts nothing`,
        fix,
      });
    else if (/github\.token|secrets\.(GITHUB|GITEA|FORGEJO)_TOKEN/.test(token))
      findings.push({
        level: 'warning',
        topic: 'secrets',
        message: `${s.path} falls back to the automatic token while secrets.${STRONG_TOKEN_SECRET} is unset, and that token cannot read permissions`,
        fix,
      });
    const need = wanted[s.lane];
    if (!need || !s.jobIf) continue;
    const mentioned = new Set(s.labelTexts.flatMap(quotedNames).map((n) => n.toLowerCase()));
    const absent = need.filter((n) => !mentioned.has(n.toLowerCase()));
    if (absent.length)
      findings.push({
        level: 'problem',
        topic: 'workflows',
        message: `the if: and concurrency.group of ${s.path} never let ${absent.join(', ')} through: applying ${absent.length > 1 ? 'them' : 'it'} starts no run`,
        fix: `Regenerate with the label prefix in use (agentloop init --forge forgejo --label-prefix '${names.plan.slice(0, -'plan'.length)}'), or rename the labels in the if: and concurrency.group yourself.`,
      });
  }
}
