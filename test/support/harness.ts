// End-to-end harness: an embedded forge with real git and OpenAPI validation, and a way to run the
// bundled action (dist/index.js) as a workflow step would: a child process with the Actions environment.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  EmbeddedForge,
  type RepoState,
  validateForgejoRequest,
  validateForgejoResponse,
  workflowTokenPermissions,
} from '@agentloop/embedded-forge';
import { parse } from 'yaml';
import type { Forge } from '../../src/forge/forge.js';
import { createForgejoForge } from '../../src/forge/forgejo.js';
import { createGitHubForge } from '../../src/forge/github.js';
import { validateRequest } from './openapi.js';
import { issueLabeledPayload } from './webhooks.js';

const exec = promisify(execFile);
export const ACTION = resolve('dist/index.js');

export type Flavor = 'github' | 'forgejo';

export interface Harness {
  flavor: Flavor;
  forge: EmbeddedForge;
  repo: RepoState;
  dir: string;
  /**
   * A directory the agent's own OS user may write (agent scripts and logs). The agent never gets `dir`,
   * which holds the forge's repositories.
   */
  shared: string;
  /**
   * agentloop's token. GitHub: a workflow token (its writes trigger nothing) with the permissions
   * agentloop's workflow templates give their jobs (every lane's, together). Forgejo: the bot user's
   * access token (agentloop-bot, admin of the repository), which Forgejo's templates pass to every lane.
   */
  botToken: string;
  /** The job's automatic token (GitHub: the same as botToken). */
  workflowToken: string;
  tokenFor(login: string): string;
  /** `login` using the forge's API, as a person in the web UI would. */
  client(login: string): Forge;
  stop(): Promise<void>;
}

export async function startHarness(
  files: Record<string, string> = { 'README.md': '# widget\n', 'src/add.js': 'export const add = (a, b) => a - b;\n' },
  flavor: Flavor = 'github',
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'agentloop-e2e-'));
  const shared = await agentShared();
  const forge = new EmbeddedForge({
    root: dir,
    ...(flavor === 'forgejo'
      ? { flavor, validate: validateForgejoRequest, validateResponse: validateForgejoResponse }
      : { validate: (req) => validateRequest(req) }),
  });
  await forge.start();
  const repo = await forge.createRepo('acme', 'widget', files);
  forge.addCollaborator(repo, 'maria', 'write');
  forge.addCollaborator(repo, 'tom', flavor === 'github' ? 'triage' : 'read');
  // On Forgejo only a repository admin may read another user's permission (docs/forgejo.md, step 1).
  if (flavor === 'forgejo') forge.addCollaborator(repo, 'agentloop-bot', 'admin');
  forge.state.user('github-actions[bot]').type = 'Bot';
  // The code-lane tests open PRs with the workflow token: the maintainer allows it (Settings → Actions →
  // General → "Allow GitHub Actions to create and approve pull requests"; off by default).
  forge.setWorkflowPermissions(repo, { can_approve_pull_request_reviews: true });
  const workflowToken = forge.workflowToken(
    repo,
    workflowTokenPermissions(flavor === 'github' ? templatePermissions() : 'write-all', flavor === 'github' ? 'read' : 'write'),
  );
  const client = (login: string): Forge => {
    const where = { token: forge.token(login), owner: repo.owner, repo: repo.name, baseUrl: forge.urls.api, retryAfterBaseMs: 1 };
    return flavor === 'forgejo' ? createForgejoForge(where) : createGitHubForge({ ...where, spaceWrites: false });
  };
  return {
    flavor,
    forge,
    repo,
    dir,
    shared,
    botToken: flavor === 'github' ? workflowToken : forge.token('agentloop-bot'),
    workflowToken,
    tokenFor: (login) => forge.token(login),
    client,
    stop: async () => {
      await forge.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(shared, { recursive: true, force: true });
    },
  };
}

/** Every job's `permissions:` in agentloop's workflow templates, together (the highest level of each scope). */
export function templatePermissions(dir = resolve('workflows-templates/github')): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    const wf = parse(readFileSync(join(dir, file), 'utf8')) as { jobs: Record<string, { permissions?: Record<string, string> }> };
    for (const job of Object.values(wf.jobs)) {
      for (const [scope, access] of Object.entries(job.permissions ?? {})) {
        if (access === 'write' || (access === 'read' && out[scope] !== 'write')) out[scope] = access;
      }
    }
  }
  return out;
}

/** A world-writable directory for agent fixtures, which run as their own OS user. */
export async function agentShared(): Promise<string> {
  const shared = await mkdtemp(join(tmpdir(), 'agentloop-agent-shared-'));
  // Not sticky: each agent run is another OS user, and may replace what an earlier one wrote.
  await chmod(shared, 0o777);
  return shared;
}

