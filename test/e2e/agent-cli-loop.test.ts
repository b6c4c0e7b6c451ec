// The real agent CLIs (devDependencies), run for real and offline: agentloop's own adapters start them
// in the workflows on the embedded forge, and the scripted model server answers their model API, so the
// CLI's own tools read, edit and run commands. The whole loop: plan → code → red CI → fix → green → merge.
import { git } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { OFFLINE_CLIS } from '../../src/demo/offline-cli.js';
import { SAMPLE_MODEL_SCRIPT, SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Loop, startLoop, transitions } from '../support/loop.js';

const PLAN = '<!-- agentloop:plan -->';
const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
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
