// The scripted agent through agentloop's agent runner (`agent: command`): the bundled program's answer
// becomes the final message, and a scripted hang hits the runner's timeout.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AgentScript, git as forgeGit } from '@agentloop/embedded-forge';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent } from '../../src/agent/runner.js';

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), `scripted-agent-${prefix}-`));
  temps.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

const gitEnv = forgeGit.hermeticGitEnv({
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
});

function gitOk(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: gitEnv }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

async function repoWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('repo');
  await gitOk(dir, ['init', '--quiet', '--initial-branch=main']);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await gitOk(dir, ['add', '-A']);
  await gitOk(dir, ['commit', '--quiet', '-m', 'initial']);
  return dir;
}

const script: AgentScript = {
  plan: '## Plan\n\n1. Fix `add` in src/add.js.\n',
  code: {
    files: { 'src/add.js': 'export const add = (a, b) => a + b;\n', 'old.txt': null, 'docs/new/notes.md': '# notes\n' },
    summary: 'Fixed add; removed old.txt.',
  },
  rebase: { resolve: 'ours', summary: 'Resolved conflicts.' },
};

describe('the scripted agent as agentloop runs it', () => {
  let bundle: string;
  let work: string;
  beforeAll(async () => {
    work = await tempDir('bundle');
    bundle = path.join(work, 'scripted-agent.js');
    await build({
      entryPoints: { 'scripted-agent': '@agentloop/embedded-forge/scripted-agent' },
      outdir: work,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
  });

  it('works through the real agent runner; a scripted hang hits the runner timeout', async () => {
    const dir = await repoWith({ 'src/add.js': 'x\n', 'old.txt': 'o\n' });
    const scriptPath = path.join(work, 'runner.json');
    await writeFile(scriptPath, JSON.stringify({ ...script, hang: ['rebase'] }));
    const base = {
      agent: 'command' as const,
      command: `${process.execPath} ${bundle} ${scriptPath}`,
      args: [],
      cwd: dir,
      tempDir: path.join(work, 'tmp'),
      env: { PATH: process.env.PATH ?? '' },
    };
    const code = await runAgent({
      ...base,
      mode: 'write',
      prompt: 'Implement #1',
      timeoutMs: 30_000,
      extraEnv: { AGENTLOOP_TRANSITION: 'code' },
    });
    expect(code).toMatchObject({ ok: true, finalMessage: 'Fixed add; removed old.txt.' });
    expect(await readFile(path.join(dir, 'src/add.js'), 'utf8')).toBe('export const add = (a, b) => a + b;\n');

    const hung = await runAgent({
      ...base,
      mode: 'write',
      prompt: 'Rebase',
      timeoutMs: 1_000,
      killGraceMs: 200,
      extraEnv: { AGENTLOOP_TRANSITION: 'rebase' },
    });
    expect(hung).toMatchObject({ ok: false, timedOut: true });
    const lines = (await readFile(`${scriptPath}.log`, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
  });
});
