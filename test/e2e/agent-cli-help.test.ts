// Contract tests against the real coding-agent CLIs (dev dependencies), offline: every flag an adapter
// can emit must exist in the CLI's help (the subcommand's help for subcommand flags), every choice value
// it passes must be listed there, and the real CLI must accept the exact argv the adapter builds. A CLI
// that cannot run here fails these tests (none is skipped). The claude adapter keeps its own, deeper
// test in agent-claude-cli.test.ts; its flags are checked here too so the four CLIs share one contract.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_CHOICES_USED, CLAUDE_FLAGS_USED } from '../../src/agent/claude.js';
import { CODEX_CHOICES_USED, CODEX_FLAGS_USED, CODEX_SUBCOMMAND, codexArgv } from '../../src/agent/codex.js';
import { GEMINI_CHOICES_USED, GEMINI_FLAGS_USED, GEMINI_READ_ONLY_POLICY, geminiArgv } from '../../src/agent/gemini.js';
import {
  OPENCODE_AGENTS,
  OPENCODE_CHOICES_USED,
  OPENCODE_FLAGS_USED,
  OPENCODE_SUBCOMMAND,
  opencodeArgv,
  opencodeEnv,
} from '../../src/agent/opencode.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');

/**
 * The CLI's executable in node_modules. opencode-ai's bin is a small placeholder that its install script
 * replaces with the platform package's binary; if the install scripts did not run, use that binary
 * directly (the baseline build runs on any x64 CPU).
 */
