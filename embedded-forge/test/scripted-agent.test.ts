// The scripted agent: deterministic plan/code/fix-ci/rebase runs in a real git working tree, run
// in-process and, once bundled with esbuild, as the program `agent: command` starts. (Through agentloop's
// agent runner: test/agent-runner-scripted.test.ts.)
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hermeticGitEnv } from '../src/git-ops.js';
import { type AgentScript, hasConflictMarkers, resolveConflictMarkers, runScriptedAgent } from '../src/scripted-agent.js';

/** The program's source, wherever the tests run from. */
const ENTRY = fileURLToPath(new URL('../src/scripted-agent.ts', import.meta.url));

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), `scripted-agent-${prefix}-`));
  temps.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

const gitEnv = hermeticGitEnv({
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
});

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...gitEnv, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function gitOk(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await git(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
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

const status = (cwd: string) => gitOk(cwd, ['status', '--porcelain']);

const script: AgentScript = {
  plan: '## Plan\n\n1. Fix `add` in src/add.js.\n',
  code: {
    files: { 'src/add.js': 'export const add = (a, b) => a + b;\n', 'old.txt': null, 'docs/new/notes.md': '# notes\n' },
    summary: 'Fixed add; removed old.txt.',
  },
  'fix-ci': [
    { files: { 'src/add.js': 'export const add = (a, b) => a + b; // 1\n' }, summary: 'Fix attempt one.' },
    { files: { 'test/add.test.js': 'ok\n' }, summary: 'Fix attempt two.' },
  ],
  rebase: { resolve: 'ours', summary: 'Resolved conflicts.' },
};

describe('runScriptedAgent in a git working tree', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await repoWith({ 'src/add.js': 'export const add = (a, b) => a - b;\n', 'old.txt': 'old\n', 'README.md': '# r\n' });
  });

  it('plan prints the plan and changes nothing', async () => {
    const out = await runScriptedAgent(script, { transition: 'plan', cwd: repo, prompt: 'Plan issue #1' });
    expect(out).toMatchObject({ exitCode: 0, stdout: script.plan, changed: [] });
    expect(await status(repo)).toBe('');
  });

  it('code writes and deletes files (creating directories) and prints the summary', async () => {
    const dir = await repoWith({ 'src/add.js': 'x\n', 'old.txt': 'old\n' });
    const out = await runScriptedAgent(script, { transition: 'code', cwd: dir, prompt: 'Implement' });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe('Fixed add; removed old.txt.');
    expect(out.changed.sort()).toEqual(['docs/new/notes.md', 'old.txt', 'src/add.js']);
    expect(await readFile(path.join(dir, 'src/add.js'), 'utf8')).toBe('export const add = (a, b) => a + b;\n');
    expect(existsSync(path.join(dir, 'old.txt'))).toBe(false);
    expect(await readFile(path.join(dir, 'docs/new/notes.md'), 'utf8')).toBe('# notes\n');
    expect((await status(dir)).split('\n').filter(Boolean).sort()).toEqual([' D old.txt', ' M src/add.js', '?? docs/']);
  });

  it('fix-ci uses the entry for the attempt, and beyond the list makes no change and says so', async () => {
    const dir = await repoWith({ 'src/add.js': 'x\n' });
    const first = await runScriptedAgent(script, { transition: 'fix-ci', cwd: dir, prompt: 'CI failed' });
    expect(first).toMatchObject({ exitCode: 0, stdout: 'Fix attempt one.', changed: ['src/add.js'] });
    await gitOk(dir, ['commit', '--quiet', '-am', 'fix 1']);

    const second = await runScriptedAgent(script, { transition: 'fix-ci', attempt: 2, cwd: dir, prompt: 'CI failed' });
    expect(second).toMatchObject({ exitCode: 0, stdout: 'Fix attempt two.', changed: ['test/add.test.js'] });
    await gitOk(dir, ['add', '-A']);
    await gitOk(dir, ['commit', '--quiet', '-m', 'fix 2']);

    const third = await runScriptedAgent(script, { transition: 'fix-ci', attempt: 3, cwd: dir, prompt: 'CI failed' });
    expect(third.exitCode).toBe(0);
    expect(third.changed).toEqual([]);
    expect(third.stdout).toMatch(/no change/i);
    expect(third.stderr).toMatch(/no fix-ci entry for attempt 3/);
    expect(await status(dir)).toBe('');

    const none = await runScriptedAgent({ plan: 'p' }, { transition: 'fix-ci', cwd: dir, prompt: '' });
    expect(none).toMatchObject({ exitCode: 0, changed: [] });
  });

  it('refuses paths that escape the workspace, before writing anything (exit 2)', async () => {
    const dir = await repoWith({ 'a.txt': 'a\n' });
    for (const bad of ['../escape.txt', 'src/../../escape.txt', '/tmp/abs.txt', 'C:\\x.txt', 'a\\..\\..\\x']) {
      const out = await runScriptedAgent(
        { code: { files: { 'ok.txt': 'written?\n', [bad]: 'x' } } },
        { transition: 'code', cwd: dir, prompt: '' },
      );
      expect(out.exitCode, bad).toBe(2);
      expect(out.stderr).toMatch(/refusing/);
      expect(out.changed).toEqual([]);
    }
    expect(existsSync(path.join(dir, 'ok.txt'))).toBe(false);
    expect(existsSync(path.join(path.dirname(dir), 'escape.txt'))).toBe(false);
    expect(await status(dir)).toBe('');
  });

  it('a bad script or transition is exit 2 with a clear message', async () => {
    const cases: [unknown, string | undefined, RegExp][] = [
      [{ code: { files: { 'a.txt': 5 } } }, 'code', /invalid agent script[\s\S]*code/],
      [{ plan: 'p', typo: true }, 'plan', /invalid agent script[\s\S]*typo/],
      [{ rebase: { resolve: 'mine' } }, 'rebase', /invalid agent script[\s\S]*resolve/],
      [{ 'fix-ci': { files: {} } }, 'fix-ci', /invalid agent script[\s\S]*fix-ci/],
      ['not an object', 'plan', /invalid agent script/],
      [{ plan: 'p' }, undefined, /AGENTLOOP_TRANSITION must be one of/],
      [{ plan: 'p' }, 'merge', /AGENTLOOP_TRANSITION must be one of/],
      [{ plan: 'p' }, 'code', /no 'code'/],
    ];
    for (const [s, transition, message] of cases) {
      const out = await runScriptedAgent(s, { transition, cwd: repo, prompt: '' });
      expect(out.exitCode, JSON.stringify(s)).toBe(2);
      expect(out.stderr).toMatch(message);
      expect(out.stdout).toBe('');
    }
  });

  it('fail makes a transition fail (optionally only some attempts), without touching files', async () => {
    const dir = await repoWith({ 'a.txt': 'a\n' });
    const s: AgentScript = {
      code: { files: { 'a.txt': 'b\n' } },
      'fix-ci': [{ files: { 'a.txt': 'c\n' } }, { files: { 'a.txt': 'd\n' } }],
      fail: { code: { exitCode: 3, stderr: 'model overloaded' }, 'fix-ci': { attempts: [2] } },
    };
    expect(await runScriptedAgent(s, { transition: 'code', cwd: dir, prompt: '' })).toMatchObject({
      exitCode: 3,
      stderr: 'model overloaded\n',
      changed: [],
    });
    expect(await status(dir)).toBe('');
    expect(await runScriptedAgent(s, { transition: 'fix-ci', attempt: 2, cwd: dir, prompt: '' })).toMatchObject({
      exitCode: 1,
      changed: [],
    });
    expect(await runScriptedAgent(s, { transition: 'fix-ci', attempt: 1, cwd: dir, prompt: '' })).toMatchObject({
      exitCode: 0,
      changed: ['a.txt'],
    });
  });

  it('hang never finishes until aborted', async () => {
    const controller = new AbortController();
    let done = false;
    const run = runScriptedAgent(
      { plan: 'p', hang: ['plan'] },
      { transition: 'plan', cwd: repo, prompt: '', signal: controller.signal },
    ).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    controller.abort();
    expect((await run).exitCode).toBe(124);
  });

  it('appends one JSON line per invocation to the log', async () => {
    const logPath = path.join(await tempDir('log'), 'script.json.log');
    await runScriptedAgent(script, { transition: 'plan', cwd: repo, prompt: 'abc', logPath });
    await runScriptedAgent(script, { transition: 'fix-ci', attempt: 9, cwd: repo, prompt: 'abcdef', logPath });
    const lines = (await readFile(logPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { transition: 'plan', attempt: 1, cwd: repo, promptLength: 3, prompt: 'abc' },
      { transition: 'fix-ci', attempt: 9, cwd: repo, promptLength: 6, prompt: 'abcdef' },
    ]);
  });

  it('{{run}} in a change is the invocation number: each run makes its own change', async () => {
    const logPath = path.join(await tempDir('log'), 'script.json.log');
    const dir = await repoWith({ 'README.md': '# r\n' });
    const perRun: AgentScript = {
      code: { files: { 'src/f{{run}}.js': 'export const n = {{run}};\n' }, summary: 'Feature {{run}}.' },
      'fix-ci': [{ files: { 'fixes/{{run}}.txt': 'fix {{run}}\n' } }],
    };
    await runScriptedAgent(perRun, { transition: 'plan', cwd: dir, prompt: '', logPath });
    const code = await runScriptedAgent(perRun, { transition: 'code', cwd: dir, prompt: '', logPath });
    const fix = await runScriptedAgent(perRun, { transition: 'fix-ci', cwd: dir, prompt: '', logPath });
    expect(code).toMatchObject({ exitCode: 0, stdout: 'Feature 2.', changed: ['src/f2.js'] });
    expect(fix).toMatchObject({ exitCode: 0, changed: ['fixes/3.txt'] });
    expect(await readFile(path.join(dir, 'src/f2.js'), 'utf8')).toBe('export const n = 2;\n');
    expect(await readFile(path.join(dir, 'fixes/3.txt'), 'utf8')).toBe('fix 3\n');
  });
});

