// The codex, gemini and opencode adapters: the argv per mode and model, the output parsers on
// realistic output, the credentials each CLI gets, and runAgent with stand-ins for the real CLIs.
// (agent-cli-help.test.ts checks the same argv against the real CLIs.)
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codexArgv, codexHome, parseCodexOutput } from '../../src/agent/codex.js';
import { agentEnv } from '../../src/agent/env.js';
import { GEMINI_READ_ONLY_POLICY, GEMINI_READ_ONLY_TOOLS, geminiArgv, parseGeminiOutput } from '../../src/agent/gemini.js';
import { opencodeArgv, opencodeConfig, opencodeEnv, parseOpencodeOutput } from '../../src/agent/opencode.js';
import { type AgentRunRequest, CLI_ADAPTERS, runAgent } from '../../src/agent/runner.js';
import { createSandbox, removeSandbox } from '../../src/agent/sandbox.js';
import { AGENTS } from '../../src/core/config.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'agents');
const NODE = process.execPath;
const work = mkdtempSync(path.join(tmpdir(), 'agentloop-adapters-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('codexArgv', () => {
  it('read-only: exec in the read-only sandbox, JSON events, prompt from stdin', () => {
    expect(codexArgv({ mode: 'read-only', args: [] })).toEqual([
      'exec',
      '--sandbox',
      'read-only',
      '--skip-git-repo-check',
      '--ephemeral',
      '--json',
    ]);
  });

  it('write: the workspace-write sandbox, the model, then agent-args (no prompt argument: stdin)', () => {
    expect(codexArgv({ mode: 'write', model: ' gpt-5-codex ', args: ['-c', 'model_reasoning_effort=high'] })).toEqual([
      'exec',
      '--sandbox',
      'workspace-write',
      '--skip-git-repo-check',
      '--ephemeral',
      '--json',
      '--model',
      'gpt-5-codex',
      '-c',
      'model_reasoning_effort=high',
    ]);
  });

  it('never bypasses the sandbox', () => {
    for (const mode of ['read-only', 'write'] as const) {
      const argv = codexArgv({ mode, model: 'm', args: [] }).join(' ');
      expect(argv).not.toMatch(/danger|bypass|full-auto/);
    }
  });
});

describe('parseCodexOutput', () => {
  // Shaped like `codex exec --json` 0.169 (codex-rs/exec/src/exec_events.rs).
  const events = [
    { type: 'thread.started', thread_id: '0199a213-81c0-7800-8aa1-bbab2a035a53' },
    { type: 'turn.started' },
    { type: 'error', message: 'Reconnecting... 1/5 (stream disconnected before completion)' },
    { type: 'item.completed', item: { id: 'item_0', type: 'reasoning', text: '**Scanning the repository**' } },
    {
      type: 'item.started',
      item: {
        id: 'item_1',
        type: 'command_execution',
        command: 'bash -lc ls',
        aggregated_output: '',
        exit_code: null,
        status: 'in_progress',
      },
    },
    {
      type: 'item.completed',
      item: {
        id: 'item_1',
        type: 'command_execution',
        command: 'bash -lc ls',
        aggregated_output: 'README.md\nsrc\n',
        exit_code: 0,
        status: 'completed',
      },
    },
    { type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: 'I will look at src first.' } },
    {
      type: 'item.completed',
      item: { id: 'item_3', type: 'file_change', changes: [{ path: 'src/a.ts', kind: 'update' }], status: 'completed' },
    },
    { type: 'item.completed', item: { id: 'item_4', type: 'agent_message', text: '  Fixed the parser; tests pass.\n' } },
    { type: 'turn.completed', usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 } },
  ];
  const jsonl = (list: unknown[]): string => `${list.map((e) => JSON.stringify(e)).join('\n')}\n`;

  it('takes the last agent message and the token totals', () => {
    expect(parseCodexOutput(jsonl(events))).toEqual({
      finalMessage: 'Fixed the parser; tests pass.',
      isError: false,
      usage: { inputTokens: 24763, outputTokens: 122 },
    });
  });

  it('reports a failed turn with its message, even after earlier messages', () => {
    const out = parseCodexOutput(
      jsonl([...events.slice(0, 7), { type: 'turn.failed', error: { message: 'stream error: 401 Unauthorized' } }]),
    );
    expect(out).toEqual({ finalMessage: 'stream error: 401 Unauthorized', isError: true });
  });

  it('does not count reconnect errors as a failure, and keeps the last one when nothing else came', () => {
    const out = parseCodexOutput(jsonl(events.slice(0, 3)));
    expect(out).toEqual({ finalMessage: 'Reconnecting... 1/5 (stream disconnected before completion)', isError: false });
  });

  it('skips a cut first line and log lines; falls back to raw stdout without events', () => {
    const cut = `_output":"partial"}}\n${jsonl(events)}`;
    expect(parseCodexOutput(cut).finalMessage).toBe('Fixed the parser; tests pass.');
    expect(parseCodexOutput('Reading prompt from stdin...\nplain text answer\n')).toEqual({
      finalMessage: 'Reading prompt from stdin...\nplain text answer',
      isError: false,
    });
  });
});

