// `agentloop init --forge forgejo` (and github, the default): the template set it picks, where it writes,
// what it refuses on Forgejo, and the next steps it prints. --dir only: nothing here talks to a forge.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkflowFile } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InitOptions, runInit } from '../../src/run/init.js';

const SHA = 'c'.repeat(40);
let dir: string;
let lines: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentloop-init-'));
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = (forge: string | undefined, over: Partial<InitOptions> = {}): InitOptions => ({
  ...(forge ? { forge } : {}),
  dir,
  token: '',
  apiUrl: 'https://api.github.com',
  agent: 'claude',
  tokenKind: 'pat',
  labelPrefix: 'loop/',
  pin: SHA,
  release: { version: '0.1.0', commit: '' },
  templatesDir: `workflows-templates/${forge ?? 'github'}`,
  dryRun: false,
  force: false,
  out: (l) => lines.push(l),
  ...over,
});

describe('agentloop init --forge forgejo --dir', () => {
  it('writes the Forgejo templates into .forgejo/workflows, pinned by full URL; a second run changes nothing', async () => {
    expect(await runInit(opts('forgejo'))).toBe(3);
    const out = join(dir, '.forgejo/workflows');
    expect(readdirSync(out).sort()).toEqual(['agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml']);
    for (const f of readdirSync(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      expect((await parseWorkflowFile({ path: `.forgejo/workflows/${f}`, text })).errors).toEqual([]);
      expect(text).toContain(`uses: https://github.com/agentloop/agentloop@${SHA} # v0.1.0`);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the file must contain
      expect(text).toContain('token: ${{ secrets.AGENTLOOP_TOKEN }}');
      expect(text).toContain('cancel-in-progress: false');
      expect(text).not.toMatch(/^\s*workflow_run:|create-github-app-token|0{40}/m);
    }
    expect(lines.join('\n')).toMatch(/Forgejo, agent claude/);
    lines = [];
    expect(await runInit(opts('forgejo'))).toBe(0);
    expect(lines.filter((l) => l.includes('unchanged .forgejo/workflows/'))).toHaveLength(3);
  });

  it('writes where Forgejo already reads workflows (it reads only the first of .forgejo/, .gitea/, .github/)', async () => {
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    await runInit(opts('forgejo'));
    expect(readdirSync(join(dir, '.github/workflows')).sort()).toEqual(['agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml']);
    expect(lines.join('\n')).toContain(`git -C ${dir} add .github/workflows &&`);
  });

  it('renames the labels for --label-prefix in if: and concurrency.group, and installs the chosen agent', async () => {
    await runInit(opts('forgejo', { labelPrefix: 'bot-', agent: 'codex' }));
    const code = readFileSync(join(dir, '.forgejo/workflows/agentloop-code.yml'), 'utf8');
    expect(code).not.toMatch(/'loop\/|"loop\//);
    expect(code).toContain(`fromJSON('["bot-code","bot-merge","automerge"]')`);
    expect(code).toContain('label-prefix: bot-');
    expect(code).toContain('agent: codex');
    expect(code).toMatch(/npm install --global --no-audit --no-fund @openai\/codex@\d+\.\d+\.\d+\n/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the file must contain
    expect(code).toContain('OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}');
  });

  it("prints Forgejo's next steps: the bot user and its token, the model key, the runner variable, the labels", async () => {
    await runInit(opts('forgejo'));
    const text = lines.join('\n');
    expect(text).toMatch(/Create a bot user for agentloop.*Administrator access/);
    expect(text).toMatch(/only repository admins read another user's permission/);
    expect(text).toMatch(/Add secret: AGENTLOOP_TOKEN/);
    expect(text).toMatch(/Add secret: ANTHROPIC_API_KEY/);
    expect(text).toMatch(/Add variable: AGENTLOOP_RUNS_ON/);
    expect(text).toMatch(/loop\/plan, loop\/code, loop\/breakdown and loop\/breakdown-approve/);
    expect(text).toMatch(/polls every 10 minutes/);
    expect(text).not.toMatch(/gh secret|gh api|GitHub App|--repo owner\/name/);
  });

  it.each([
    ['app', /--token-kind app: Forgejo has no GitHub Apps\. Use --token-kind pat/],
    ['workflow', /--token-kind workflow: on Forgejo the automatic token cannot read other users' permissions/],
  ])('refuses --token-kind %s before writing anything', async (kind, message) => {
    await expect(runInit(opts('forgejo', { tokenKind: kind }))).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses --ci (no workflow_run on Forgejo) and --repo with GitHub's API URL", async () => {
    await expect(runInit(opts('forgejo', { ciWorkflows: ['Build'] }))).rejects.toThrow(/--ci: Forgejo has no workflow_run event/);
    await expect(runInit(opts('forgejo', { repo: 'acme/calc' }))).rejects.toThrow(
      /--repo with --forge forgejo needs the API of your Forgejo: set GITHUB_API_URL=https:\/\/your-forgejo\/api\/v1/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an unknown forge', async () => {
    await expect(runInit(opts('gitlab'))).rejects.toThrow(/--forge must be one of github, forgejo, got "gitlab"/);
  });
});

describe('agentloop init --dir on GitHub (the default) is as before', () => {
  it.each([[undefined], ['github']])('forge %s: the GitHub templates into .github/workflows, GitHub next steps', async (forge) => {
    expect(await runInit(opts(forge))).toBe(3);
    const text = readFileSync(join(dir, '.github/workflows/agentloop-code.yml'), 'utf8');
    expect(text).toContain(`uses: agentloop/agentloop@${SHA} # v0.1.0`);
    expect(text).toContain('workflow_run:');
    expect(readdirSync(dir)).toEqual(['.github']);
    expect(lines.join('\n')).toMatch(/gh secret set AGENTLOOP_TOKEN -R OWNER\/REPO/);
  });
});
