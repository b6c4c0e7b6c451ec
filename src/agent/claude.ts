// The `claude` agent: Claude Code in print mode, found on PATH as `claude`.
//
//   claude -p <tool and permission flags> --output-format json [--model <m>] <agent-args…>
//
// The prompt goes on stdin (print mode reads it there), never on the command line.
// Permissions, by mode:
//   read-only (plan): `--tools Read,Grep,Glob` — the only built-in tools the session has, so it cannot
//     edit or run anything; `--allowedTools` pre-approves exactly those, `--disallowedTools` denies the
//     writing ones again (belt and braces), and `--permission-mode dontAsk` denies anything else instead
//     of waiting for a human. Not `--permission-mode plan`: headless, a plan-mode session ends by asking
//     to leave plan mode (ExitPlanMode), which nobody can approve, so its result is not reliably the plan.
//   write (code/fix/rebase): `--permission-mode acceptEdits` (file edits need no approval) plus
//     `--allowedTools Read,Grep,Glob,Edit,Write,NotebookEdit,Bash`, so it can edit files and run the
//     build and tests. Bash is allowed without a pattern because a coding agent must run arbitrary project
//     commands; the blast radius is limited by the environment instead (no forge token, an allowlisted
//     env, a checkout without persisted credentials, and trusted code that checks the diff before any
//     push). Not `--dangerously-skip-permissions`: Claude Code refuses it as root (container jobs) and it
//     would also allow tools we did not choose.
// Variadic flags (`<tools...>`) come before a single-valued one so that they cannot swallow agent-args.
// agent-args come last and cannot widen a read-only run: CLAUDE_READ_ONLY_CONFLICTS are refused there.
import { type FlagSpec, flagsIn, readOnlyArgsError } from './flags.js';
import type { AgentMode } from './runner.js';

export const CLAUDE_EXECUTABLE = 'claude';

/** An unattended run neither updates the CLI nor sends telemetry or other non-essential traffic. */
export function claudeEnv(): Record<string, string> {
  return { DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
}

export const CLAUDE_READ_ONLY_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob'];
export const CLAUDE_READ_ONLY_DENIED: readonly string[] = ['Bash', 'Edit', 'Write', 'NotebookEdit'];
export const CLAUDE_WRITE_TOOLS: readonly string[] = ['Read', 'Grep', 'Glob', 'Edit', 'Write', 'NotebookEdit', 'Bash'];

/** Every flag claudeArgv can emit: each must exist in the real `claude --help` (contract test). */
export const CLAUDE_FLAGS_USED = [
  '-p',
  '--output-format',
  '--permission-mode',
  '--tools',
  '--allowedTools',
  '--disallowedTools',
  '--model',
] as const;

/**
 * Options (from `claude --help`) that would widen a read-only run if agent-args passed them after
 * agentloop's: the tool and permission flags themselves, ways around them (skip permissions, a
 * permission-prompt tool), more reach (directories, MCP servers, settings, agents, plugins, files, the
 * browser or IDE) and other sessions (continue, resume, fork, worktrees, remote control, background).
 */
export const CLAUDE_READ_ONLY_CONFLICTS: FlagSpec = {
  long: [
    'tools',
    'allowed-tools',
    'disallowed-tools',
    'permission-mode',
    'permission-prompt-tool',
    'dangerously-skip-permissions',
    'allow-dangerously-skip-permissions',
    'add-dir',
    'mcp-config',
    'settings',
    'setting-sources',
    'agents',
    'agent',
    'plugin-dir',
    'plugin-url',
    'file',
    'chrome',
    'ide',
    'continue',
    'resume',
    'from-pr',
    'fork-session',
    'session-id',
    'worktree',
    'tmux',
    'remote-control',
    'bg',
    'background',
  ],
  short: 'crw',
  shortWithValue: 'dn',
};

/** Flag values claudeArgv can emit that the CLI validates against a list of choices. */
export const CLAUDE_CHOICES_USED = {
  '--output-format': ['json'],
  '--permission-mode': ['dontAsk', 'acceptEdits'],
} as const;

export interface ClaudeArgvInput {
  mode: AgentMode;
  model?: string | undefined;
  args: readonly string[];
}

export function claudeArgv({ mode, model, args }: ClaudeArgvInput): string[] {
  const conflicts = mode === 'read-only' ? flagsIn(args, CLAUDE_READ_ONLY_CONFLICTS) : [];
  if (conflicts.length) throw readOnlyArgsError('claude', conflicts, '--tools, --allowedTools, --disallowedTools and --permission-mode');
  const permissions =
    mode === 'read-only'
      ? [
          '--tools',
          CLAUDE_READ_ONLY_TOOLS.join(','),
          '--allowedTools',
          CLAUDE_READ_ONLY_TOOLS.join(','),
          '--disallowedTools',
          CLAUDE_READ_ONLY_DENIED.join(','),
          '--permission-mode',
          'dontAsk',
        ]
      : ['--allowedTools', CLAUDE_WRITE_TOOLS.join(','), '--permission-mode', 'acceptEdits'];
  const modelFlag = model !== undefined && model.trim() !== '' ? ['--model', model.trim()] : [];
  return ['-p', ...permissions, '--output-format', 'json', ...modelFlag, ...args];
}

export interface ClaudeOutput {
  finalMessage: string;
  /** The CLI said the run failed (`is_error`), even if it exited 0. */
  isError: boolean;
  usage?: { costUsd?: number; inputTokens?: number; outputTokens?: number; turns?: number };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The `{"type":"result", …}` object in `--output-format json` output (or a stream/verbose array of messages). */
function findResult(stdout: string): Json | undefined {
  const candidates = [
    stdout.trim(),
    ...stdout
      .trim()
      .split('\n')
      .reverse()
      .map((l) => l.trim()),
  ];
  for (const text of candidates) {
    if (!text.startsWith('{') && !text.startsWith('[')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const items = Array.isArray(parsed) ? [...parsed].reverse() : [parsed];
    const result = items.find((m) => isObject(m) && m.type === 'result');
    if (isObject(result)) return result;
  }
  return undefined;
}

/**
 * The run's result text and usage from claude's JSON output. Unparsable output falls back to the raw
 * stdout as the final message (not an error by itself: the exit code decides).
 */
export function parseClaudeOutput(stdout: string, fallbackLimit = 60_000): ClaudeOutput {
  const result = findResult(stdout);
  if (result === undefined) {
    const raw = stdout.trim();
    return { finalMessage: raw.length > fallbackLimit ? raw.slice(-fallbackLimit) : raw, isError: false };
  }
  const errors = Array.isArray(result.errors) ? result.errors.filter((e): e is string => typeof e === 'string') : [];
  const finalMessage =
    typeof result.result === 'string'
      ? result.result.trim()
      : errors.length > 0
        ? errors.join('\n')
        : `claude ended with ${typeof result.subtype === 'string' ? result.subtype : 'no result'}`;
  const u = isObject(result.usage) ? result.usage : {};
  const usage: NonNullable<ClaudeOutput['usage']> = {};
  const costUsd = num(result.total_cost_usd);
  const inputTokens = num(u.input_tokens);
  const outputTokens = num(u.output_tokens);
  const turns = num(result.num_turns);
  if (costUsd !== undefined) usage.costUsd = costUsd;
  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (turns !== undefined) usage.turns = turns;
  return {
    finalMessage,
    isError: result.is_error === true || (typeof result.subtype === 'string' && result.subtype.startsWith('error')),
    ...(Object.keys(usage).length > 0 ? { usage } : {}),
  };
}
