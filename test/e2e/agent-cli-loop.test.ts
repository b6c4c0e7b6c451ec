// The real agent CLIs (devDependencies), run for real and offline: agentloop's own adapters start them
// in the workflows on the embedded forge, and the scripted model server answers their model API, so the
// CLI's own tools read, edit and run commands. The whole loop: plan → code → red CI → fix → green → merge.
import { readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git, type ModelScript, ModelServer } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../src/agent/runner.js';
import { createSandbox, removeSandbox } from '../../src/agent/sandbox.js';
import { OFFLINE_CLIS, offlineCliDialects, offlineCliSetup } from '../../src/demo/offline-cli.js';
import { SAMPLE_MODEL_SCRIPT, SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { describeAgentFailure } from '../../src/transitions/agent-step.js';
import { type Loop, startLoop, transitions } from '../support/loop.js';

const ROOT = resolve('.');

const PLAN = '<!-- agentloop:plan -->';
const STATUS = '<!-- agentloop:status -->';
/**
 * CLIs that retry a failing model call whatever their environment says, so a one-failure scenario would
 * see several calls and outlast the test: opencode 1.18 retries 5 times (2 s, doubling: constants in the
 * CLI); Gemini CLI 0.61 makes up to 10 attempts (5 s, doubling: only a settings file lowers that, and
 * agentloop leaves retries on for real runs). Their refused-key case (401, not retried) still runs.
 */
const RETRYING: readonly string[] = ['opencode', 'gemini'];
const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';

let loop: Loop | undefined;
afterEach(async () => {
  // The stall test drives the CLI without a loop.
  if (!loop) return;
  const done = loop;
  loop = undefined;
  expect(done.forge.violations, 'requests the forge would reject').toEqual([]);
  await done.stop();
});

describe.each(OFFLINE_CLIS)('%s, run for real against the scripted model server', (cli) => {
  it('plan → code → red CI → fix → green → merged: the plan is the model’s text, the edits are the CLI’s own', async () => {
    loop = await startLoop({ cli });
    const issue = await loop.maria.createIssue('add() subtracts', 'add(2, 3) returns -1.', []);
    await loop.maria.addLabels(issue.number, ['loop/plan']);
    await loop.settle();
    await loop.maria.addLabels(issue.number, ['loop/code']);
    await loop.settle();

    const runs = loop.runner.runs.map(
      (r) => `${r.workflow.name} ${r.conclusion} ${JSON.stringify(r.outputs)} ${r.jobs.map((j) => j.error ?? '').join('')}`,
    );
    expect(transitions(loop), runs.join('\n')).toEqual(['plan', 'code', 'fix-ci', 'ci-green', 'merge']);
    const plan = loop.comments(issue.number, PLAN);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.body).toContain(SAMPLE_SCRIPT.plan as string);
    const [pr] = [...loop.repo.pulls.values()];
    expect(pr!.merged).toBe(true);
    expect(await git.readFile(loop.repo.gitDir, 'main', 'src/add.js')).toBe(FIXED);

    // Every conversation was the model server's: the plan, the code and the fix, each turn asked once
    // (a turn asked twice would mean the CLI retried), nothing answered 4xx/5xx.
    const model = loop.model!;
    const turns = (c: number) => model.calls.filter((x) => x.conversation === c).map((x) => x.turn);
    expect(SAMPLE_MODEL_SCRIPT.conversations.map((_c, i) => turns(i))).toEqual(
      SAMPLE_MODEL_SCRIPT.conversations.map((c) => c.turns.map((_t, n) => n)),
    );
    expect(model.calls.filter((x) => x.status >= 400)).toEqual([]);

    // Usage in the job summary comes from the CLI's own report: the server's input tokens, summed.
    const planRun = loop.runner.runs.find((r) => r.outputs.transition === 'plan')!;
    const planInput = model.calls.filter((x) => x.conversation === 0).reduce((sum, x) => sum + 1000 + 100 * x.turn, 0);
    expect(planRun.summary).toMatch(new RegExp(`\\| agent \\| [\\d.]+ s, (\\$[\\d.]+, )?${planInput} in / \\d+ out tokens \\|`));
  });
});

