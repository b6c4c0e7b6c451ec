// The workflows users install: valid for the parser GitHub uses, and written to the security rules
// of DESIGN §8 (each rule a check here).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkflowFile } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { type Pair, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { labelNames } from '../../src/core/labels.js';
import { installWorkflows } from '../../src/demo/install.js';

const DIR = 'workflows-templates/github';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

describe.each(files)('%s', (file) => {
  const text = readFileSync(join(DIR, file), 'utf8');
  const doc = parseDocument(text);
  const wf = doc.toJS() as Workflow;

  it('parses without errors with @actions/workflow-parser', async () => {
    const parsed = await parseWorkflowFile({ path: `.github/workflows/${file}`, text });
    expect(parsed.errors).toEqual([]);
  });

  it('grants nothing at the top and only per job, with a comment on every write scope', () => {
    expect(wf.permissions).toEqual({});
    const jobs = doc.get('jobs') as YAMLMap;
    let writes = 0;
    for (const pair of jobs.items as Pair<Scalar, YAMLMap>[]) {
      const perms = pair.value!.get('permissions', true) as YAMLMap | undefined;
      expect(perms, `${pair.key} has permissions`).toBeDefined();
      for (const p of perms!.items as Pair<Scalar, Scalar>[]) {
        if (p.value!.value !== 'write') continue;
        writes += 1;
        expect(p.value!.comment ?? '', `${p.key} write needs a comment`).not.toBe('');
      }
    }
    // Every lane writes issues at least: no write scope found means the check above looked at nothing.
    expect(writes).toBeGreaterThan(0);
  });

  it('pins every third-party action to a release commit SHA, named in a `# vX.Y.Z` comment', () => {
    const lines = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l) && !/agentloop\/agentloop@/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('pins every action by commit SHA and checks out without persisted credentials', () => {
    const uses = Object.values(wf.jobs).flatMap((job) => job.steps.filter((step) => step.uses !== undefined));
    expect(uses.map((step) => step.uses)).toContainEqual(expect.stringMatching(/^agentloop\/agentloop@/));
    for (const step of uses) {
      expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
      if (step.uses!.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the title names the workflow-expression syntax
  it('puts no ${{ }} expression in run: scripts', () => {
    for (const job of Object.values(wf.jobs)) for (const step of job.steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{/);
  });

  it('has timeout-minutes on every job and serializes with cancel-in-progress: false written out', () => {
    for (const job of Object.values(wf.jobs)) expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
  });
});

describe('tokens', () => {
  // A plan run gives the agent the repository and the issue, nothing to push: its job holds only the
  // workflow token (contents: read, issues: write), never the stronger AGENTLOOP_TOKEN.
  it('the plan job gets only the workflow token', () => {
    const text = readFileSync(join(DIR, 'agentloop-plan.yml'), 'utf8');
    const wf = parseDocument(text).toJS() as Workflow;
    expect(text).not.toMatch(/AGENTLOOP_TOKEN/);
    const step = Object.values(wf.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.uses?.includes('/agentloop@'))!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the template must contain
    expect(step.with?.token).toBe('${{ github.token }}');
    // No secret reaches the plan job but the model key.
    expect([...text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])).toEqual(['ANTHROPIC_API_KEY']);
  });
});

describe('lanes', () => {
  it('each template runs its lane', () => {
    const lanes = files.map((f) => {
      const wf = parseDocument(readFileSync(join(DIR, f), 'utf8')).toJS() as Workflow;
      return Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .find((s) => s.uses?.includes('/agentloop@'))?.with?.lane;
    });
    expect(lanes.sort()).toEqual(['code', 'plan', 'sweep']);
  });
});

/** agentloop's own step and the steps before it, per template. */
function agentloopJob(file: string): { wf: Workflow; job: Job; step: Step; before: Step[]; text: string } {
  const text = readFileSync(join(DIR, file), 'utf8');
  const wf = parseDocument(text).toJS() as Workflow;
  const job = Object.values(wf.jobs)[0]!;
  const at = job.steps.findIndex((s) => s.uses?.includes('/agentloop@'));
  return { wf, job, step: job.steps[at]!, before: job.steps.slice(0, at), text };
}

const devDependency = (name: string): string => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
  return pkg.devDependencies[name]!.replace(/^[\^~]/, '');
};

describe('the agent CLI is installed at the pinned version before agentloop runs', () => {
  for (const file of ['agentloop-plan.yml', 'agentloop-code.yml']) {
    it(`${file}: agent claude → npm installs @anthropic-ai/claude-code at package.json's exact version`, () => {
      const { step, before } = agentloopJob(file);
      expect(step.with?.agent).toBe('claude');
      const install = before.find((s) => s.id === 'agent-cli')!;
      expect(install.run).toBe(
        `npm install --global --no-audit --no-fund @anthropic-ai/claude-code@${devDependency('@anthropic-ai/claude-code')}`,
      );
      // Nothing secret is around while a package's install scripts run.
      expect(install.env).toBeUndefined();
      expect(install.if).toBeUndefined();
    });
    it(`${file}: the commented alternatives name the other agents at their tested versions`, () => {
      const { text } = agentloopJob(file);
      for (const pkg of ['@openai/codex', '@google/gemini-cli', 'opencode-ai'])
        expect(text).toContain(`npm install --global --no-audit --no-fund ${pkg}@${devDependency(pkg)}`);
    });
  }
  it('the sweep runs no agent and installs none', () => {
    expect(agentloopJob('agentloop-sweep.yml').text).not.toMatch(/npm install/);
  });
  it('the embedded forge installs the workflows without the install step (it provides the agent itself)', () => {
    const installed = installWorkflows(DIR, { with: { agent: 'command', 'agent-command': 'node agent.js' } });
    for (const text of Object.values(installed)) {
      const steps = Object.values((parseDocument(text).toJS() as Workflow).jobs).flatMap((j) => j.steps);
      expect(steps.filter((s) => s.id === 'agent-cli' || /npm install/.test(s.run ?? ''))).toEqual([]);
      expect(steps.some((s) => s.uses?.includes('/agentloop@'))).toBe(true);
    }
  });
});

describe('a GitHub App token, when one is configured', () => {
  for (const file of ['agentloop-code.yml', 'agentloop-sweep.yml']) {
    it(`${file}: minted in the job (it expires after an hour) and handed over with its slug`, () => {
      const { job, step, before } = agentloopJob(file);
      const app = before.find((s) => s.uses?.startsWith('actions/create-github-app-token@'))!;
      expect(app.id).toBe('app');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expressions the template must contain
      expect(job.env?.APP_ID).toBe('${{ secrets.APP_ID }}');
      expect(app.if).toBe("env.APP_ID != ''");
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expressions the template must contain
      expect(app.with).toEqual({ 'client-id': '${{ secrets.APP_ID }}', 'private-key': '${{ secrets.APP_PRIVATE_KEY }}' });
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expressions the template must contain
      expect(step.with?.token).toBe('${{ steps.app.outputs.token || secrets.AGENTLOOP_TOKEN || github.token }}');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expressions the template must contain
      expect(step.with?.['app-slug']).toBe('${{ steps.app.outputs.app-slug }}');
    });
  }
});

describe('the label names GitHub evaluates before agentloop runs', () => {
  const names = labelNames('loop/');
  const quoted = (expr: string) => new Set([...expr.matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => m[1] ?? m[2]!));
  const labelsIn = (expr: string) => {
    const list = /fromJSON\('(\[[^']*\])'\)/.exec(expr);
    const fromList = list ? (JSON.parse(list[1]!) as string[]) : [];
    const compared = [...expr.matchAll(/label\.name == '([^']+)'/g)].map((m) => m[1]!);
    return new Set([...fromList, ...compared]);
  };
  for (const [file, expected] of [
    ['agentloop-plan.yml', [names.plan, names.breakdown, names.breakdownApprove]],
    ['agentloop-code.yml', [names.code, names.merge, names.automerge, names.needSupervisor]],
  ] as const) {
    it(`${file}: \`if:\` and concurrency.group name the same labels, agentloop's defaults, and the header says to change them together`, () => {
      const { wf, job, text } = agentloopJob(file);
      expect([...labelsIn(job.if!)].sort()).toEqual([...expected].sort());
      expect([...labelsIn(wf.concurrency!.group)].sort()).toEqual([...expected].sort());
      expect(quoted(job.if!).size).toBeGreaterThan(0);
      expect(text).toMatch(/!! LABEL NAMES — change them together/);
      expect(text).toMatch(/label-prefix/);
    });
  }
});