describe('rebase conflicts made by real git', () => {
  /** main and feature edit the same line; feature also adds a file so its commit never becomes empty. */
  async function conflictedRebase(style: 'merge' | 'diff3'): Promise<string> {
    const dir = await repoWith({ 'app.txt': 'one\nvalue = base\nthree\n', 'keep.txt': 'keep\n' });
    await gitOk(dir, ['checkout', '--quiet', '-b', 'feature']);
    await writeFile(path.join(dir, 'app.txt'), 'one\nvalue = feature\nthree\n');
    await writeFile(path.join(dir, 'feature.txt'), 'new\n');
    await gitOk(dir, ['add', '-A']);
    await gitOk(dir, ['commit', '--quiet', '-m', 'feature change']);
    await gitOk(dir, ['checkout', '--quiet', 'main']);
    await writeFile(path.join(dir, 'app.txt'), 'one\nvalue = main\nthree\n');
    await gitOk(dir, ['commit', '--quiet', '-am', 'main change']);
    await gitOk(dir, ['checkout', '--quiet', 'feature']);
    const r = await git(dir, ['-c', `merge.conflictStyle=${style}`, 'rebase', 'main']);
    expect(r.code).not.toBe(0);
    expect(await gitOk(dir, ['diff', '--name-only', '--diff-filter=U'])).toBe('app.txt\n');
    expect(hasConflictMarkers(await readFile(path.join(dir, 'app.txt'), 'utf8'))).toBe(true);
    return dir;
  }

  async function continueRebase(dir: string): Promise<void> {
    await gitOk(dir, ['add', '-A']);
    await gitOk(dir, ['rebase', '--continue'], { GIT_EDITOR: 'true' });
    expect(await status(dir)).toBe('');
    expect(existsSync(path.join(dir, '.git', 'rebase-merge'))).toBe(false);
    expect((await gitOk(dir, ['log', '--format=%s'])).trim().split('\n')).toEqual(['feature change', 'main change', 'initial']);
  }

  for (const [side, style, expected] of [
    ['ours', 'merge', 'value = main'],
    ['theirs', 'merge', 'value = feature'],
    ['ours', 'diff3', 'value = main'],
    ['theirs', 'diff3', 'value = feature'],
  ] as const) {
    it(`resolve: ${side} (${style} markers) keeps that side and the rebase continues`, async () => {
      const dir = await conflictedRebase(style);
      const head = await gitOk(dir, ['rev-parse', 'HEAD']);
      const out = await runScriptedAgent(
        { rebase: { resolve: side, summary: `kept ${side}` } },
        { transition: 'rebase', cwd: dir, prompt: 'Resolve `app.txt`' },
      );
      expect(out).toMatchObject({ exitCode: 0, stdout: `kept ${side}`, changed: ['app.txt'] });
      // The agent ran no git command that moves anything.
      expect(await gitOk(dir, ['rev-parse', 'HEAD'])).toBe(head);
      expect(await readFile(path.join(dir, 'app.txt'), 'utf8')).toBe(`one\n${expected}\nthree\n`);
      await continueRebase(dir);
      expect(await gitOk(dir, ['show', 'HEAD:app.txt'])).toBe(`one\n${expected}\nthree\n`);
      expect(await gitOk(dir, ['show', 'HEAD:feature.txt'])).toBe('new\n');
    });
  }

  it('resolve: files writes the given content', async () => {
    const dir = await conflictedRebase('merge');
    const out = await runScriptedAgent(
      { rebase: { resolve: { files: { 'app.txt': 'one\nvalue = main + feature\nthree\n' } } } },
      { transition: 'rebase', cwd: dir, prompt: '' },
    );
    expect(out).toMatchObject({ exitCode: 0, changed: ['app.txt'] });
    await continueRebase(dir);
    expect(await gitOk(dir, ['show', 'HEAD:app.txt'])).toBe('one\nvalue = main + feature\nthree\n');
  });

  it('outside a git repository, it resolves the files the prompt names', async () => {
    const dir = await tempDir('nogit');
    await writeFile(path.join(dir, 'x.txt'), 'a\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> abc (msg)\nb\n');
    await writeFile(path.join(dir, 'y.txt'), 'untouched\n');
    const out = await runScriptedAgent(
      { rebase: { resolve: 'theirs' } },
      { transition: 'rebase', cwd: dir, prompt: '## Files with conflicts\n\n- `x.txt`\n- `y.txt`\n- `../etc/passwd`\n' },
    );
    expect(out).toMatchObject({ exitCode: 0, changed: ['x.txt'] });
    expect(await readFile(path.join(dir, 'x.txt'), 'utf8')).toBe('a\ntheirs\nb\n');
    expect(await readFile(path.join(dir, 'y.txt'), 'utf8')).toBe('untouched\n');
  });

  it('resolveConflictMarkers keeps CRLF line endings and handles several hunks', () => {
    const text =
      'a\r\n<<<<<<< HEAD\r\n1\r\n=======\r\n2\r\n>>>>>>> x\r\nb\r\n<<<<<<< HEAD\r\n3\r\n||||||| base\r\n0\r\n=======\r\n4\r\n>>>>>>> x\r\n';
    expect(resolveConflictMarkers(text, 'ours')).toEqual({ text: 'a\r\n1\r\nb\r\n3\r\n', hunks: 2 });
    expect(resolveConflictMarkers(text, 'theirs')).toEqual({ text: 'a\r\n2\r\nb\r\n4\r\n', hunks: 2 });
    expect(() => resolveConflictMarkers('<<<<<<< HEAD\nx\n', 'ours')).toThrow(/unterminated/);
  });
});

