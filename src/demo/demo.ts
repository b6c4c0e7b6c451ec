// `agentloop demo`: the whole loop on the embedded forge, offline. A maintainer files an issue, applies
// loop/plan and then loop/code; the installed workflows run agentloop (dist/index.js) with a scripted
// agent until nothing is left to do: plan → code → PR → red CI → fix → green → merge. `--forge forgejo`
// runs the same loop with Forgejo's semantics and API (the embedded forge's Forgejo mode).
// `--agent claude|codex|gemini|opencode` runs that real CLI, its model answered by the scripted model
// server (offline), or with --live by the real model with the user's key.
//   agentloop demo [--forge github|forgejo] [--agent claude|codex|gemini|opencode [--live]] [--repo PATH --issue "title" [--body text] [--ci "npm test"]] [--keep] [--verbose]
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type EmbeddedForge, git, type RepoState, type RunRecord, WorkflowRunner } from '@agentloop/embedded-forge';
import { resolveIsolation } from '../agent/sandbox.js';
import { isStatusComment } from '../core/status-comment.js';
import { type DemoAgent, type DemoAgentName, parseDemoAgent, startDemoAgent } from './demo-agent.js';
import {
  apiDescription,
  botToken,
  createDemoForge,
  type DemoFlavor,
  labelNames,
  maintainerClient,
  parseFlavor,
  settle,
} from './demo-forge.js';
import { installWorkflows } from './install.js';
import { packageRoot } from './package-root.js';
import { SAMPLE_FILES, SAMPLE_ISSUE, SAMPLE_SCRIPT } from './sample.js';

interface DemoOptions {
  /** The forge's semantics and API (default github). */
  flavor?: DemoFlavor;
  agent: DemoAgentName;
  /** A real CLI with the real model and the user's key, instead of the scripted model server. */
  live?: boolean;
  repoPath?: string;
  issue: { title: string; body: string };
  ciCommand: string;
  keep: boolean;
  verbose?: boolean;
  out: (line: string) => void;
}

export interface DemoResult {
  merged: boolean;
  runs: RunRecord[];
  agentRuns: number;
  wallMs: number;
  sandbox: string;
}

