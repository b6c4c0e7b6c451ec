import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeArgv, parseClaudeOutput } from '../../src/agent/claude.js';
import { commandArgv } from '../../src/agent/command.js';
import { type AgentRunRequest, runAgent } from '../../src/agent/runner.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'agents');
const NODE = process.execPath;
const work = mkdtempSync(path.join(tmpdir(), 'agentloop-agent-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A fresh workspace, and a temp dir the runner must create itself. */
function dirs(): { cwd: string; tempDir: string } {
  n += 1;
  return { cwd: mkdtempSync(path.join(work, `ws-${n}-`)), tempDir: path.join(work, `tmp-${n}`) };
}

function request(over: Partial<AgentRunRequest>): AgentRunRequest {
  return {
    agent: 'command',
    command: `${NODE} ${path.join(FIXTURES, 'inspect.mjs')}`,
    args: [],
    mode: 'write',
    prompt: 'Implement issue #7.',
    timeoutMs: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    ...dirs(),
    ...over,
  };
}

// Secrets as a real job would hold them: names and values must both stay out of the agent.
const TOKENS: Record<string, string> = {
  INPUT_TOKEN: 'ghs_INPUTtokenVALUE0001',
  GITHUB_TOKEN: 'ghs_GITHUBtokenVALUE0002',
  GH_TOKEN: 'gho_GHtokenVALUE0003',
  GITEA_TOKEN: 'gitea_tokenVALUE0004',
  FORGEJO_TOKEN: 'forgejo_tokenVALUE0005',
  ACTIONS_RUNTIME_TOKEN: 'eyRUNTIMEtokenVALUE0006',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'eyOIDCrequestVALUE0007',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/VALUE0008',
  RUNNER_TEMP: '/runner/temp/VALUE0009',
  GITHUB_API_URL: 'https://api.example/VALUE0010',
  NPM_TOKEN: 'npm_VALUE0011',
  MY_SECRET: 'mysecretVALUE0012',
  AWS_SECRET_ACCESS_KEY: 'awsSECRETvalue0013',
  NODE_OPTIONS: '--require=/nonexistent/VALUE0014.js',
  OPENAI_API_KEY: 'sk-openaiVALUE0015',
};

interface Inspected {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  stdinSha256: string;
  promptFromFile?: string;
  promptFileSha256: string | null;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent died may linger as a zombie until init reaps it: that is dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function waitGone(pid: number, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('runAgent (command agent)', () => {
  it('gives the agent no forge token, runner variable or foreign secret, but its model key', async () => {
    const req = request({ env: { ...request({}).env, ...TOKENS, ANTHROPIC_API_KEY: 'sk-ant-MODELkey' } });
    const result = await runAgent(req);
    expect(result.ok).toBe(true);
    const out = result.finalMessage;
    for (const [name, value] of Object.entries(TOKENS)) {
      if (name === 'OPENAI_API_KEY') continue; // a command agent may use any supported CLI's key
      expect(out, name).not.toContain(name);
      expect(out, name).not.toContain(value);
    }
    const seen = JSON.parse(out) as Inspected;
    expect(seen.env.ANTHROPIC_API_KEY).toBe('sk-ant-MODELkey');
    expect(seen.env.CI).toBe('true');
    expect(seen.env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(seen.env.AGENTLOOP_MODE).toBe('write');
  });

  it('delivers the prompt on stdin and in a private AGENTLOOP_PROMPT_FILE, and removes the file after', async () => {
    const prompt = 'Plan issue #12.\nLine two — ünïcødé ✓\n'.repeat(2_000); // > one pipe buffer
    const req = request({ prompt, mode: 'read-only', model: 'some-model', extraEnv: { AGENTLOOP_TRANSITION: 'plan' } });
    let mode = -1;
    const result = await runAgent({
      ...req,
      onOutput: () => {
        const files = existsSync(req.tempDir) ? readdirSync(req.tempDir) : [];
        if (files[0]) mode = statSync(path.join(req.tempDir, files[0])).mode & 0o777;
      },
    });
    expect(result.ok).toBe(true);
    const seen = JSON.parse(result.finalMessage) as Inspected;
    expect(seen.stdinSha256).toBe(sha256(prompt));
    expect(seen.promptFileSha256).toBe(sha256(prompt));
    expect(path.dirname(seen.env.AGENTLOOP_PROMPT_FILE ?? '')).toBe(path.resolve(req.tempDir));
    expect(mode).toBe(0o600);
    expect(seen.env.AGENTLOOP_MODE).toBe('read-only');
    expect(seen.env.AGENTLOOP_MODEL).toBe('some-model');
    expect(seen.env.AGENTLOOP_TRANSITION).toBe('plan');
    expect(seen.cwd).toBe(req.cwd);
    expect(readdirSync(req.tempDir)).toEqual([]);
  });

  it('splits the command on whitespace, appends args, and never involves a shell', async () => {
    const result = await runAgent(
      request({
        command: `${NODE}   ${path.join(FIXTURES, 'inspect.mjs')}  --one`,
        args: ['$(touch pwned)', '`id`', 'a;b', '*'],
      }),
    );
    const seen = JSON.parse(result.finalMessage) as Inspected;
    expect(seen.argv).toEqual(['--one', '$(touch pwned)', '`id`', 'a;b', '*']);
    expect(existsSync(path.join(seen.cwd, 'pwned'))).toBe(false);
  });

  it('returns stdout as the final message and streams output live', async () => {
    const chunks: string[] = [];
    const result = await runAgent(request({ command: `${NODE} ${path.join(FIXTURES, 'fail.mjs')}`, onOutput: (c) => chunks.push(c) }));
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(result.timedOut).toBe(false);
    expect(result.finalMessage).toBe('partial work');
    const tail = result.stderrTail.split('\n');
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe('stderr line 61');
    expect(tail.at(-1)).toBe('stderr line 100');
    expect(chunks.join('')).toContain('partial work');
    expect(chunks.join('')).toContain('stderr line 100');
  });

  it('keeps the last 60 000 characters of a huge stdout, and survives an agent that ignores stdin', async () => {
    const result = await runAgent(
      request({
        command: `${NODE} ${path.join(FIXTURES, 'no-stdin.mjs')} 500000`,
        prompt: 'p'.repeat(2_000_000),
      }),
    );
    expect(result.ok).toBe(true);
    expect(result.finalMessage).toHaveLength(60_000);
    expect(result.finalMessage.endsWith('\nTHE END')).toBe(true);
  });

  it('reports a program that cannot be started, without throwing', async () => {
    const result = await runAgent(request({ command: '/nonexistent/agent-binary --flag' }));
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.stderrTail).toMatch(/could not start "\/nonexistent\/agent-binary".*ENOENT/);
  });

  it('rejects an empty command line', async () => {
    await expect(runAgent(request({ command: '   ' }))).rejects.toThrow(/needs a command line/);
  });

  it('times out and kills the agent and its grandchildren', async () => {
    const pidFile = path.join(work, 'pids-timeout.json');
    const started = Date.now();
    const result = await runAgent(
      request({ command: `${NODE} ${path.join(FIXTURES, 'group.mjs')} ${pidFile}`, timeoutMs: 500, killGraceMs: 300 }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.signal).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(10_000);
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    expect(await waitGone(pids.child)).toBe(true);
    expect(await waitGone(pids.grandchild)).toBe(true);
  });

  it('escalates to SIGKILL for agents that ignore SIGTERM', async () => {
    const pidFile = path.join(work, 'pids-kill.json');
    const result = await runAgent(
      request({
        command: `${NODE} ${path.join(FIXTURES, 'group.mjs')} ${pidFile} --ignore-term`,
        timeoutMs: 500,
        killGraceMs: 300,
      }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    expect(await waitGone(pids.child)).toBe(true);
    expect(await waitGone(pids.grandchild)).toBe(true);
  });

  it('does not leave processes the agent started running after it exits', async () => {
    const pidFile = path.join(work, 'pids-exit.json');
    const result = await runAgent(request({ command: `${NODE} ${path.join(FIXTURES, 'group.mjs')} ${pidFile} --exit`, killGraceMs: 300 }));
    expect(result.ok).toBe(true);
    expect(result.timedOut).toBe(false);
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    expect(await waitGone(pids.grandchild)).toBe(true);
  });
});

describe('claude adapter', () => {
  it('builds a read-only argv that cannot edit or run commands', () => {
    expect(claudeArgv({ mode: 'read-only', args: [] })).toEqual([
      '-p',
      '--tools',
      'Read,Grep,Glob',
      '--allowedTools',
      'Read,Grep,Glob',
      '--disallowedTools',
      'Bash,Edit,Write,NotebookEdit',
      '--permission-mode',
      'dontAsk',
      '--output-format',
      'json',
    ]);
  });

  it('builds a write argv that may edit and run tests, with the model and agent-args last', () => {
    expect(claudeArgv({ mode: 'write', model: 'claude-sonnet-4-5', args: ['--append-system-prompt', 'Be brief.'] })).toEqual([
      '-p',
      '--allowedTools',
      'Read,Grep,Glob,Edit,Write,NotebookEdit,Bash',
      '--permission-mode',
      'acceptEdits',
      '--output-format',
      'json',
      '--model',
      'claude-sonnet-4-5',
      '--append-system-prompt',
      'Be brief.',
    ]);
  });

  it('never puts the prompt on the command line, and never skips permissions', async () => {
    // claudeArgv never sees the prompt, so the argv the real process gets (runAgent) is what can leak it.
    const bin = mkdtempSync(path.join(work, 'bin-'));
    writeFileSync(path.join(bin, 'claude'), `#!/bin/sh\nexec "${NODE}" "${path.join(FIXTURES, 'fake-claude.mjs')}" "$@"\n`);
    chmodSync(path.join(bin, 'claude'), 0o755);
    const prompt = 'Implement issue #7: PROMPT-MARKER-5f3a';
    for (const mode of ['read-only', 'write'] as const) {
      const result = await runAgent(
        request({
          agent: 'claude',
          command: undefined,
          mode,
          prompt,
          env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: work },
        }),
      );
      expect(result.ok, result.stderrTail).toBe(true);
      const seen = JSON.parse(result.finalMessage) as { argv: string[]; stdin: string };
      expect(seen.stdin).toBe(prompt);
      expect(
        seen.argv.some((a) => a.includes('PROMPT-MARKER')),
        seen.argv.join(' '),
      ).toBe(false);
      expect(seen.argv).toEqual(claudeArgv({ mode, args: [] }));
      expect(seen.argv).not.toContain('--dangerously-skip-permissions');
      expect(seen.argv.some((a) => a.startsWith('bypass'))).toBe(false);
    }
  });

  it('parses the result, cost, tokens and turns from --output-format json', () => {
    const out = parseClaudeOutput(
      JSON.stringify({
        type: 'result',
        subtype: 'success',
        is_error: false,
        num_turns: 4,
        result: '  The plan.  ',
        total_cost_usd: 0.5,
        usage: { input_tokens: 10, output_tokens: 20 },
      }),
    );
    expect(out).toEqual({
      finalMessage: 'The plan.',
      isError: false,
      usage: { costUsd: 0.5, inputTokens: 10, outputTokens: 20, turns: 4 },
    });
  });

  it('falls back to raw stdout when the output is not JSON, and reports error results', () => {
    expect(parseClaudeOutput('not json\n')).toEqual({ finalMessage: 'not json', isError: false });
    const err = parseClaudeOutput(
      JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: true, errors: ['Reached maximum number of turns (3)'] }),
    );
    expect(err.isError).toBe(true);
    expect(err.finalMessage).toBe('Reached maximum number of turns (3)');
  });

  it('runs `claude` from PATH with the prompt on stdin and only claude credentials', async () => {
    const bin = mkdtempSync(path.join(work, 'bin-'));
    const claude = path.join(bin, 'claude');
    writeFileSync(claude, `#!/bin/sh\nexec "${NODE}" "${path.join(FIXTURES, 'fake-claude.mjs')}" "$@"\n`);
    chmodSync(claude, 0o755);
    const env = {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: work,
      ...TOKENS,
      ANTHROPIC_API_KEY: 'sk-ant-MODELkey',
    };
    const chunks: string[] = [];
    const result = await runAgent(
      request({
        agent: 'claude',
        command: undefined,
        mode: 'read-only',
        model: 'opus',
        env,
        prompt: 'Plan #3',
        onOutput: (c) => chunks.push(c),
      }),
    );
    expect(result.ok).toBe(true);
    expect(result.usage).toEqual({ costUsd: 0.0123, inputTokens: 100, outputTokens: 50, turns: 3 });
    const seen = JSON.parse(result.finalMessage) as { argv: string[]; stdin: string; env: Record<string, string> };
    expect(seen.argv).toEqual(claudeArgv({ mode: 'read-only', model: 'opus', args: [] }));
    expect(seen.stdin).toBe('Plan #3');
    expect(seen.env.ANTHROPIC_API_KEY).toBe('sk-ant-MODELkey');
    for (const [name, value] of Object.entries(TOKENS)) {
      if (name === 'AWS_SECRET_ACCESS_KEY') continue; // claude may use Bedrock credentials
      expect(result.finalMessage, name).not.toContain(name);
      expect(result.finalMessage, name).not.toContain(value);
    }
    expect(chunks.join('')).toContain('fake claude: thinking');

    const failed = await runAgent(request({ agent: 'claude', mode: 'write', model: 'error-model', env, prompt: 'x' }));
    expect(failed.exitCode).toBe(0);
    expect(failed.ok).toBe(false);
    expect(failed.finalMessage).toBe('model exploded');
  });

  it('says so when claude is not installed', async () => {
    const result = await runAgent(request({ agent: 'claude', env: { PATH: path.join(work, 'empty-path'), HOME: work } }));
    expect(result.ok).toBe(false);
    expect(result.stderrTail).toMatch(/could not start "claude".*installed and on PATH/);
  });
});

describe('commandArgv', () => {
  it('splits on any whitespace', () => {
    expect(commandArgv(' node\tagent.js  --fast\n', ['-x'])).toEqual({ file: 'node', args: ['agent.js', '--fast', '-x'] });
  });
});