describe('the bundled program', () => {
  let bundle: string;
  let work: string;
  beforeAll(async () => {
    work = await tempDir('bundle');
    bundle = path.join(work, 'scripted-agent.js');
    await build({
      entryPoints: { 'scripted-agent': ENTRY },
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

  function run(
    args: string[],
    opts: { cwd: string; env?: Record<string, string>; input?: string },
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bundle, ...args], { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '', ...opts.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(opts.input ?? '');
    });
  }

  it('runs as a program: reads the script, the transition and the prompt; logs the run', async () => {
    const dir = await repoWith({ 'src/add.js': 'x\n', 'old.txt': 'o\n' });
    const scriptPath = path.join(work, 'script.json');
    await writeFile(scriptPath, JSON.stringify(script));
    const plan = await run([scriptPath], { cwd: dir, env: { AGENTLOOP_TRANSITION: 'plan' }, input: 'the prompt' });
    expect(plan).toMatchObject({ code: 0, stdout: script.plan });
    const code = await run([scriptPath], { cwd: dir, env: { AGENTLOOP_TRANSITION: 'code' } });
    expect(code).toMatchObject({ code: 0, stdout: 'Fixed add; removed old.txt.\n' });
    expect(existsSync(path.join(dir, 'old.txt'))).toBe(false);
    const promptFile = path.join(work, 'prompt.md');
    await writeFile(promptFile, 'prompt from the file');
    const fix = await run([scriptPath], {
      cwd: dir,
      env: { AGENTLOOP_TRANSITION: 'fix-ci', AGENTLOOP_ATTEMPT: '2', AGENTLOOP_PROMPT_FILE: promptFile },
    });
    expect(fix).toMatchObject({ code: 0, stdout: 'Fix attempt two.\n' });
    const lines = (await readFile(`${scriptPath}.log`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.transition, l.attempt, l.promptLength])).toEqual([
      ['plan', 1, 'the prompt'.length],
      ['code', 1, 0],
      ['fix-ci', 2, 'prompt from the file'.length],
    ]);
  });

  it('a bad script, a missing script or a bad attempt is exit 2 with a message on stderr', async () => {
    const dir = await tempDir('bad');
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ code: { files: 'nope' } }));
    const r1 = await run([bad], { cwd: dir, env: { AGENTLOOP_TRANSITION: 'code' } });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/invalid agent script/);
    const notJson = path.join(dir, 'x.json');
    await writeFile(notJson, '{ nope');
    expect(await run([notJson], { cwd: dir, env: { AGENTLOOP_TRANSITION: 'code' } })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read the script/),
    });
    expect(await run([], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringMatching(/usage/) });
    expect(await run([bad], { cwd: dir, env: { AGENTLOOP_TRANSITION: 'code', AGENTLOOP_ATTEMPT: 'zero' } })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/AGENTLOOP_ATTEMPT/),
    });
  });

  it('a code-split bundle runs the program from its own entry only, not from another entry that imports it', async () => {
    const out = path.join(work, 'split');
    const other = path.join(work, 'other-entry.ts');
    await writeFile(other, `import { runScriptedAgent } from ${JSON.stringify(ENTRY)};\nconsole.log(typeof runScriptedAgent);\n`);
    await build({
      entryPoints: { 'scripted-agent': ENTRY, cli: other },
      outdir: out,
      bundle: true,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      banner: {
        js: "import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    const dir = await tempDir('split-ws');
    const scriptPath = path.join(dir, 'plan.json');
    await writeFile(scriptPath, JSON.stringify({ plan: 'split plan' }));
    const runNode = (file: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [file, scriptPath], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', AGENTLOOP_TRANSITION: 'plan' },
        });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d));
        child.on('close', (code) => resolve({ code, stdout }));
        child.stdin.end('');
      });
    expect(await runNode(path.join(out, 'scripted-agent.js'))).toEqual({ code: 0, stdout: 'split plan\n' });
    expect(await runNode(path.join(out, 'cli.js'))).toEqual({ code: 0, stdout: 'function\n' });
    expect((await readFile(`${scriptPath}.log`, 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