describe('codexHome', () => {
  it('the maintainer’s CODEX_HOME is a template: its config.toml and auth.json go to the agent’s own codex home', async () => {
    const from = mkdtempSync(path.join(work, 'codex-home-'));
    writeFileSync(path.join(from, 'config.toml'), 'model_provider = "local"\n');
    writeFileSync(path.join(from, 'history.jsonl'), 'not copied');
    expect(await codexHome({ CODEX_HOME: from }, '/agent/home')).toEqual({
      files: { '.codex/config.toml': 'model_provider = "local"\n' },
      env: { CODEX_HOME: '/agent/home/.codex' },
    });
    writeFileSync(path.join(from, 'auth.json'), '{"OPENAI_API_KEY":null}');
    expect(Object.keys((await codexHome({ CODEX_HOME: from }, '/h')).files)).toEqual(['.codex/config.toml', '.codex/auth.json']);
    // Without one, codex uses <HOME>/.codex, which is the agent's already.
    expect(await codexHome({}, '/h')).toEqual({ files: {}, env: {} });
  });
});

describe('geminiArgv', () => {
  it('read-only: default approval (headless: no edits, no shell) plus the admin policy file', () => {
    expect(geminiArgv({ mode: 'read-only', args: [], policyFile: '/tmp/p.toml' })).toEqual([
      '--skip-trust',
      '--approval-mode',
      'default',
      '--admin-policy',
      '/tmp/p.toml',
      '--output-format',
      'json',
    ]);
  });

  it('refuses a read-only argv without the policy file', () => {
    expect(() => geminiArgv({ mode: 'read-only', args: [] })).toThrow(/policy/);
  });

  it('write: yolo, the model, then agent-args; never -p (it would add to the prompt)', () => {
    const argv = geminiArgv({ mode: 'write', model: 'gemini-2.5-pro', args: ['--include-directories', '../lib'] });
    expect(argv).toEqual([
      '--skip-trust',
      '--approval-mode',
      'yolo',
      '--output-format',
      'json',
      '--model',
      'gemini-2.5-pro',
      '--include-directories',
      '../lib',
    ]);
    expect(argv).not.toContain('-p');
    expect(argv).not.toContain('--prompt');
  });

  it('the read-only policy denies every tool, then allows only reading tools, more strongly', () => {
    const rules = GEMINI_READ_ONLY_POLICY.split('[[rule]]').slice(1);
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatch(/toolName = "\*"\s+decision = "deny"\s+priority = 900/);
    expect(rules[1]).toMatch(/decision = "allow"\s+priority = 950/);
    for (const tool of GEMINI_READ_ONLY_TOOLS) expect(rules[1]).toContain(`"${tool}"`);
    expect(GEMINI_READ_ONLY_TOOLS.join()).not.toMatch(/shell|write|replace|edit|plan|web/);
  });
});