/** Open an issue as `user` (through the API, like a person using the web UI). */
export function openIssue(h: Harness, title: string, body: string, user = 'maria') {
  const issue = {
    id: h.forge.state.id(),
    number: h.forge.state.nextNumber(h.repo),
    title,
    body,
    state: 'open' as const,
    stateReason: null,
    labels: [] as string[],
    user,
    createdAt: h.forge.state.now(),
    updatedAt: h.forge.state.now(),
    closedAt: null,
    isPull: false,
  };
  h.repo.issues.push(issue);
  return issue;
}

/**
 * `sender` adds `label` to item `number`, and the event the forge sends. GitHub: a real `issues labeled`
 * payload from GitHub's webhook examples (the label put on directly). Forgejo: the label added through
 * the API, and the `label_updated` payload the embedded forge emitted for it.
 */
export async function applyLabel(
  h: Harness,
  number: number,
  label: string,
  sender = 'maria',
): Promise<{ eventName: string; payload: unknown }> {
  if (h.flavor === 'github') {
    h.repo.issues.find((i) => i.number === number)!.labels.push(label);
    h.repo.events.push({ id: h.forge.state.id(), issue: number, event: 'labeled', label, actor: sender, createdAt: h.forge.state.now() });
    return { eventName: 'issues', payload: issueLabeledPayload({ owner: h.repo.owner, repo: h.repo.name, number, label, sender }) };
  }
  let sent: { eventName: string; payload: unknown } | undefined;
  h.forge.on((e) => {
    const named = (e.payload.label as { name?: string } | undefined)?.name;
    if (!sent && e.action === 'label_updated' && e.payload.number === number && named === label)
      sent = { eventName: e.name, payload: e.payload };
  });
  await h.client(sender).addLabels(number, [label]);
  if (!sent) throw new Error(`the forge sent no label_updated for ${label} on #${number}`);
  return sent;
}

/** The label names on item `number` (Forgejo mode keeps label ids on items). */
export function labelNames(h: Harness, number: number): string[] {
  const ids = h.repo.issues.find((i) => i.number === number)!.labels;
  return ids.map((l) => (h.flavor === 'forgejo' ? (h.repo.labels.find((x) => String(x.id) === l)?.name ?? l) : l));
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Requests the forge received during this run. */
  requests: number;
}

export async function cloneWorkspace(h: Harness): Promise<string> {
  const ws = await mkdtemp(join(h.dir, 'ws-'));
  await exec('git', ['clone', '--quiet', h.repo.gitDir, ws]);
  return ws;
}

/** Run dist/index.js as the agentloop step of a workflow would. */
export async function runAction(
  h: Harness,
  opts: {
    eventName: string;
    payload: unknown;
    inputs: Record<string, string>;
    workspace?: string;
    env?: Record<string, string>;
    runId?: number;
  },
): Promise<ActionRun> {
  const runDir = await mkdtemp(join(h.dir, 'run-'));
  const eventPath = join(runDir, 'event.json');
  const outputPath = join(runDir, 'output');
  const summaryPath = join(runDir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(opts.payload));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runDir,
    GITHUB_ACTIONS: 'true',
    ...(h.flavor === 'forgejo' ? { GITEA_ACTIONS: 'true', FORGEJO_ACTIONS: 'true' } : {}),
    GITHUB_EVENT_NAME: opts.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${h.repo.owner}/${h.repo.name}`,
    GITHUB_API_URL: h.forge.urls.api,
    GITHUB_SERVER_URL: h.forge.urls.web,
    GITHUB_RUN_ID: String(opts.runId ?? h.forge.state.id()),
    GITHUB_WORKSPACE: opts.workspace ?? (await cloneWorkspace(h)),
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: runDir,
    GITHUB_TOKEN: h.workflowToken,
    // action.yml's default for workflow-token: the workflow's own token (github.token).
    'INPUT_WORKFLOW-TOKEN': h.workflowToken,
    ...Object.fromEntries(Object.entries(opts.inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...opts.env,
  };
  const before = h.forge.requests.length;
  const child = spawn(process.execPath, [ACTION], { env, cwd: env.GITHUB_WORKSPACE });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const outputs = parseOutputs(await readFile(outputPath, 'utf8'));
  return {
    code,
    stdout,
    stderr,
    outputs,
    summary: existsSync(summaryPath) ? await readFile(summaryPath, 'utf8') : '',
    requests: h.forge.requests.length - before,
  };
}

/** GITHUB_OUTPUT holds `name=value` lines and `name<<DELIM … DELIM` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const eq = lines[i]!.indexOf('=');
      out[lines[i]!.slice(0, eq)] = lines[i]!.slice(eq + 1);
    }
  }
  return out;
}
