// Contract test against the real Claude Code CLI (the dev dependency), offline: every flag the claude
// adapter can emit must exist in `claude --help`, and the real CLI must accept the exact argv we build.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE_CHOICES_USED, CLAUDE_FLAGS_USED, claudeArgv } from '../../src/agent/claude.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLAUDE = path.join(ROOT, 'node_modules', '.bin', 'claude');
const home = mkdtempSync(path.join(tmpdir(), 'agentloop-claude-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Run {
  code: number | null;
  out: string;
}

/** Run the real CLI with a throwaway HOME, no credentials and no optional network traffic. */
function claude(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      CLAUDE,
      args,
      {
        cwd: home,
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          DISABLE_AUTOUPDATER: '1',
          DISABLE_TELEMETRY: '1',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
    child.stdin?.end(input);
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `flag` as an option token in help text (so `--model` does not match `--model-foo`). */
const flagIn = (help: string, flag: string): boolean => new RegExp(`(?<![\\w-])${escapeRegExp(flag)}(?=[\\s,=<\\[]|$)`, 'm').test(help);

let help = '';
beforeAll(async () => {
  const run = await claude(['--help']);
  expect(run.code, run.out).toBe(0);
  help = run.out;
});

describe('claude CLI contract (offline)', () => {
  it('prints a help text to check against', () => {
    expect(help).toMatch(/Usage: claude/);
  });

  it.each(CLAUDE_FLAGS_USED)('claude --help lists %s', (flag) => {
    expect(flagIn(help, flag)).toBe(true);
  });

  it.each(Object.entries(CLAUDE_CHOICES_USED).flatMap(([flag, values]) => values.map((v) => [flag, v] as const)))(
    'claude --help lists %s choice %s',
    (flag, value) => {
      const start = help.search(new RegExp(`(?<![\\w-])${escapeRegExp(flag)} `));
      expect(start).toBeGreaterThanOrEqual(0);
      const section = help.slice(start, start + 600).split(/\n {2}-/)[0] ?? '';
      expect(section).toContain(`"${value}"`);
    },
  );

  it('does not list flags that do not exist (the check can fail)', () => {
    expect(flagIn(help, '--max-turns')).toBe(false);
    expect(flagIn(help, '--frobnicate')).toBe(false);
    expect(flagIn(help, '--mode')).toBe(false); // prefix of --model must not count
  });

  // With empty stdin, print mode parses (and validates) every option, then stops before any model call
  // because there is no prompt. An unknown flag or a bad choice fails earlier with a different message.
  it.each([
    ['read-only', claudeArgv({ mode: 'read-only', model: 'sonnet', args: [] })],
    ['write', claudeArgv({ mode: 'write', model: 'sonnet', args: [] })],
    ['write, no model', claudeArgv({ mode: 'write', args: [] })],
  ])('the real CLI accepts the %s argv', async (_name, argv) => {
    const run = await claude(argv);
    expect(run.out).not.toMatch(/unknown option|is invalid|error: option/i);
    expect(run.out).toMatch(/Input must be provided/);
  });

  it('the real CLI rejects a bad argv the same way (the check can fail)', async () => {
    expect((await claude(['-p', '--frobnicate'])).out).toMatch(/unknown option '--frobnicate'/);
    expect((await claude(['-p', '--permission-mode', 'readOnly'])).out).toMatch(/is invalid/);
  });
});