export async function demo(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      forge: { type: 'string', default: 'github' },
      agent: { type: 'string', default: 'command' },
      live: { type: 'boolean', default: false },
      repo: { type: 'string' },
      issue: { type: 'string' },
      body: { type: 'string' },
      ci: { type: 'string', default: 'npm test' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const agent = parseDemoAgent(values.agent);
  if (values.repo && !values.issue) throw new Error('--repo needs --issue "what the agent should do"');
  const result = await runDemo({
    flavor: parseFlavor(values.forge),
    agent,
    live: values.live!,
    ...(values.repo ? { repoPath: values.repo } : {}),
    issue: values.issue ? { title: values.issue, body: values.body ?? values.issue } : SAMPLE_ISSUE,
    ciCommand: values.ci!,
    keep: values.keep!,
    verbose: values.verbose!,
    out: (line) => console.log(line),
  });
  if (!result.merged) process.exitCode = 1;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const out = opts.out;
  const flavor = opts.flavor ?? 'github';
  const root = packageRoot();
  const sandbox = mkdtempSync(join(tmpdir(), 'agentloop-demo-'));
  // With the API description at hand (GitHub's with the dev dependencies, Forgejo's beside the repository),
  // every request is checked against it.
  mkdirSync(join(sandbox, 'forge'), { mode: 0o700 }); // the agent must not reach the forge's repositories
  const forge = createDemoForge(flavor, join(sandbox, 'forge'));
  await forge.start();
  // The agent runs as its own OS user: its script and log live where that user may write.
  const agentDir = join(sandbox, 'agent');
  mkdirSync(agentDir, { mode: 0o777 });
  chmodSync(agentDir, 0o777);
  chmodSync(sandbox, 0o755);
  const scriptPath = join(agentDir, 'agent-script.json');
  writeFileSync(scriptPath, JSON.stringify(SAMPLE_SCRIPT, null, 2));
  let agent: DemoAgent | undefined;
  try {
    agent = await startDemoAgent(opts.agent, { root, scriptPath, live: opts.live ?? false, repoPath: opts.repoPath });
    // The agent runs as its own OS user where this machine allows it (root or passwordless sudo) and
    // that user can reach the scripted agent. The scripted agent is not hostile, so elsewhere the demo
    // runs it as the same user, and says so.
    const isolation = await resolveIsolation('user');
    const agentProgram = join(root, 'dist', 'scripted-agent.js');
    const sameUser = !isolation.ok || (opts.agent === 'command' && !reachableByOthers(agentProgram));
    if (sameUser)
      out(
        `note: ${!isolation.ok ? 'this machine cannot run the agent as a separate user (not root, no passwordless sudo)' : `another user cannot reach ${agentProgram}`}; the demo uses agent-isolation: unsafe-none`,
      );
    const repo = await createSandboxRepo(forge, root, { ...opts, flavor, unsafeSameUser: sameUser }, agent);
    forge.addCollaborator(repo, 'maria', 'admin');
    // On Forgejo only a repository admin may read who else may write (docs/forgejo.md, step 1).
    forge.addCollaborator(repo, 'agentloop-bot', flavor === 'forgejo' ? 'admin' : 'write');
    const maria = maintainerClient(forge, flavor, repo, 'maria');
    const runner = new WorkflowRunner(forge, {
      flavor,
      actionDir: root,
      workRoot: join(sandbox, 'runner'),
      secrets: { AGENTLOOP_TOKEN: botToken(forge, flavor), ...agent.secrets },
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...agent.env },
      onRunEvent: (e) => {
        if (e.type !== 'completed') return;
        // Runs whose job `if:` excluded them (other labels, agentloop's own bookkeeping labels) are noise here.
        if (e.run.conclusion === 'skipped' && !opts.verbose) return;
        out(transcriptLine(e.run, started));
        // A run that failed without an agentloop result: show where, so the demo explains itself.
        if (e.run.conclusion === 'failure' && !e.run.outputs.transition) {
          const job = e.run.jobs.find((j) => j.conclusion === 'failure');
          for (const line of (job?.error ?? job?.log ?? e.run.error ?? '').trim().split('\n').slice(-6)) out(`         | ${line}`);
        }
      },
    });
    runner.start();

    out(`agentloop demo — embedded forge (${flavor === 'forgejo' ? 'Forgejo' : 'GitHub'}) at ${forge.urls.web}, sandbox ${sandbox}`);
    out(`repository ${repo.owner}/${repo.name} with CI, and agentloop's three workflows installed`);
    out(`agent: ${agent.description}`);
    if (flavor === 'forgejo')
      out(
        "Forgejo has no workflow_run event: the sweep's schedule (every 10 minutes in the template) is what notices CI results the code lane's chained runs missed; here it fires immediately whenever the runner is idle",
      );
    out('');
    const issue = await maria.createIssue(opts.issue.title, opts.issue.body, []);
    out(`@maria opens issue #${issue.number}: ${issue.title}`);
    out(`@maria applies loop/plan`);
    await maria.addLabels(issue.number, ['loop/plan']);
    let rested = await settle(runner, repo, flavor);
    out(`@maria reads the plan and applies loop/code`);
    await maria.addLabels(issue.number, ['loop/code']);
    rested &&= await settle(runner, repo, flavor);
    const pr = [...repo.pulls.values()].find((p) => p.head === `agentloop/issue-${issue.number}` && !p.merged);
    if (opts.agent === 'command' && !opts.repoPath && pr) {
      out(`@maria reviews PR #${pr.number} and requests changes on src/add.js line 2: ${REVIEW_COMMENT}`);
      await maria.createReview(pr.number, {
        event: 'request_changes',
        body: 'Almost there.',
        commitSha: pr.headSha,
        comments: [{ path: 'src/add.js', line: 2, body: REVIEW_COMMENT }],
      });
      rested &&= await settle(runner, repo, flavor);
      out(`@maria reads the answer and applies loop/merge`);
      await maria.addLabels(issue.number, ['loop/merge']);
      rested &&= await settle(runner, repo, flavor);
    }
    if (!rested) out('the loop did not come to rest after 20 ticks of the sweep schedule');

    const final = await summarize(repo, flavor, issue.number);
    const agentRuns = agent.invocations();
    // A sweep that found nothing to repair changed nothing: it is counted with the schedule's ticks.
    const idleSweep = (r: RunRecord) => r.outputs.transition === 'sweep' && r.outputs.reason === 'nothing to repair';
    const agentloopRuns = runner.runs.filter((r) => r.outputs.transition && r.outputs.transition !== 'none' && !idleSweep(r));
    const sweeps = runner.runs.filter((r) => r.event.name === 'schedule' && r.conclusion !== 'skipped').length;
    out('');
    out('final state');
    for (const row of final.rows) out(`  ${row}`);
    out('');
    const skipped = runner.runs.filter((r) => r.conclusion === 'skipped').length;
    out(
      `${runner.runs.length} workflow runs: ${agentloopRuns.length} agentloop transitions, ${runner.runs.filter((r) => r.workflow.name === 'CI').length} CI runs, ${flavor === 'forgejo' ? `${sweeps} scheduled sweeps, ` : ''}${skipped} skipped by their if: (--verbose shows them); ${agentRuns} agent invocations; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (forge.options.validate)
      out(`${forge.requests.length} API requests, ${forge.violations.length} that ${apiDescription(flavor)} would reject`);
    for (const v of forge.violations) out(`  rejected: ${v.method} ${v.url}: ${v.problems.join('; ')}`);
    if (final.merged) out('the issue is closed by a merged PR.');
    else {
      const explained = statusCommentLines(repo, issue.number);
      out(
        explained.length
          ? 'the loop stopped before a merge; the status comment says why:'
          : 'the loop stopped before a merge, and no status comment explains it: see the runs above (--keep keeps the sandbox).',
      );
      for (const line of explained) out(line);
    }
    return {
      merged: final.merged && rested && forge.violations.length === 0,
      runs: runner.runs,
      agentRuns,
      wallMs: Date.now() - started,
      sandbox,
    };
  } finally {
    await agent?.stop();
    await forge.stop();
    if (!opts.keep) rmSync(sandbox, { recursive: true, force: true });
  }
}

const REVIEW_ROUND_CONFIG = 'auto-merge: false\nmerge-method: squash\n';
const REVIEW_COMMENT = 'Name the parameters: `left` and `right` say more than `a` and `b`.';

async function createSandboxRepo(
  forge: EmbeddedForge,
  root: string,
  opts: DemoOptions & { flavor: DemoFlavor; unsafeSameUser: boolean },
  agent: DemoAgent,
): Promise<RepoState> {
  const agentWith: Record<string, string> = { ...agent.with, ...(opts.unsafeSameUser ? { 'agent-isolation': 'unsafe-none' } : {}) };
  // On Forgejo too the workflows go to .github/workflows, beside the CI: Forgejo reads only the first
  // workflow directory that exists (.forgejo, .gitea, .github). It has no workflow_run to name CI in.
  const workflows = installWorkflows(join(root, 'workflows-templates', opts.flavor), {
    with: agentWith,
    dropEnv: agent.dropEnv,
    ...(opts.flavor === 'github' ? { ciWorkflows: ['CI'] } : {}),
  });
  // The scripted story has a review round: the maintainer asks for changes before merging by hand.
  const config: Record<string, string> = opts.agent === 'command' ? { '.github/agentloop.yml': REVIEW_ROUND_CONFIG } : {};
  if (!opts.repoPath) return forge.createRepo('acme', 'calc', { ...SAMPLE_FILES, ...config, ...workflows });

  // A copy of a real repository: its history, with its workflows replaced by a CI running --ci and agentloop's.
  const repo = await forge.createRepo('sandbox', 'repo', { 'README.md': '' });
  rmSync(repo.gitDir, { recursive: true, force: true });
  execFileSync('git', ['clone', '--quiet', '--bare', opts.repoPath, repo.gitDir]);
  execFileSync('git', ['--git-dir', repo.gitDir, 'config', 'http.receivepack', 'true']);
  const head = execFileSync('git', ['--git-dir', repo.gitDir, 'symbolic-ref', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  repo.defaultBranch = head;
  // Forgejo would read .forgejo/ or .gitea/workflows before ours: those go too.
  const dirs = opts.flavor === 'forgejo' ? ['.forgejo/workflows', '.gitea/workflows', '.github/workflows'] : ['.github/workflows'];
  const existing = (await Promise.all(dirs.map((d) => git.listFiles(repo.gitDir, head, d)))).flatMap((f) => f ?? []);
  const ci = SAMPLE_FILES['.github/workflows/ci.yml']!.replace('run: node test.js', `run: ${opts.ciCommand}`).replace(
    'branches: [main]',
    `branches: [${head}]`,
  );
  await git.commitFiles(
    repo.gitDir,
    head,
    {
      ...Object.fromEntries(existing.map((f) => [f.path, null])),
      '.github/workflows/ci.yml': ci,
      '.github/agentloop.yml': 'auto-merge: true\n',
      ...workflows,
    },
    'Install agentloop (demo sandbox)',
  );
  return repo;
}

function transcriptLine(run: RunRecord, started: number): string {
  const at = `${(((run.completedAt ?? Date.now()) - started) / 1000).toFixed(1).padStart(5)}s`;
  const trigger = [
    run.event.name,
    run.event.action,
    run.event.label ? `'${run.event.label}'` : '',
    run.event.item !== undefined ? `#${run.event.item}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const head = `${at}  ${run.workflow.name.padEnd(16)} ← ${trigger} by ${run.event.actor}`;
  const t = run.outputs.transition;
  if (!t) return `${head}  → ${run.conclusion}${run.cancelledByConcurrency ? ' (replaced by a newer run in its concurrency group)' : ''}`;
  const lane = run.concurrencyGroup?.replace(/^agentloop-/, '').replace(/-\d+$/, '') ?? '';
  const [before, after] = [run.outputs['labels-before'], run.outputs['labels-after']];
  const labels = t === 'none' || (!before && !after) ? '' : `  [${before || '—'} → ${after || '—'}]`;
  // A sweep touches no item's labels: its reason says what it did.
  const reason = t === 'none' || t === 'sweep' ? ` — ${run.outputs.reason}` : '';
  return `${head}  → ${lane} lane: ${t}${run.outputs.outcome && run.outputs.outcome !== 'none' ? ` (${run.outputs.outcome})` : ''}${labels}${reason}`;
}

async function summarize(repo: RepoState, flavor: DemoFlavor, issueNumber: number): Promise<{ rows: string[]; merged: boolean }> {
  const names = (labels: string[]) => labelNames(repo, flavor, labels).join(', ') || '—';
  const issue = repo.issues.find((i) => i.number === issueNumber)!;
  const rows = [`issue #${issue.number} ${issue.state}  labels: ${names(issue.labels)}`];
  let merged = false;
  for (const pull of repo.pulls.values()) {
    const pr = repo.issues.find((i) => i.number === pull.number)!;
    merged ||= pull.merged;
    rows.push(`PR #${pull.number} ${pull.merged ? 'merged' : pr.state}  ${pull.head} → ${pull.base}  labels: ${names(pr.labels)}`);
  }
  const main = await git.readFile(repo.gitDir, repo.defaultBranch, 'src/add.js');
  if (main !== null) rows.push(`${repo.defaultBranch}:src/add.js  ${main.trim().split('\n').at(-1)}`);
  return { rows, merged };
}

/** The issue's and its PRs' agentloop status comments (the latest edited on each), without the hidden markers and state. */
function statusCommentLines(repo: RepoState, issueNumber: number): string[] {
  const lines: string[] = [];
  for (const n of [issueNumber, ...repo.pulls.keys()]) {
    const latest = repo.comments
      .filter((c) => c.issue === n && isStatusComment(c.body))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id)
      .at(-1);
    if (!latest) continue;
    lines.push('', `status comment on ${n === issueNumber ? 'issue' : 'PR'} #${n} (@${latest.user}):`);
    const plain = latest.body
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    for (const line of plain.split('\n')) lines.push(`  │ ${line}`);
  }
  return lines;
}

/** Whether another OS user can read `file`: every directory above it enterable, the file readable. */
function reachableByOthers(file: string): boolean {
  try {
    if ((statSync(file).mode & 0o004) === 0) return false;
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}
