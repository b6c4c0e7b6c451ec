// `agentloop init`'s rendering of the templates: for every agent and token kind, workflows GitHub's parser
// accepts, pinned to the release, with the agent's key and CLI, the token of the kind, the label names of
// the prefix in every expression GitHub evaluates — and rendering its own output again changes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkflowFile } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { AGENTS } from '../../src/core/config.js';
import { labelNames } from '../../src/core/labels.js';
import { AGENT_PACKAGE, AGENT_SECRET, type InstallSpec, renderWorkflow, TOKEN_KINDS } from '../../src/core/workflow-install.js';
import { labelExpressions, quotedNames } from '../../src/core/workflow-yaml.js';

const DIR = 'workflows-templates/github';
const TEMPLATES = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => [f, readFileSync(join(DIR, f), 'utf8')]),
);
const SHA = 'b'.repeat(40);

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Wf {
  on: { workflow_run?: { workflows: string[] } };
  concurrency: { group: string };
  jobs: Record<string, { if?: string; env?: Record<string, string>; steps: Step[] }>;
}

const spec = (over: Partial<InstallSpec> = {}): InstallSpec => ({
  agent: 'claude',
  tokenKind: 'pat',
  labelPrefix: 'loop/',
  pin: { ref: SHA, comment: 'v0.1.0' },
  ...over,
  ...(over.agent === 'command' ? { agentCommand: 'node agent.js' } : {}),
});

function render(file: string, s: InstallSpec) {
  const text = renderWorkflow(TEMPLATES[file]!, s);
  const wf = parseDocument(text).toJS() as Wf;
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const loop = steps.find((x) => x.uses?.includes('/agentloop@'))!;
  return { text, wf, steps, loop, job: Object.values(wf.jobs)[0]! };
}

describe.each(AGENTS.flatMap((agent) => TOKEN_KINDS.map((kind) => [agent, kind] as const)))('agent %s, token kind %s', (agent, kind) => {
  for (const file of Object.keys(TEMPLATES)) {
    it(`${file}: valid, pinned, the agent's key and CLI, the token of the kind; a second rendering changes nothing`, async () => {
      const s = spec({ agent, tokenKind: kind });
      const { text, steps, loop, job } = render(file, s);
      expect((await parseWorkflowFile({ path: `.github/workflows/${file}`, text })).errors).toEqual([]);
      expect(renderWorkflow(text, s)).toBe(text);
      expect(loop.uses).toBe(`agentloop/agentloop@${SHA}`);
      expect(text).toContain(`agentloop/agentloop@${SHA} # v0.1.0`);
      expect(text).not.toMatch(/0{40}/);

      const runsAgent = loop.with?.agent !== undefined;
      if (runsAgent) {
        expect(loop.with?.agent).toBe(agent);
        const secret = AGENT_SECRET[agent];
        expect(Object.keys(loop.env ?? {})).toEqual(secret ? [secret] : []);
        if (secret) expect(loop.env?.[secret]).toBe(`\${{ secrets.${secret} }}`);
        expect(loop.with?.['agent-command']).toBe(agent === 'command' ? 'node agent.js' : undefined);
        const installs = steps.filter((x) => x.run?.includes('npm install'));
        const pkg = AGENT_PACKAGE[agent];
        if (pkg)
          expect(installs.map((x) => x.run)).toEqual([expect.stringMatching(new RegExp(`${pkg.replace('/', '\\/')}@\\d+\\.\\d+\\.\\d+$`))]);
        else expect(installs).toEqual([]);
      }

      const apps = steps.filter((x) => x.uses?.startsWith('actions/create-github-app-token@'));
      const token = loop.with?.token ?? '';
      if (file === 'agentloop-plan.yml') {
        // The plan lane keeps the workflow token, whatever the kind.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression
        expect(token).toBe('${{ github.token }}');
        expect(apps).toEqual([]);
      } else if (kind === 'app') {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression
        expect(token).toBe('${{ steps.app.outputs.token }}');
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression
        expect(loop.with?.['app-slug']).toBe('${{ steps.app.outputs.app-slug }}');
        expect(apps).toHaveLength(1);
        expect(apps[0]!.if).toBeUndefined();
        expect(steps.indexOf(apps[0]!)).toBeLessThan(steps.indexOf(loop));
      } else {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expressions
        expect(token).toBe(kind === 'workflow' ? '${{ github.token }}' : '${{ secrets.AGENTLOOP_TOKEN || github.token }}');
        expect(loop.with?.['app-slug']).toBeUndefined();
        expect(apps).toEqual([]);
        // The job env that only gated the App step goes with it.
        expect(JSON.stringify(job.env ?? {})).not.toMatch(/APP_/);
      }
    });
  }
});

describe('label prefix', () => {
  it.each(Object.keys(TEMPLATES))(
    '%s: every if: and concurrency.group names the labels of the prefix, and the step gets label-prefix',
    (file) => {
      const { text, loop } = render(file, spec({ labelPrefix: 'ai: ' }));
      const names = labelNames('ai: ');
      const defaults = labelNames('loop/');
      const mentioned = labelExpressions(parseDocument(text)).flatMap((e) => quotedNames(e.text));
      for (const key of ['plan', 'code', 'merge'] as const) expect(mentioned).not.toContain(defaults[key]);
      if (file === 'agentloop-plan.yml') expect(mentioned).toContain(names.plan);
      if (file === 'agentloop-code.yml')
        expect(mentioned).toEqual(expect.arrayContaining([names.code, names.merge, 'automerge', 'NeedSupervisor']));
      expect(loop.with?.['label-prefix']).toBe('ai: ');
    },
  );

  it('the default prefix writes no label-prefix input', () => {
    expect(render('agentloop-code.yml', spec()).loop.with?.['label-prefix']).toBeUndefined();
  });
});

describe('everything else of the template stays', () => {
  it('comments, pins of other actions, permissions and the CI names unless given', () => {
    // The app kind keeps every step of the template (claude is its agent); only the env that gated the App step goes.
    const { text, wf } = render('agentloop-code.yml', spec({ tokenKind: 'app' }));
    for (const line of TEMPLATES['agentloop-code.yml']!.split('\n').filter(
      (l) => /^\s*#|permissions:|actions\/checkout@|cancel-in-progress/.test(l) && !/Only so that/.test(l),
    ))
      expect(text).toContain(line);
    expect(wf.on.workflow_run?.workflows).toEqual(['CI']);
    expect(render('agentloop-code.yml', spec({ ciWorkflows: ['Tests', 'Lint'] })).wf.on.workflow_run?.workflows).toEqual(['Tests', 'Lint']);
  });

  it('a template without an App step gets one for the app kind', () => {
    const without = TEMPLATES['agentloop-sweep.yml']!.replace(
      /\n\s*- uses: actions\/create-github-app-token@[\s\S]*?(?=\n\s*- uses: agentloop)/,
      '',
    );
    expect(without).not.toContain('create-github-app-token');
    const text = renderWorkflow(without, spec({ tokenKind: 'app' }));
    const steps = Object.values((parseDocument(text).toJS() as Wf).jobs).flatMap((j) => j.steps);
    expect(steps.map((s) => s.uses?.split('@')[0])).toEqual(['actions/create-github-app-token', 'agentloop/agentloop']);
  });
});
