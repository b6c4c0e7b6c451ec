// The Forgejo workflows users install (workflows-templates/forgejo/): valid for @actions/workflow-parser,
// and written for Forgejo Actions (issue 10, DESIGN §4 and §7): full-URL `uses:` pinned by SHA, the runner
// label from a repository variable, workflow-level concurrency with `cancel-in-progress: false` written
// out, Forgejo's label actions in `if:`, no `workflow_run` (the sweep polls on a schedule), a bot user's
// token, no job-level `permissions:`/`concurrency:` (Forgejo ignores them).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkflowFile } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { labelNames } from '../../src/core/labels.js';

const DIR = 'workflows-templates/forgejo';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  'runs-on'?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  'timeout-minutes'?: number;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const load = (file: string) => {
  const text = readFileSync(join(DIR, file), 'utf8');
  return { text, wf: parseDocument(text).toJS() as Workflow };
};

it('there are the three lanes, as on GitHub', () => {
  expect(files).toEqual(['agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml']);
  expect(files).toEqual(
    readdirSync('workflows-templates/github')
      .filter((f) => f.endsWith('.yml'))
      .sort(),
  );
});

describe.each(files)('%s', (file) => {
  const { text, wf } = load(file);
  const jobs = Object.values(wf.jobs);
  const steps = jobs.flatMap((j) => j.steps);

  it('parses without errors with @actions/workflow-parser', async () => {
    const parsed = await parseWorkflowFile({ path: `.forgejo/workflows/${file}`, text });
    expect(parsed.errors).toEqual([]);
  });

  it('serializes at the workflow level with cancel-in-progress: false written out', () => {
    expect(wf.concurrency?.group).toBeTruthy();
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(text).toMatch(/^ {2}cancel-in-progress: false$/m);
  });

  it('has no permissions: or job-level concurrency: (Forgejo ignores them), and the header says so', () => {
    expect(wf.permissions).toBeUndefined();
    for (const job of jobs) {
      expect(job.permissions).toBeUndefined();
      expect(job.concurrency).toBeUndefined();
    }
    expect(text).toMatch(/Job-level `concurrency:` and `permissions:` are ignored/);
  });

  it('writes every uses: as a full URL pinned to a commit SHA with a version comment', () => {
    const lines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBe(steps.filter((s) => s.uses).length);
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^https:\/\/[\w.-]+\/[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const line of lines.filter((l) => !l.includes('/agentloop@')))
      expect(line).toMatch(/uses: https:\/\/code\.forgejo\.org\/[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(steps.map((s) => s.uses)).toContainEqual(expect.stringMatching(/^https:\/\/github\.com\/agentloop\/agentloop@0{40}$/));
    for (const step of steps) if (step.uses?.includes('/actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
  });

  it('runs on the runner label of the repository variable AGENTLOOP_RUNS_ON', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the template must contain
    for (const job of jobs) expect(job['runs-on']).toBe("${{ vars.AGENTLOOP_RUNS_ON || 'docker' }}");
  });

  it('has timeout-minutes on every job', () => {
    for (const job of jobs) expect(job['timeout-minutes']).toBeGreaterThan(0);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the title names the workflow-expression syntax
  it('puts no ${{ }} expression in run: scripts', () => {
    for (const step of steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
  });

  it('has no workflow_run trigger (Forgejo has no such event)', () => {
    expect(Object.keys(wf.on)).not.toContain('workflow_run');
    expect(text).not.toMatch(/^\s*workflow_run:/m);
  });

  it("gives agentloop the bot user's token and says it is Forgejo", () => {
    const loop = steps.find((s) => s.uses?.includes('/agentloop@'))!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the template must contain
    expect(loop.with?.token).toBe('${{ secrets.AGENTLOOP_TOKEN }}');
    expect(loop.with?.forge).toBe('forgejo');
    expect(loop.with?.['app-slug']).toBeUndefined();
    expect(text).not.toMatch(/github\.token|APP_ID|create-github-app-token/);
  });
});

describe('the sweep polls CI on a schedule', () => {
  it('runs every 5 to 15 minutes', () => {
    const { wf } = load('agentloop-sweep.yml');
    const cron = (wf.on.schedule as { cron: string }[])[0]!.cron;
    const every = Number(/^\*\/(\d+) \* \* \* \*$/.exec(cron)?.[1]);
    expect(every).toBeGreaterThanOrEqual(5);
    expect(every).toBeLessThanOrEqual(15);
  });
});

describe('the agent CLI is installed at the pinned version, as in the GitHub templates', () => {
  for (const file of ['agentloop-plan.yml', 'agentloop-code.yml']) {
    it(file, () => {
      const gh = parseDocument(readFileSync(join('workflows-templates/github', file), 'utf8')).toJS() as Workflow;
      const install = (wf: Workflow) =>
        Object.values(wf.jobs)
          .flatMap((j) => j.steps)
          .find((s) => s.id === 'agent-cli');
      expect(install(load(file).wf)).toEqual(install(gh));
      expect(install(load(file).wf)?.env).toBeUndefined();
    });
  }
  it('the sweep runs no agent and installs none', () => {
    expect(load('agentloop-sweep.yml').text).not.toMatch(/npm install/);
  });
});

describe("the label names Forgejo evaluates before agentloop runs: Forgejo's actions, and if: agrees with concurrency.group", () => {
  const names = labelNames('loop/');
  const labelsIn = (expr: string) => {
    const list = /fromJSON\('(\[[^']*\])'\)/.exec(expr);
    const fromList = list ? (JSON.parse(list[1]!) as string[]) : [];
    const compared = [...expr.matchAll(/label\.name == '([^']+)'/g)].map((m) => m[1]!);
    return new Set([...fromList, ...compared]);
  };
  const actionsIn = (expr: string) => new Set([...expr.matchAll(/github\.event\.action == '([^']+)'/g)].map((m) => m[1]!));
  for (const [file, expected, actions] of [
    ['agentloop-plan.yml', [names.plan, names.breakdown, names.breakdownApprove], ['labeled', 'label_updated']],
    [
      'agentloop-code.yml',
      [names.code, names.merge, names.automerge, names.needSupervisor],
      ['labeled', 'label_updated', 'unlabeled', 'label_cleared'],
    ],
  ] as const) {
    it(file, () => {
      const { wf, text } = load(file);
      const job = Object.values(wf.jobs)[0]!;
      expect([...labelsIn(job.if!)].sort()).toEqual([...expected].sort());
      expect([...labelsIn(wf.concurrency!.group)].sort()).toEqual([...expected].sort());
      expect([...actionsIn(job.if!)].sort()).toEqual([...actions].sort());
      // The job's condition is the group's condition: the same expression, so they cannot drift apart.
      expect(wf.concurrency!.group).toContain(job.if!);
      expect(text).toMatch(/!! LABEL NAMES — change them together/);
    });
  }
});