describe('parseGeminiOutput', () => {
  // Shaped like `gemini --output-format json` 0.61 (JsonFormatter: session_id, response, stats).
  const result = {
    session_id: 'b3a1f0a4-5c1e-4b53-9a44-2f6f0c4f3d10',
    response: '## Plan\n\n1. Change the parser.\n',
    stats: {
      models: {
        'gemini-2.5-pro': {
          api: { totalRequests: 3, totalErrors: 0, totalLatencyMs: 10234 },
          tokens: { input: 9000, prompt: 12000, candidates: 800, total: 13100, cached: 3000, thoughts: 300, tool: 0 },
        },
        'gemini-2.5-flash-lite': {
          api: { totalRequests: 1, totalErrors: 0, totalLatencyMs: 400 },
          tokens: { input: 500, prompt: 500, candidates: 20, total: 520, cached: 0, thoughts: 0, tool: 0 },
        },
      },
      tools: { totalCalls: 4, totalSuccess: 4, totalFail: 0, totalDurationMs: 120, byName: {} },
      files: { totalLinesAdded: 0, totalLinesRemoved: 0 },
    },
  };

  it('takes the response and sums tokens and requests over the models', () => {
    const stdout = `Loaded cached credentials.\n${JSON.stringify(result, null, 2)}\n`;
    expect(parseGeminiOutput(stdout)).toEqual({
      finalMessage: '## Plan\n\n1. Change the parser.',
      isError: false,
      usage: { inputTokens: 12500, outputTokens: 820, turns: 4 },
    });
  });

  it('reports an error object', () => {
    const stdout = JSON.stringify(
      { session_id: 'x', error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns', code: 53 } },
      null,
      2,
    );
    expect(parseGeminiOutput(stdout)).toEqual({ finalMessage: 'Reached max session turns', isError: true });
  });

  it('reads a failure from stderr, where gemini prints it (the real missing-credentials error)', () => {
    const stderr = [
      'YOLO mode is enabled. All tool calls will be automatically approved.',
      JSON.stringify(
        {
          session_id: 'f79d03be-900e-457c-9bda-fb24b31cf293',
          error: {
            type: 'Error',
            message:
              'Please set an Auth method in your /home/runner/.gemini/settings.json or specify one of the following environment variables before running: GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GENAI_USE_GCA',
            code: 41,
          },
        },
        null,
        2,
      ),
    ].join('\n');
    const out = parseGeminiOutput('', 60_000, stderr);
    expect(out.isError).toBe(true);
    expect(out.finalMessage).toMatch(/^Please set an Auth method/);
    // A result on stdout wins over anything on stderr.
    expect(parseGeminiOutput(JSON.stringify({ response: 'ok' }), 60_000, stderr)).toEqual({ finalMessage: 'ok', isError: false });
  });

  it('falls back to raw stdout when it is not gemini JSON', () => {
    expect(parseGeminiOutput('plain answer\n')).toEqual({ finalMessage: 'plain answer', isError: false });
    expect(parseGeminiOutput('{"unrelated": true}')).toEqual({ finalMessage: '{"unrelated": true}', isError: false });
  });
});

describe('opencodeArgv and its configuration', () => {
  it('read-only: run without external plugins, with the plan agent and JSON events', () => {
    expect(opencodeArgv({ mode: 'read-only', args: [] })).toEqual(['run', '--pure', '--agent', 'plan', '--format', 'json']);
  });

  it('write: run with the build agent, the provider/model, then agent-args; never --auto', () => {
    const argv = opencodeArgv({ mode: 'write', model: 'anthropic/claude-sonnet-4-5', args: ['--variant', 'high'] });
    expect(argv).toEqual([
      'run',
      '--pure',
      '--agent',
      'build',
      '--format',
      'json',
      '--model',
      'anthropic/claude-sonnet-4-5',
      '--variant',
      'high',
    ]);
    expect(argv).not.toContain('--auto');
  });

  it('refuses a model without a provider, naming the expected form', () => {
    expect(() => opencodeArgv({ mode: 'write', model: 'claude-sonnet-4-5', args: [] })).toThrow(/provider\/model.*"claude-sonnet-4-5"/);
  });

  it('read-only config denies edit and bash globally and for the plan agent; both modes disable sharing', () => {
    expect(opencodeConfig('read-only')).toEqual({
      share: 'disabled',
      autoupdate: false,
      permission: { edit: 'deny', bash: 'deny' },
      agent: { plan: { permission: { edit: 'deny', bash: 'deny' } } },
    });
    expect(opencodeConfig('write')).toEqual({ share: 'disabled', autoupdate: false });
    expect(JSON.parse(opencodeEnv('read-only').OPENCODE_CONFIG_CONTENT!)).toEqual(opencodeConfig('read-only'));
  });

  it('merges agentloop’s config over the maintainer’s OPENCODE_CONFIG_CONTENT (a provider endpoint stays, agentloop’s rules win)', () => {
    const theirs = { provider: { anthropic: { options: { baseURL: 'http://gw/v1' } } }, permission: 'allow', share: 'auto' };
    const env = opencodeEnv('read-only', { OPENCODE_CONFIG_CONTENT: JSON.stringify(theirs) });
    expect(JSON.parse(env.OPENCODE_CONFIG_CONTENT!)).toEqual({ ...opencodeConfig('read-only'), provider: theirs.provider });
    expect(env.OPENCODE_DISABLE_LSP_DOWNLOAD).toBe('1');
    expect(() => opencodeEnv('write', { OPENCODE_CONFIG_CONTENT: '{"a":' })).toThrow(/OPENCODE_CONFIG_CONTENT is not valid JSON/);
    expect(() => opencodeEnv('write', { OPENCODE_CONFIG_CONTENT: '[]' })).toThrow(/must be a JSON object/);
  });
});

describe('parseOpencodeOutput', () => {
  // Shaped like `opencode run --format json` 1.18 (one event per line: {type, timestamp, sessionID, part|error}).
  const base = { timestamp: 1795250896419, sessionID: 'ses_e02b6455cffeCxrS6Kpc6ZNXP4' };
  const events = [
    { ...base, type: 'step_start', part: { id: 'prt_1', type: 'step-start', snapshot: 'abc' } },
    { ...base, type: 'text', part: { id: 'prt_2', type: 'text', text: 'Let me read the parser.', time: { start: 1, end: 2 } } },
    {
      ...base,
      type: 'tool_use',
      part: { id: 'prt_3', type: 'tool', tool: 'read', state: { status: 'completed', input: { filePath: 'src/a.ts' }, output: '…' } },
    },
    {
      ...base,
      type: 'step_finish',
      part: {
        id: 'prt_4',
        type: 'step-finish',
        reason: 'tool-calls',
        cost: 0.0123,
        tokens: { input: 1000, output: 50, reasoning: 10, cache: { read: 200, write: 0 } },
      },
    },
    { ...base, type: 'step_start', part: { id: 'prt_5', type: 'step-start' } },
    { ...base, type: 'text', part: { id: 'prt_6', type: 'text', text: 'The plan:', time: { start: 3, end: 4 } } },
    { ...base, type: 'text', part: { id: 'prt_6', type: 'text', text: 'The plan:', time: { start: 3, end: 4 } } },
    { ...base, type: 'text', part: { id: 'prt_7', type: 'text', text: '1. Fix it.\n', time: { start: 5, end: 6 } } },
    {
      ...base,
      type: 'step_finish',
      part: {
        id: 'prt_8',
        type: 'step-finish',
        reason: 'stop',
        cost: 0.0077,
        tokens: { input: 1200, output: 80, reasoning: 0, cache: { read: 900, write: 0 } },
      },
    },
  ];
  const jsonl = (list: unknown[]): string => `${list.map((e) => JSON.stringify(e)).join('\n')}\n`;

  it('takes the text of the last step that had text, and sums cost, tokens and steps', () => {
    const out = parseOpencodeOutput(jsonl(events));
    expect(out.finalMessage).toBe('The plan:\n\n1. Fix it.');
    expect(out.isError).toBe(false);
    expect(out.usage?.costUsd).toBeCloseTo(0.02);
    expect(out.usage).toMatchObject({ inputTokens: 2200, outputTokens: 140, turns: 2 });
  });

  it('keeps the last text when the final step has none', () => {
    const out = parseOpencodeOutput(
      jsonl([
        ...events,
        { ...base, type: 'step_start', part: { type: 'step-start' } },
        { ...base, type: 'step_finish', part: { type: 'step-finish', cost: 0, tokens: { input: 1, output: 0 } } },
      ]),
    );
    expect(out.finalMessage).toBe('The plan:\n\n1. Fix it.');
  });

  it('reports an error event (the real offline failure)', () => {
    const offline =
      '{"type":"error","timestamp":1795250896419,"sessionID":"ses_e02b6455cffeCxrS6Kpc6ZNXP4","error":{"name":"APIError","data":{"message":"Cannot connect to API: Unable to connect. Is the computer able to access the url?","isRetryable":true,"metadata":{"url":"https://opencode.ai/zen/v1/chat/completions"}}}}\n';
    expect(parseOpencodeOutput(offline)).toEqual({
      finalMessage: 'Cannot connect to API: Unable to connect. Is the computer able to access the url?',
      isError: true,
    });
  });

  it('names the model API’s HTTP status of an error event (opencode 1.18 on a 401)', () => {
    const refused =
      '{"type":"error","timestamp":1796049634800,"sessionID":"ses_dd3197edcffeGQx8OW8dj6PA3P","error":{"name":"APIError","data":{"message":"invalid x-api-key","statusCode":401,"isRetryable":false,"metadata":{"url":"http://127.0.0.1:38647/v1/messages"}}}}\n';
    expect(parseOpencodeOutput(refused)).toEqual({ finalMessage: 'invalid x-api-key (HTTP 401)', isError: true });
  });

  it('falls back to raw stdout without events', () => {
    expect(parseOpencodeOutput('plain\n')).toEqual({ finalMessage: 'plain', isError: false });
  });
});

describe('agentEnv: each CLI gets its own credentials', () => {
  const SAFE = { PATH: '/usr/bin:/bin', HOME: '/home/runner' };
  const ALL = {
    ...SAFE,
    ANTHROPIC_API_KEY: 'a',
    OPENAI_API_KEY: 'o',
    CODEX_API_KEY: 'c',
    GEMINI_API_KEY: 'g',
    GOOGLE_API_KEY: 'k',
    GOOGLE_GENAI_USE_VERTEXAI: 'true',
    GOOGLE_CLOUD_ACCESS_TOKEN: 'ya29',
    OPENROUTER_API_KEY: 'r',
    OPENCODE_AUTH_CONTENT: '{}',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GITHUB_TOKEN: 'ghs_x',
    INPUT_TOKEN: 'ghs_y',
    OPENCODE_CONFIG_CONTENT: '{"permission":"allow"}',
  };
  const keys = (agent: (typeof AGENTS)[number]): string[] =>
    Object.keys(agentEnv(ALL, agent))
      .filter((k) => !(k in SAFE) && k !== 'CI' && k !== 'GIT_TERMINAL_PROMPT')
      .sort();

  it('codex: OpenAI keys only', () => {
    expect(keys('codex')).toEqual(['CODEX_API_KEY', 'OPENAI_API_KEY']);
  });
  it('gemini: Gemini and Google keys only (an access token included)', () => {
    expect(keys('gemini')).toEqual(['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_CLOUD_ACCESS_TOKEN', 'GOOGLE_GENAI_USE_VERTEXAI']);
  });
  it('opencode: the provider keys it reads, and its auth content; never a parent OPENCODE_CONFIG_CONTENT', () => {
    expect(keys('opencode')).toEqual([
      'ANTHROPIC_API_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'GEMINI_API_KEY',
      'OPENAI_API_KEY',
      'OPENCODE_AUTH_CONTENT',
      'OPENROUTER_API_KEY',
    ]);
  });
  it.each(AGENTS)('%s never gets the forge token', (agent) => {
    const env = agentEnv(ALL, agent);
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('INPUT_TOKEN');
  });
});

describe('runAgent with the CLI adapters', () => {
  let n = 0;
  function setup(cli: 'codex' | 'gemini' | 'opencode'): { env: NodeJS.ProcessEnv; cwd: string; tempDir: string } {
    n += 1;
    const bin = mkdtempSync(path.join(work, `bin-${n}-`));
    writeFileSync(path.join(bin, cli), `#!/bin/sh\nexec "${NODE}" "${path.join(FIXTURES, 'fake-cli.mjs')}" ${cli} "$@"\n`);
    chmodSync(path.join(bin, cli), 0o755);
    return {
      env: {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: work,
        GITHUB_TOKEN: 'ghs_FORGEtokenVALUE',
        OPENAI_API_KEY: 'sk-openai',
        GEMINI_API_KEY: 'gem-key',
        ANTHROPIC_API_KEY: 'sk-ant',
      },
      cwd: mkdtempSync(path.join(work, `ws-${n}-`)),
      tempDir: path.join(work, `tmp-${n}`),
    };
  }
  function request(agent: 'codex' | 'gemini' | 'opencode', over: Partial<AgentRunRequest>): AgentRunRequest {
    return {
      agent,
      args: [],
      mode: 'write',
      prompt: 'Implement issue #7.',
      timeoutMs: 30_000,
      ...setup(agent),
      ...over,
    } as AgentRunRequest;
  }
  interface Seen {
    argv: string[];
    stdin: string;
    env: Record<string, string>;
    policy: { path: string; mode: number; content: string } | null;
  }

  it('codex: argv from the adapter, prompt on stdin, OpenAI key but no forge token, usage', async () => {
    const req = request('codex', { mode: 'read-only', model: 'gpt-5-codex' });
    const result = await runAgent(req);
    expect(result.ok).toBe(true);
    expect(result.usage).toEqual({ inputTokens: 1200, outputTokens: 300 });
    const seen = JSON.parse(result.finalMessage) as Seen;
    expect(seen.argv).toEqual(codexArgv({ mode: 'read-only', model: 'gpt-5-codex', args: [] }));
    expect(seen.stdin).toBe('Implement issue #7.');
    expect(seen.env.OPENAI_API_KEY).toBe('sk-openai');
    expect(seen.env).not.toHaveProperty('GITHUB_TOKEN');
    expect(seen.env).not.toHaveProperty('GEMINI_API_KEY');
    expect(result.finalMessage).not.toContain('ghs_FORGEtokenVALUE');

    const failed = await runAgent(request('codex', { model: 'error-model' }));
    expect(failed.exitCode).toBe(0);
    expect(failed.ok).toBe(false);
    expect(failed.finalMessage).toBe('model exploded');
  });

  it('codex in a sandbox: its own CODEX_HOME in the agent’s home, seeded 0600 from the maintainer’s', async () => {
    const from = mkdtempSync(path.join(work, 'codex-home-'));
    writeFileSync(path.join(from, 'config.toml'), 'model_provider = "local"\n');
    const sandbox = await createSandbox({ kind: 'same-user' });
    try {
      const req = request('codex', { sandbox });
      const result = await runAgent({ ...req, cwd: sandbox.dir, env: { ...req.env, CODEX_HOME: from } });
      expect(result.ok).toBe(true);
      const seen = JSON.parse(result.finalMessage) as Seen;
      const own = path.join(sandbox.home, '.codex');
      expect(seen.env.CODEX_HOME).toBe(own);
      expect(readFileSync(path.join(own, 'config.toml'), 'utf8')).toBe('model_provider = "local"\n');
      expect(statSync(path.join(own, 'config.toml')).mode & 0o777).toBe(0o600);
    } finally {
      await removeSandbox(sandbox);
    }
  });

  it('gemini read-only: writes the policy file 0600 next to the prompt, passes its path, removes both after', async () => {
    const req = request('gemini', { mode: 'read-only', model: 'gemini-2.5-pro' });
    const result = await runAgent(req);
    expect(result.ok).toBe(true);
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 40, turns: 2 });
    const seen = JSON.parse(result.finalMessage) as Seen;
    expect(seen.policy).not.toBeNull();
    expect(seen.policy!.content).toBe(GEMINI_READ_ONLY_POLICY);
    expect(seen.policy!.mode).toBe(0o600);
    expect(path.dirname(seen.policy!.path)).toBe(path.resolve(req.tempDir));
    expect(seen.argv).toEqual(geminiArgv({ mode: 'read-only', model: 'gemini-2.5-pro', args: [], policyFile: seen.policy!.path }));
    expect(seen.env.GEMINI_API_KEY).toBe('gem-key');
    expect(seen.env).not.toHaveProperty('OPENAI_API_KEY');
    expect(readdirSync(req.tempDir)).toEqual([]);
    expect(existsSync(seen.policy!.path)).toBe(false);

    const write = await runAgent(request('gemini', { mode: 'write' }));
    expect((JSON.parse(write.finalMessage) as Seen).policy).toBeNull();
    const failed = await runAgent(request('gemini', { model: 'error-model' }));
    expect(failed.ok).toBe(false);
    expect(failed.finalMessage).toBe('model exploded');
  });

  it('opencode: agentloop’s inline config wins over the caller’s extraEnv; usage with cost', async () => {
    const req = request('opencode', {
      mode: 'read-only',
      model: 'anthropic/claude-sonnet-4-5',
      extraEnv: { OPENCODE_CONFIG_CONTENT: '{"permission":"allow"}', AGENTLOOP_TRANSITION: 'plan' },
    });
    const result = await runAgent(req);
    expect(result.ok).toBe(true);
    expect(result.usage?.costUsd).toBeCloseTo(0.03);
    expect(result.usage).toMatchObject({ inputTokens: 120, outputTokens: 35, turns: 2 });
    const seen = JSON.parse(result.finalMessage) as Seen;
    expect(seen.argv).toEqual(opencodeArgv({ mode: 'read-only', model: 'anthropic/claude-sonnet-4-5', args: [] }));
    expect(JSON.parse(seen.env.OPENCODE_CONFIG_CONTENT!)).toEqual(opencodeConfig('read-only'));
    expect(seen.env.AGENTLOOP_TRANSITION).toBe('plan');
    expect(seen.env.ANTHROPIC_API_KEY).toBe('sk-ant');

    const failed = await runAgent(request('opencode', { model: 'x/error-model' }));
    expect(failed.ok).toBe(false);
    expect(failed.finalMessage).toBe('model exploded');
  });

  it('rejects a bad opencode model before writing anything', async () => {
    const req = request('opencode', { model: 'sonnet' });
    await expect(runAgent(req)).rejects.toThrow(/provider\/model/);
    expect(existsSync(req.tempDir)).toBe(false);
  });

  it('says so when the CLI is not installed', async () => {
    for (const agent of ['codex', 'gemini', 'opencode'] as const) {
      const result = await runAgent(request(agent, { env: { PATH: path.join(work, 'empty-path'), HOME: work } }));
      expect(result.ok).toBe(false);
      expect(result.stderrTail).toMatch(new RegExp(`could not start "${agent}"`));
    }
  });

  it('has an adapter for every agent but command', () => {
    expect(Object.keys(CLI_ADAPTERS).sort()).toEqual(AGENTS.filter((a) => a !== 'command').sort());
  });
});
