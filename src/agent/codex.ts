// The `codex` agent: OpenAI Codex CLI in non-interactive mode, found on PATH as `codex`.
//
//   codex exec --sandbox <read-only|workspace-write> --skip-git-repo-check --ephemeral --json
//              [--model <m>] <agent-args…>
//
// The prompt goes on stdin, never on the command line: without a prompt argument `codex exec` reads its
// instructions from stdin. (Not an explicit `-` after agent-args: a variadic option there, such as
// `--image <FILE>...`, would take it as a value.)
// `codex exec` never asks for approval: it runs with the approval policy "never" (a failed or refused
// command is reported back to the model, nobody is asked), so there is no approval flag to pass — its
// help has no `--ask-for-approval` and no `--full-auto`.
// Permissions, by mode (the sandbox decides what model-generated commands and patches may do):
//   read-only (plan): `--sandbox read-only` — commands may read the disk but not write it, and have no
//     network; file edits are refused.
//   write (code/fix/rebase): `--sandbox workspace-write` — edits and commands may write inside the
//     workspace (and temp dirs), not elsewhere; commands have no network by default.
//   Not `danger-full-access` / `--dangerously-bypass-approvals-and-sandbox`.
// On Linux the sandbox is bubblewrap in a user namespace. GitHub's ubuntu-24.04 runners forbid those
// to unprivileged processes through AppArmor unless a step runs
// `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` first; without it every command
// the agent runs fails (README, Agents).
// `--skip-git-repo-check`: the workspace is a checkout, but git may not recognise it as one (a container
// job with another uid: "dubious ownership"), which would stop codex before it starts.
// `--ephemeral`: no session files left in the runner's home.
// `--json` prints the events as JSONL on stdout: the last `agent_message` item is the answer, the last
// `turn.completed` carries the thread's token totals (codex reports no cost), `turn.failed` means the run failed. `error`
// events alone are not failures: codex prints one per reconnect attempt.
// CODEX_HOME: codex keeps its state there and cannot start when it may not write it ("failed to
// initialize in-process app-server client: Permission denied"). The agent runs as its own OS user with
// a fresh HOME, so a maintainer's CODEX_HOME (config.toml with a model provider — an OpenAI-compatible
// endpoint, a proxy —, auth.json from `codex login`) is a template: agentloop copies its files into the
// agent's own codex home for the run and points CODEX_HOME there (codexHome).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FlagSpec, flagsIn, readOnlyArgsError } from './flags.js';
import { type AgentOutput, compactUsage, isObject, jsonLines, num, str, tailText } from './output.js';
import type { AgentMode } from './runner.js';

export const CODEX_EXECUTABLE = 'codex';

/** The subcommand codexArgv runs; CODEX_FLAGS_USED are checked against its help. */
export const CODEX_SUBCOMMAND = 'exec';

/** Every flag codexArgv can emit: each must exist in the real `codex exec --help` (contract test). */
export const CODEX_FLAGS_USED = ['--sandbox', '--skip-git-repo-check', '--ephemeral', '--json', '--model'] as const;

/**
 * Options (from `codex exec --help`) that would widen a read-only run if agent-args passed them: the
 * sandbox itself, the config and profile overrides that can set it (`-c sandbox_mode=…`), features, the
 * bypass and auto-approval flags, writable directories, another working root or worktree, trust and
 * rules. (`--full-auto` and `--ask-for-approval` are not in this version's exec help; refused anyway.)
 */
export const CODEX_READ_ONLY_CONFLICTS: FlagSpec = {
  long: [
    'sandbox',
    'config',
    'profile',
    'enable',
    'disable',
    'dangerously-bypass-approvals-and-sandbox',
    'dangerously-bypass-hook-trust',
    'approve-for-me',
    'full-auto',
    'ask-for-approval',
    'add-dir',
    'cd',
    'worktree',
    'trust',
    'ignore-rules',
  ],
  short: 'scpaC',
  shortWithValue: 'scpaCimo',
};

/** Flag values codexArgv can emit that the CLI validates against a list of choices. */
export const CODEX_CHOICES_USED = {
  '--sandbox': ['read-only', 'workspace-write'],
} as const;

export interface CodexArgvInput {
  mode: AgentMode;
  model?: string | undefined;
  args: readonly string[];
}

export function codexArgv({ mode, model, args }: CodexArgvInput): string[] {
  const conflicts = mode === 'read-only' ? flagsIn(args, CODEX_READ_ONLY_CONFLICTS) : [];
  if (conflicts.length) throw readOnlyArgsError('codex', conflicts, '--sandbox read-only');
  const sandbox = mode === 'read-only' ? 'read-only' : 'workspace-write';
  const modelFlag = model !== undefined && model.trim() !== '' ? ['--model', model.trim()] : [];
  return [CODEX_SUBCOMMAND, '--sandbox', sandbox, '--skip-git-repo-check', '--ephemeral', '--json', ...modelFlag, ...args];
}

/** The answer, failure and token totals from `codex exec --json` output (raw stdout if there are no events). */
export function parseCodexOutput(stdout: string, fallbackLimit = 60_000): AgentOutput {
  const events = jsonLines(stdout).filter((e) => typeof e.type === 'string');
  if (events.length === 0) return { finalMessage: tailText(stdout, fallbackLimit), isError: false };

  let message: string | undefined;
  let lastError: string | undefined;
  let failed: string | undefined;
  let usage: Record<string, unknown> | undefined;
  for (const event of events) {
    const item = isObject(event.item) ? event.item : undefined;
    if (event.type === 'item.completed' && item?.type === 'agent_message' && typeof item.text === 'string') {
      message = item.text;
    } else if (event.type === 'turn.completed') {
      failed = undefined;
      if (isObject(event.usage)) usage = event.usage;
    } else if (event.type === 'turn.failed') {
      failed = (isObject(event.error) ? str(event.error.message) : undefined) ?? 'turn failed';
    } else if (event.type === 'error') {
      lastError = str(event.message) ?? lastError;
    }
  }
  const finalMessage =
    failed !== undefined ? failed : (message?.trim() ?? (lastError !== undefined ? lastError : tailText(stdout, fallbackLimit)));
  const reported = compactUsage({
    inputTokens: num(usage?.input_tokens),
    outputTokens: num(usage?.output_tokens),
  });
  return { finalMessage, isError: failed !== undefined, ...(reported ? { usage: reported } : {}) };
}

/** The files of the maintainer's CODEX_HOME that agentloop copies into the agent's own codex home. */
export const CODEX_HOME_FILES = ['config.toml', 'auth.json'] as const;

/**
 * The agent's codex home (`<home>/.codex`), seeded with CODEX_HOME_FILES from the maintainer's CODEX_HOME
 * (read by agentloop, which may read it; the agent user may not): the files, by path relative to `home`,
 * and the environment that points codex there. Without a CODEX_HOME, codex uses `<home>/.codex` anyway.
 */
export async function codexHome(
  env: NodeJS.ProcessEnv,
  home: string,
): Promise<{ files: Record<string, string>; env: Record<string, string> }> {
  const from = env.CODEX_HOME?.trim();
  if (!from) return { files: {}, env: {} };
  const files: Record<string, string> = {};
  for (const name of CODEX_HOME_FILES) {
    const file = join(from, name);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new Error(`agentloop cannot read ${file} (CODEX_HOME) to give it to codex: ${err.message}`);
    });
    if (text !== undefined) files[join('.codex', name)] = text;
  }
  return { files, env: { CODEX_HOME: join(home, '.codex') } };
}
