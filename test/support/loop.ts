// The whole loop on the embedded forge: a sample repository with CI and agentloop's workflow templates
// installed as a maintainer would, the workflow runner with GitHub's or Forgejo's semantics, and a
// maintainer client speaking the forge's own API.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AgentScript,
  EmbeddedForge,
  type IssueRec,
  type ModelScript,
  ModelServer,
  type RepoState,
  type RunnerOptions,
  type RunRecord,
  validateForgejoRequest,
  validateForgejoResponse,
  validateRequest,
  WorkflowRunner,
} from '@agentloop/embedded-forge';
import { parse as parseYaml } from 'yaml';
import { installWorkflows } from '../../src/demo/install.js';
import { type OfflineCli, offlineCliDialects, offlineCliSetup } from '../../src/demo/offline-cli.js';
import { SAMPLE_FILES, SAMPLE_MODEL_SCRIPT, SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import type { Forge } from '../../src/forge/forge.js';
import { createForgejoForge } from '../../src/forge/forgejo.js';
import { createGitHubForge } from '../../src/forge/github.js';
import { agentShared } from './harness.js';
import { InvariantMonitor } from './invariants.js';

export type Flavor = 'github' | 'forgejo';

export interface Loop {
  flavor: Flavor;
  forge: EmbeddedForge;
  repo: RepoState;
  runner: WorkflowRunner;
  /** A maintainer (admin) using the API, as the web UI would. */
  maria: Forge;
  /** A triage-role user (GitHub) / a read-access collaborator (Forgejo has no triage role). */
  tom: Forge;
  dir: string;
  scriptPath: string;
  agentRuns(): Promise<number>;
  issue(n: number): IssueRec;
  labelsOf(n: number): string[];
  comments(n: number, marker?: string): { body: string; user: string }[];
  agentloopRuns(): RunRecord[];
  /** The scripted model server, when a real CLI runs. */
  model?: ModelServer;
  /** Merge requests agentloop sent (GitHub: PUT …/merge; Forgejo: POST …/merge), with the head they named. */
  merges(): { sha: string }[];
  /** The invariants (test/support/invariants.ts), checked after every run and at rest; `stop()` fails on a violation. */
  invariants: InvariantMonitor;
  /**
   * Until nothing is left to do. On GitHub, CI completion arrives as `workflow_run`; Forgejo has none, so
   * this also fires the sweep's schedule, as the cron would, until a tick starts no more work.
   */
  settle(): Promise<void>;
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
  /** The forge's semantics and API (default github). */
  flavor?: Flavor;
  /** Run this real agent CLI (a devDependency) against the scripted model server instead of the scripted agent. */
  cli?: OfflineCli;
  /** The model server's script (default: the sample's). */
  modelScript?: ModelScript;
  /** Files of the sample repository replaced or added (e.g. another CI). */
  files?: Record<string, string>;
}

const ROOT = resolve('.');

export async function startLoop(opts: LoopOptions = {}): Promise<Loop> {
  const dir = await mkdtemp(join(tmpdir(), 'agentloop-loop-'));
  const shared = await agentShared();
  const scriptPath = join(shared, 'script.json');
  await writeFile(scriptPath, JSON.stringify(opts.script ?? SAMPLE_SCRIPT));
  const flavor = opts.flavor ?? 'github';
  const forge = new EmbeddedForge({
    root: join(dir, 'forge'),
    ...(flavor === 'forgejo'
      ? { flavor, validate: validateForgejoRequest, validateResponse: validateForgejoResponse }
      : { validate: validateRequest }),
    ...(opts.mergeableNullReads ? { mergeableNullReads: opts.mergeableNullReads } : {}),
  });
  await forge.start();
  // The sample keeps its CI in .github/workflows, so on Forgejo too agentloop goes there: Forgejo reads
  // only the first workflow directory that exists (docs/forgejo.md, step 5).
  const model = opts.cli
    ? new ModelServer({ dialects: offlineCliDialects(opts.cli), script: opts.modelScript ?? SAMPLE_MODEL_SCRIPT })
    : undefined;
  const cli = opts.cli ? offlineCliSetup(opts.cli, await model!.start(), ROOT) : undefined;
  const workflows = installWorkflows(join(ROOT, 'workflows-templates', flavor), {
    with: cli?.with ?? { agent: 'command', 'agent-command': `node ${join(ROOT, 'dist', 'scripted-agent.js')} ${scriptPath}` },
    ...(cli ? {} : { dropEnv: ['ANTHROPIC_API_KEY'] }),
    ...(flavor === 'github' ? { ciWorkflows: ['CI'] } : {}),
  });
  const config = opts.config ?? SAMPLE_FILES['.github/agentloop.yml']!;
  const repo = await forge.createRepo('acme', 'calc', {
    ...SAMPLE_FILES,
    ...opts.files,
    '.github/agentloop.yml': config,
    ...workflows,
  });
  forge.addCollaborator(repo, 'maria', 'admin');
  forge.addCollaborator(repo, 'tom', flavor === 'github' ? 'triage' : 'read');
  // On Forgejo only a repository admin may read another user's permission (docs/forgejo.md, step 1).
  forge.addCollaborator(repo, 'agentloop-bot', flavor === 'forgejo' ? 'admin' : 'write');
  forge.state.user('github-actions[bot]').type = 'Bot';
  // Without AGENTLOOP_TOKEN the code lane opens PRs with the workflow token: the maintainer allows that
  // (Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests").
  if (opts.pat === false) forge.setWorkflowPermissions(repo, { can_approve_pull_request_reviews: true });
  const client = (login: string): Forge =>
    flavor === 'forgejo'
      ? createForgejoForge({ token: forge.token(login), owner: 'acme', repo: 'calc', baseUrl: forge.urls.api, retryAfterBaseMs: 1 })
      : createGitHubForge({
          token: forge.token(login),
          owner: 'acme',
          repo: 'calc',
          baseUrl: forge.urls.api,
          spaceWrites: false,
          retryAfterBaseMs: 1,
        });
  // GitHub: a bot account's classic PAT with the `repo` scope (its pushes and PRs start CI; no `workflow`
  // scope). Forgejo: the bot user's access token, which every lane's template asks for.
  const botToken = flavor === 'forgejo' ? forge.token('agentloop-bot') : forge.classicToken('agentloop-bot', ['repo']);
  const agentloopWorkflows = new Set(['agentloop plan', 'agentloop code', 'agentloop sweep']);
  const settings = (parseYaml(config) ?? {}) as Record<string, unknown>;
  // Every test on the whole loop keeps the invariants (docs/invariants.md): checked after each run.
  let running: () => RunRecord[] = () => [];
  const invariants = new InvariantMonitor(
    {
      forge,
      repo,
      flavor,
      self: ['agentloop-bot', opts.runner?.botLogin ?? 'github-actions[bot]'],
      autoMerge: settings['auto-merge'] === true,
      ciFailureAutofix: settings['ci-failure-autofix'] === true,
      agentloopWorkflows: [...agentloopWorkflows],
    },
    () => running().some((r) => r.status === 'in_progress' && agentloopWorkflows.has(r.workflow.name)),
  );
  const runner = new WorkflowRunner(forge, {
    flavor,
    actionDir: ROOT,
    workRoot: join(dir, 'runner'),
    secrets: { ...(opts.pat === false ? {} : { AGENTLOOP_TOKEN: botToken }), ...cli?.secrets },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...cli?.env },
    ...opts.runner,
    onRunEvent: (e) => {
      opts.runner?.onRunEvent?.(e);
      if (e.type === 'completed') invariants.afterRun(e.run.id);
    },
  });
  running = () => runner.runs;
  runner.start();
  const issue = (n: number) => repo.issues.find((i) => i.number === n)!;
  const settle = async () => {
    await settleOnly();
    await invariants.atRest('after settle()');
  };
  const settleOnly = async () => {
    await runner.idle();
    if (flavor !== 'forgejo') return;
    for (let tick = 0; tick < 20; tick++) {
      const before = runner.runs.length;
      runner.tickSchedule(repo);
      await runner.idle();
      // At rest when the tick started no work: no CI, and no agentloop run that did more than decide "none".
      const busy = runner.runs
        .slice(before)
        .some(
          (r) =>
            r.workflow.name !== 'agentloop sweep' &&
            r.conclusion !== 'skipped' &&
            (!agentloopWorkflows.has(r.workflow.name) || r.outputs.transition !== 'none'),
        );
      if (!busy) return;
    }
    throw new Error('the loop did not come to rest after 20 schedule ticks');
  };
  return {
    flavor,
    ...(model ? { model } : {}),
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
    // Forgejo mode keeps label ids on an item (names are not unique there); people see names.
    labelsOf: (n) =>
      issue(n)
        .labels.map((l) => (flavor === 'forgejo' ? (repo.labels.find((x) => String(x.id) === l)?.name ?? l) : l))
        .sort(),
    comments: (n, marker) =>
      repo.comments.filter((c) => c.issue === n && (!marker || c.body.includes(marker))).map((c) => ({ body: c.body, user: c.user })),
    agentloopRuns: () => runner.runs.filter((r) => r.outputs.transition !== undefined),
    merges: () =>
      forge.requests
        .filter((r) => r.method === (flavor === 'forgejo' ? 'POST' : 'PUT') && /\/pulls\/\d+\/merge$/.test(r.path))
        .map((r) => {
          const body = (r.body ?? {}) as { sha?: string; head_commit_id?: string };
          return { sha: body.sha ?? body.head_commit_id ?? '' };
        }),
    invariants,
    settle,
    stop: async () => {
      // The final picture, when nothing is left running (a test may stop mid-flight on purpose).
      if (runner.runs.every((r) => r.status === 'completed')) await invariants.atRest('when the test ended');
      await invariants.settled();
      runner.stop();
      await model?.stop();
      await forge.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(shared, { recursive: true, force: true });
      if (invariants.violations.length) throw new Error(`invariants violated (docs/invariants.md):\n${invariants.report()}`);
    },
  };
}

/** The transitions agentloop performed, in order (runs that decided "none" and sweeps that found nothing
 *  to repair left out: on Forgejo the schedule fires them between steps). */
export function transitions(loop: Loop): string[] {
  return loop.runner.runs
    .filter((r) => r.outputs.transition && r.outputs.transition !== 'none')
    .filter((r) => !(r.outputs.transition === 'sweep' && r.outputs.reason === 'nothing to repair'))
    .sort((a, b) => (a.completedAt ?? 0) - (b.completedAt ?? 0))
    .map((r) => r.outputs.transition!);
}