function bin(name: string): string {
  const linked = path.join(NODE_MODULES, '.bin', name);
  if (name !== 'opencode' || (existsSync(linked) && statSync(linked).size > 1_000_000)) return linked;
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const candidates = [`opencode-${os}-${process.arch}-baseline`, `opencode-${os}-${process.arch}`];
  const found = candidates.map((p) => path.join(NODE_MODULES, p, 'bin', 'opencode')).find((f) => existsSync(f));
  return found ?? linked;
}
const work = mkdtempSync(path.join(tmpdir(), 'agentloop-cli-help-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CLI_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  out: string;
}

let homes = 0;
/**
 * Run a real CLI with a fresh throwaway HOME, in an empty workspace, without credentials (unless given)
 * and with update checks and telemetry off; stdin gets `input` and is closed.
 */
function run(cli: string, args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  homes += 1;
  const home = path.join(work, `home-${homes}`);
  const cwd = opts.cwd ?? path.join(work, `ws-${homes}`);
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  return new Promise((resolve) => {
    const child = execFile(
      bin(cli),
      args,
      {
        cwd,
        timeout: CLI_TIMEOUT_MS - 5_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          CI: 'true',
          NO_COLOR: '1',
          OPENCODE_DISABLE_AUTOUPDATE: '1',
          OPENCODE_DISABLE_MODELS_FETCH: '1',
          GEMINI_TELEMETRY_ENABLED: 'false',
          ...opts.env,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `flag` as an option token in help text (so `--model` does not match `--model-foo`, nor `--mode` `--model`). */
const flagIn = (help: string, flag: string): boolean => new RegExp(`(?<![\\w-])${escapeRegExp(flag)}(?=[\\s,=<\\[]|$)`, 'm').test(help);

/**
 * The help text of option `flag`: its line and the lines after it, up to the next option line. The four
 * CLIs list choices differently (`(choices: "a", "b")`, `[choices: "a", "b"]`, `[possible values: a, b]`,
 * one per line); all of them are inside this section.
 */
function optionSection(help: string, flag: string): string {
  const lines = help.split('\n');
  const optionLine = (l: string): boolean => /^\s{0,8}-{1,2}[A-Za-z]/.test(l); // not a wrapped description line
  const start = lines.findIndex((l) => optionLine(l) && flagIn(l, flag));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && optionLine(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}
const choiceIn = (section: string, value: string): boolean => new RegExp(`(?<![\\w-])"?${escapeRegExp(value)}"?(?![\\w-])`).test(section);

interface Contract {
  cli: string;
  /** The help that lists the flags (subcommand help for subcommand flags). */
  helpArgs: string[];
  flags: readonly string[];
  choices: Readonly<Record<string, readonly string[]>>;
  /** A flag that does not exist in this help, to prove the check can fail. */
  absent: string;
  /** A choice value the CLI does not accept. */
  absentChoice: [string, string];
  usage: RegExp;
}

const CONTRACTS: Contract[] = [
  {
    cli: 'claude',
    helpArgs: ['--help'],
    flags: CLAUDE_FLAGS_USED,
    choices: CLAUDE_CHOICES_USED,
    absent: '--max-turns',
    absentChoice: ['--permission-mode', 'readOnly'],
    usage: /Usage: claude/,
  },
  {
    cli: 'codex',
    helpArgs: [CODEX_SUBCOMMAND, '--help'],
    flags: CODEX_FLAGS_USED,
    choices: CODEX_CHOICES_USED,
    absent: '--full-auto',
    absentChoice: ['--sandbox', 'workspace-read'],
    usage: /Usage: codex exec/,
  },
  {
    cli: 'gemini',
    helpArgs: ['--help'],
    flags: GEMINI_FLAGS_USED,
    choices: GEMINI_CHOICES_USED,
    absent: '--max-turns',
    absentChoice: ['--approval-mode', 'readonly'],
    usage: /Usage: gemini/,
  },
  {
    cli: 'opencode',
    helpArgs: [OPENCODE_SUBCOMMAND, '--help'],
    flags: OPENCODE_FLAGS_USED,
    choices: OPENCODE_CHOICES_USED,
    absent: '--read-only',
    absentChoice: ['--format', 'jsonl'],
    usage: /opencode run \[message\.\.\]/,
  },
];

const helps = new Map<string, string>();
beforeAll(async () => {
  const runs = await Promise.all(CONTRACTS.map((c) => run(c.cli, c.helpArgs)));
  for (const [i, c] of CONTRACTS.entries()) {
    const { code, out } = runs[i]!;
    helps.set(c.cli, code === 0 ? out : `(exit ${code}) ${out}`);
  }
}, CLI_TIMEOUT_MS);

describe.each(CONTRACTS)('$cli CLI contract (offline)', (c) => {
  const help = (): string => helps.get(c.cli) ?? '';

  it(`runs \`${c.cli} ${c.helpArgs.join(' ')}\` offline and prints a help text`, () => {
    expect(help(), `${c.cli} ${c.helpArgs.join(' ')} did not run here`).toMatch(c.usage);
  });

  it.each([...c.flags])('the help lists %s', (flag) => {
    expect(flagIn(help(), flag)).toBe(true);
  });

  it.each(Object.entries(c.choices).flatMap(([flag, values]) => values.map((v) => [flag, v] as const)))(
    'the help lists %s choice %s',
    (flag, value) => {
      const section = optionSection(help(), flag);
      expect(section, `no help section for ${flag}`).not.toBe('');
      expect(choiceIn(section, value)).toBe(true);
    },
  );

  it('does not list a made-up flag or choice (the check can fail)', () => {
    expect(flagIn(help(), c.absent)).toBe(false);
    expect(flagIn(help(), '--frobnicate')).toBe(false);
    expect(flagIn(help(), '--mode')).toBe(false); // a prefix of --model must not count
    const [flag, value] = c.absentChoice;
    expect(optionSection(help(), flag)).not.toBe('');
    expect(choiceIn(optionSection(help(), flag), value)).toBe(false);
  });
});

describe('the subcommands the adapters run exist', () => {
  it.each([
    ['codex', CODEX_SUBCOMMAND, /^\s+exec\s+Run Codex non-interactively/m],
    ['opencode', OPENCODE_SUBCOMMAND, /^\s+opencode run \[message\.\.\]/m],
  ])(
    '%s --help lists `%s`',
    async (cli, _sub, listed) => {
      const top = await run(cli, ['--help']);
      expect(top.code, top.out).toBe(0);
      expect(top.out).toMatch(listed);
    },
    CLI_TIMEOUT_MS,
  );
});

// Each CLI parses and validates every option before it looks at its input: with empty stdin the real
// CLI stops at "no prompt" (before any model call or network), while an unknown flag or a bad choice
// fails earlier with a different message.
describe('codex accepts the argv the adapter builds (offline)', () => {
  it.each([
    ['read-only', codexArgv({ mode: 'read-only', model: 'gpt-5-codex', args: [] })],
    ['write', codexArgv({ mode: 'write', model: 'gpt-5-codex', args: [] })],
    ['write, no model', codexArgv({ mode: 'write', args: [] })],
  ])(
    'the real CLI accepts the %s argv',
    async (_name, argv) => {
      const r = await run('codex', argv);
      expect(r.out).not.toMatch(/unexpected argument|invalid value|error: /i);
      expect(r.out).toMatch(/No prompt provided via stdin/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'the real CLI rejects a bad argv (the check can fail)',
    async () => {
      expect((await run('codex', ['exec', '--frobnicate'])).out).toMatch(/unexpected argument '--frobnicate'/);
      expect((await run('codex', ['exec', '--sandbox', 'readonly'])).out).toMatch(/invalid value 'readonly'/);
    },
    CLI_TIMEOUT_MS,
  );
});

describe('gemini accepts the argv the adapter builds (offline)', () => {
  // A dummy key gets gemini past its auth check (made before it reads stdin); nothing is sent.
  const env = { GEMINI_API_KEY: 'dummy-offline-key' };
  const policy = path.join(work, 'gemini-read-only-policy.toml');
  writeFileSync(policy, GEMINI_READ_ONLY_POLICY);

  it.each([
    ['read-only', geminiArgv({ mode: 'read-only', model: 'gemini-2.5-pro', args: [], policyFile: policy })],
    ['write', geminiArgv({ mode: 'write', model: 'gemini-2.5-pro', args: [] })],
    ['write, no model', geminiArgv({ mode: 'write', args: [] })],
  ])(
    'the real CLI accepts the %s argv, trusts the workspace and loads the policy',
    async (_name, argv) => {
      const r = await run('gemini', argv, { env });
      expect(r.out).not.toMatch(/Unknown argument|Invalid values|Policy file (error|warning)/i);
      // Without --skip-trust, headless gemini stops here (and would force the approval mode to default).
      expect(r.out).not.toMatch(/not running in a trusted directory|Approval mode overridden/);
      expect(r.out).toMatch(/No input provided via stdin/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'the real CLI rejects a bad argv or a bad policy (the check can fail)',
    async () => {
      expect((await run('gemini', ['--frobnicate'], { env })).out).toMatch(/Unknown argument: frobnicate/);
      expect((await run('gemini', ['--approval-mode', 'readonly'], { env })).out).toMatch(/Invalid values/);
      const bad = path.join(work, 'bad-policy.toml');
      writeFileSync(bad, '[[rule]]\ntoolName = "*"\ndecision = "maybe"\npriority = 1\n');
      const r = await run('gemini', ['--skip-trust', '--admin-policy', bad, '--output-format', 'json'], { env });
      expect(r.out).toMatch(/Policy file error/);
      const untrusted = await run('gemini', ['--approval-mode', 'yolo', '--output-format', 'json'], { env });
      expect(untrusted.out).toMatch(/not running in a trusted directory/);
    },
    CLI_TIMEOUT_MS,
  );
});

describe('opencode accepts the argv the adapter builds (offline)', () => {
  it.each([
    ['read-only', 'read-only' as const, opencodeArgv({ mode: 'read-only', model: 'anthropic/claude-sonnet-4-5', args: [] })],
    ['write', 'write' as const, opencodeArgv({ mode: 'write', model: 'openai/gpt-5', args: [] })],
    ['write, no model', 'write' as const, opencodeArgv({ mode: 'write', args: [] })],
  ])(
    'the real CLI accepts the %s argv',
    async (_name, mode, argv) => {
      const r = await run('opencode', argv, { env: opencodeEnv(mode) });
      expect(r.out).not.toMatch(/Unknown argument|Invalid values/i);
      expect(r.out).toMatch(/You must provide a message or a command/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'the real CLI rejects a bad argv (the check can fail)',
    async () => {
      for (const argv of [
        ['run', '--frobnicate'],
        ['run', '--format', 'jsonl'],
      ]) {
        const r = await run('opencode', argv);
        expect(r.out).not.toMatch(/You must provide a message/);
        expect(r.out).toMatch(/opencode run \[message\.\.\]/); // it prints the usage instead
      }
    },
    CLI_TIMEOUT_MS,
  );

  interface Rule {
    permission: string;
    pattern: string;
    action: 'allow' | 'deny' | 'ask';
  }
  const wildcard = (pattern: string, value: string): boolean =>
    new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(value);
  /** opencode's rule: the last rule matching the permission and the pattern decides. */
  const decide = (rules: Rule[], permission: string, target: string): string =>
    [...rules].reverse().find((r) => wildcard(r.permission, permission) && wildcard(r.pattern, target))?.action ?? 'ask';

  async function agentRules(name: string, env: Record<string, string>, projectConfig?: unknown): Promise<Rule[]> {
    homes += 1;
    const cwd = path.join(work, `oc-ws-${homes}`);
    mkdirSync(cwd, { recursive: true });
    if (projectConfig) writeFileSync(path.join(cwd, 'opencode.json'), JSON.stringify(projectConfig));
    const r = await run('opencode', ['debug', 'agent', name], { env, cwd });
    expect(r.code, r.out).toBe(0);
    const start = r.out.indexOf('{');
    return (JSON.parse(r.out.slice(start, r.out.lastIndexOf('}') + 1)) as { permission: Rule[] }).permission;
  }

  // A repository's opencode.json that tries to loosen the read-only agent: the inline config wins.
  const hostile = {
    permission: { bash: 'allow', edit: { '*': 'allow' } },
    agent: { plan: { permission: { bash: { '*': 'allow' }, edit: 'allow' } } },
  };

  it(
    'read-only runs: the plan agent can read but neither edit nor run commands, whatever opencode.json says',
    async () => {
      const rules = await agentRules(OPENCODE_AGENTS['read-only'], opencodeEnv('read-only'), hostile);
      expect(decide(rules, 'read', 'src/index.ts')).toBe('allow');
      expect(decide(rules, 'bash', 'rm -rf .')).toBe('deny');
      expect(decide(rules, 'edit', 'src/index.ts')).toBe('deny');
      expect(decide(rules, 'edit', '.opencode/plans/plan.md')).toBe('deny');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'without agentloop’s config the plan agent alone would run commands (why the config is needed)',
    async () => {
      const rules = await agentRules(OPENCODE_AGENTS['read-only'], {});
      expect(decide(rules, 'bash', 'rm -rf .')).toBe('allow');
      expect(decide(rules, 'edit', 'src/index.ts')).toBe('deny');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'write runs: the build agent may edit and run commands, and nothing is left to ask in the workspace',
    async () => {
      const rules = await agentRules(OPENCODE_AGENTS.write, opencodeEnv('write'));
      expect(decide(rules, 'edit', 'src/index.ts')).toBe('allow');
      expect(decide(rules, 'bash', 'npm test')).toBe('allow');
      expect(decide(rules, 'read', 'src/index.ts')).toBe('allow');
    },
    CLI_TIMEOUT_MS,
  );
});