describe.each(OFFLINE_CLIS)('%s: plans are read-only, failures are reported', (cli) => {
  const planScript = (shared: string): ModelScript => ({
    conversations: [
      {
        match: '^You are planning',
        turns: [
          // A model that tries to change things during a plan: a file written, a command run.
          {
            actions: [{ write: join(shared, 'wrote.txt'), content: 'written by a plan run' }, { bash: `touch ${join(shared, 'ran.txt')}` }],
          },
          { text: '### Summary\nThe plan, after all.' },
        ],
      },
    ],
  });

  it('a plan run whose model tries to write a file and run a command changes nothing, and still posts the plan', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'agentloop-readonly-'));
    await chmod(shared, 0o777);
    try {
      loop = await startLoop({ cli, modelScript: planScript(shared) });
      const issue = await loop.maria.createIssue('Plan me', 'x', []);
      await loop.maria.addLabels(issue.number, ['loop/plan']);
      await loop.settle();
      expect(readdirSync(shared), 'what the plan run wrote or ran').toEqual([]);
      expect(loop.comments(issue.number, PLAN)[0]?.body).toContain('The plan, after all.');
      expect(loop.labelsOf(issue.number)).toEqual(['loop/plan-done']);
      expect([...loop.repo.pulls.values()]).toEqual([]);
      expect(await git.listBranches(loop.repo.gitDir)).toEqual([expect.objectContaining({ name: 'main' })]);
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });

  // One failing call, one attempt: for the CLIs whose retries agentloop's run turns off.
  if (!RETRYING.includes(cli))
    it('the model API fails (500) after the CLI edited a file: nothing is pushed, NeedSupervisor, the status comment says so', async () => {
      loop = await startLoop({
        cli,
        modelScript: {
          conversations: [
            {
              match: '^You are implementing',
              turns: [
                { actions: [{ read: 'src/add.js' }] },
                { actions: [{ edit: 'src/add.js', old: 'a - b', new: 'a + b' }] },
                { fail: { status: 500, message: 'scripted overload' } },
              ],
            },
          ],
        },
      });
      const issue = await loop.maria.createIssue('add() subtracts', 'x', []);
      await loop.maria.addLabels(issue.number, ['loop/code']);
      await loop.settle();
      expect(loop.labelsOf(issue.number)).toEqual(['NeedSupervisor']);
      expect(await git.revParse(loop.repo.gitDir, `refs/heads/agentloop/issue-${issue.number}`)).toBeNull();
      expect([...loop.repo.pulls.values()]).toEqual([]);
      const status = loop.comments(issue.number, STATUS)[0]!.body;
      expect(status).toMatch(/exited with code [1-9]|reported an error/);
      // Claude Code names the status; Codex says "high demand" for a 500: both read as a temporary failure.
      expect(status).toMatch(/The model API failed \(HTTP 500\), usually a temporary problem|temporary problem on its side/);
      expect(loop.model!.calls.filter((c) => c.status === 500)).toHaveLength(1);
    });

  // The CLIs that retry regardless: a transient 500 is retried by the CLI itself, and the run goes on.
  if (RETRYING.includes(cli))
    it('a transient 500 in the middle of a code run: the CLI retries, gets the same turn, and the PR is opened', async () => {
      loop = await startLoop({
        cli,
        config: 'auto-merge: false\n',
        modelScript: {
          conversations: [
            {
              match: '^You are implementing',
              turns: [
                { actions: [{ read: 'src/add.js' }] },
                { fail: { status: 500, times: 1 }, actions: [{ edit: 'src/add.js', old: 'a - b', new: 'Number(a) + Number(b)' }] },
                { text: 'add() adds.' },
              ],
            },
          ],
        },
      });
      const issue = await loop.maria.createIssue('add() subtracts', 'x', []);
      await loop.maria.addLabels(issue.number, ['loop/code']);
      await loop.settle();
      const turn1 = loop.model!.calls.filter((c) => c.conversation === 0 && c.turn === 1);
      expect(turn1.map((c) => c.status)).toEqual([500, 200]);
      expect([...loop.repo.pulls.values()]).toHaveLength(1);
      expect(loop.labelsOf(issue.number)).toEqual(['loop/code-done']);
    });

  it.each(
    (
      [
        [401, "The model API refused the agent's credentials (HTTP 401)"],
        [429, 'The model API answered 429 (rate limit or quota exhausted)'],
      ] as [number, string][]
    ).filter(([status]) => status !== 429 || !RETRYING.includes(cli)),
  )('the model API answers %i: NeedSupervisor, and the status comment says what it means', async (status, says) => {
    loop = await startLoop({ cli, modelScript: { conversations: [{ match: '^You are implementing', turns: [{ fail: { status } }] }] } });
    const issue = await loop.maria.createIssue('add() subtracts', 'x', []);
    await loop.maria.addLabels(issue.number, ['loop/code']);
    await loop.settle();
    expect(loop.labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect([...loop.repo.pulls.values()]).toEqual([]);
    expect(loop.comments(issue.number, STATUS)[0]!.body).toContain(says);
  });

  it('a model API that stalls: the CLI is stopped at the timeout, its process group killed', async () => {
    const model = new ModelServer({ dialects: offlineCliDialects(cli), script: { conversations: [{ turns: [{ fail: 'stall' }] }] } });
    const setup = offlineCliSetup(cli, await model.start(), ROOT);
    // A sandbox without another user: the fresh HOME every agent run gets (CLIs that need settings there, gemini).
    const sandbox = await createSandbox({ kind: 'same-user' });
    const cwd = sandbox.dir;
    try {
      const args = setup.with['agent-args']?.split(' ').filter(Boolean) ?? [];
      const result = await runAgent({
        agent: cli,
        args,
        ...(setup.with.model ? { model: setup.with.model } : {}),
        mode: 'write',
        prompt: 'You are implementing an issue.',
        cwd,
        tempDir: sandbox.files,
        sandbox,
        // Long enough for the slowest CLI to start and reach the model on a loaded 2-core runner (opencode: 7–12 s).
        timeoutMs: 15_000,
        killGraceMs: 500,
        env: { ...setup.env, ...setup.secrets, HOME: cwd },
      });
      expect(result.timedOut).toBe(true);
      expect(result.ok).toBe(false);
      expect(model.calls.filter((c) => c.conversation === 0).length).toBeGreaterThan(0); // it did reach the model
      expect(describeAgentFailure(result, 1)).toMatch(/did not finish within 1 minutes/);
    } finally {
      await model.stop();
      await removeSandbox(sandbox);
    }
  });
});
