// The workflows users install: valid for the parser GitHub uses, and written to the security rules
// of DESIGN §8 (each rule a check here).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkflowFile } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { type Pair, parseDocument, type Scalar, type YAMLMap } from 'yaml';

const DIR = 'workflows-templates/github';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
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
