// The whole loop on the embedded forge: a sample repository with CI and agentloop's workflow templates
// installed as a maintainer would, the workflow runner with GitHub's semantics, and a maintainer client.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AgentScript,
  EmbeddedForge,
  type IssueRec,
  type RepoState,
  type RunnerOptions,
  type RunRecord,
  validateRequest,
  WorkflowRunner,
} from '@agentloop/embedded-forge';
import { installWorkflows } from '../../src/demo/install.js';
import { SAMPLE_FILES, SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { createGitHubForge, type GitHubForge } from '../../src/forge/github.js';
import { agentShared } from './harness.js';

export interface Loop {
  forge: EmbeddedForge;
  repo: RepoState;
  runner: WorkflowRunner;
  /** A maintainer (admin) using the API, as the web UI would. */
  maria: GitHubForge;
  /** A triage-role user. */
  tom: GitHubForge;
  dir: string;
  scriptPath: string;
  agentRuns(): Promise<number>;
  issue(n: number): IssueRec;
  labelsOf(n: number): string[];
  comments(n: number, marker?: string): { body: string; user: string }[];
  agentloopRuns(): RunRecord[];
  stop(): Promise<void>;
}

export interface LoopOptions {
  script?: AgentScript;
  /** The whole .github/agentloop.yml (default: the sample's, auto-merge on). */
  config?: string;
  /** Give agentloop a PAT (AGENTLOOP_TOKEN) so its pushes start CI; false = the default token only (and the
   *  repository lets GitHub Actions create pull requests). */
  pat?: boolean;
  runner?: Partial<RunnerOptions>;
  mergeableNullReads?: number;
}

const ROOT = resolve('.');

export async function startLoop(opts: LoopOptions = {}): Promise<Loop> {
  const dir = await mkdtemp(join(tmpdir(), 'agentloop-loop-'));
  const shared = await agentShared();
  const scriptPath = join(shared, 'script.json');
  await writeFile(scriptPath, JSON.stringify(opts.script ?? SAMPLE_SCRIPT));
  const forge = new EmbeddedForge({
    root: join(dir, 'forge'),
    validate: validateRequest,
    ...(opts.mergeableNullReads ? { mergeableNullReads: opts.mergeableNullReads } : {}),
  });
  await forge.start();
  const workflows = installWorkflows(join(ROOT, 'workflows-templates', 'github'), {
    with: { agent: 'command', 'agent-command': `node ${join(ROOT, 'dist', 'scripted-agent.js')} ${scriptPath}` },
    dropEnv: ['ANTHROPIC_API_KEY'],
    ciWorkflows: ['CI'],
  });
  const repo = await forge.createRepo('acme', 'calc', {
    ...SAMPLE_FILES,
    '.github/agentloop.yml': opts.config ?? SAMPLE_FILES['.github/agentloop.yml']!,
    ...workflows,
  });
  forge.addCollaborator(repo, 'maria', 'admin');
  forge.addCollaborator(repo, 'tom', 'triage');
  forge.addCollaborator(repo, 'agentloop-bot', 'write');
  forge.state.user('github-actions[bot]').type = 'Bot';
  // Without AGENTLOOP_TOKEN the code lane opens PRs with the workflow token: the maintainer allows that
  // (Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests").
  if (opts.pat === false) forge.setWorkflowPermissions(repo, { can_approve_pull_request_reviews: true });
  const client = (login: string) =>
    createGitHubForge({
      token: forge.token(login),
      owner: 'acme',
      repo: 'calc',
      baseUrl: forge.urls.api,
      spaceWrites: false,
      retryAfterBaseMs: 1,
    });
  const runner = new WorkflowRunner(forge, {
    flavor: 'github',
    actionDir: ROOT,
    workRoot: join(dir, 'runner'),
    // A bot account's classic PAT with the `repo` scope (its pushes and PRs start CI; no `workflow` scope).
    secrets: opts.pat === false ? {} : { AGENTLOOP_TOKEN: forge.classicToken('agentloop-bot', ['repo']) },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    ...opts.runner,
  });
  runner.start();
  const issue = (n: number) => repo.issues.find((i) => i.number === n)!;
  return {
    forge,
    repo,
    runner,
    maria: client('maria'),
    tom: client('tom'),
    dir,
    scriptPath,
    // No log file means the agent never ran; any other failure to read it is an error, not "0 runs".
    agentRuns: async () =>
      (
        await readFile(`${scriptPath}.log`, 'utf8').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return '';
          throw err;
        })
      )
        .split('\n')
        .filter(Boolean).length,
    issue,
    labelsOf: (n) => [...issue(n).labels].sort(),
    comments: (n, marker) =>
      repo.comments.filter((c) => c.issue === n && (!marker || c.body.includes(marker))).map((c) => ({ body: c.body, user: c.user })),
    agentloopRuns: () => runner.runs.filter((r) => r.outputs.transition !== undefined),
    stop: async () => {
      runner.stop();
      await forge.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(shared, { recursive: true, force: true });
    },
  };
}

/** The transitions agentloop performed, in order (runs that decided "none" left out). */
export function transitions(loop: Loop): string[] {
  return loop.runner.runs
    .filter((r) => r.outputs.transition && r.outputs.transition !== 'none')
    .sort((a, b) => (a.completedAt ?? 0) - (b.completedAt ?? 0))
    .map((r) => r.outputs.transition!);
}
