// runAgent: run one coding-agent CLI on a rendered prompt (DESIGN §5, §8).
// The prompt goes to a 0600 file in tempDir (AGENTLOOP_PROMPT_FILE) and to stdin; the agent runs
// without a shell, in its own process group, with an allowlisted environment and a timeout that kills
// the group. The runner never logs the environment; the agent's own output is streamed to onOutput,
// which the caller masks and folds into a log group.
// Each real CLI (claude, codex, gemini, opencode) is an adapter in CLI_ADAPTERS: its executable, the
// argv for a mode and model, the files and environment additions it needs, and its output parser.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentName } from '../core/config.js';
import { CLAUDE_EXECUTABLE, claudeArgv, claudeEnv, parseClaudeOutput } from './claude.js';
import { CODEX_EXECUTABLE, codexArgv, codexHome, parseCodexOutput } from './codex.js';
import { commandArgv, commandFinalMessage, FINAL_MESSAGE_LIMIT } from './command.js';
import { agentEnv } from './env.js';
import { GEMINI_EXECUTABLE, GEMINI_POLICY_FILE, geminiArgv, geminiFiles, geminiHome, parseGeminiOutput } from './gemini.js';
import { OPENCODE_EXECUTABLE, opencodeArgv, opencodeEnv, parseOpencodeOutput } from './opencode.js';
import type { AgentOutput, AgentUsage } from './output.js';
import { runProcess } from './process.js';
import { giveToAgent, reclaimFromAgent, type Sandbox, sudoArgv } from './sandbox.js';

export type { AgentName };
/** Plan runs are read-only; code, fix and rebase runs write files. */
export type AgentMode = 'read-only' | 'write';

export interface AgentRunRequest {
  agent: AgentName;
  /** For agent 'command': a command line, split on whitespace into argv (no shell). */
  command?: string;
  /** Extra args appended (config 'agent-args'). */
  args: string[];
  /** Passed to agents that take one (claude, codex, gemini, opencode: --model); always in AGENTLOOP_MODEL. */
  model?: string;
  mode: AgentMode;
  /** The rendered prompt. */
  prompt: string;
  /** The workspace (repository checkout). */
  cwd: string;
  /** Where the prompt file is written (RUNNER_TEMP). */
  tempDir: string;
  timeoutMs: number;
  /** The parent's environment; filtered by agentEnv. */
  env: NodeJS.ProcessEnv;
  /** Live output (stdout and stderr chunks). */
  onOutput?: (chunk: string) => void;
  /** Explicit additions the caller trusts (e.g. AGENTLOOP_TRANSITION); secret-looking names are refused. */
  extraEnv?: Record<string, string>;
  /** Between SIGTERM and SIGKILL of the process group on timeout. Default 5 s. */
  killGraceMs?: number;
  /**
   * Where and as whom the agent runs: cwd becomes its dir, files go to its files dir, HOME and TMPDIR
   * to its home, and the process runs as its user. Without one, the agent runs as this process's user
   * in `cwd` (the unsafe-none opt-out, and unit tests of the runner itself).
   */
  sandbox?: Sandbox;
}

export interface AgentRunResult {
  /** Exit code 0, not timed out, and (real CLIs) the CLI did not report an error result. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /**
   * command: stdout trimmed (last 60 000 chars); claude: the JSON `result`; codex: the last agent message;
   * gemini: `response`; opencode: the text of the last step that had text. Raw stdout if unparsable.
   */
  finalMessage: string;
  /** Last ~40 lines of stderr (or why the agent could not start), for failure comments. */
  stderrTail: string;
  durationMs: number;
  /** Dry run: the agent was not started (the dry-run port answers this; the real runner never does). */
  notStarted?: true;
  /**
   * What the CLI reported. claude: total_cost_usd, usage.input_tokens/output_tokens, num_turns; codex:
   * token totals (no cost); gemini: prompt/candidate tokens and model requests as turns (no cost);
   * opencode: cost, tokens and steps as turns.
   */
  usage?: AgentUsage;
}

export interface CliArgvInput {
  mode: AgentMode;
  model?: string | undefined;
  args: readonly string[];
  /** Paths of the files the adapter asked for (`files`), by name. */
  files: Readonly<Record<string, string>>;
}

/** One real coding-agent CLI. */
export interface CliAdapter {
  /** Found on PATH. */
  executable: string;
  /** Files the run needs, by name → content; written 0600 next to the prompt file, removed after the run. */
  files?: (mode: AgentMode) => Record<string, string>;
  argv: (input: CliArgvInput) => string[];
  /**
   * Environment additions (agentloop's own settings for the CLI); they win over the caller's extraEnv.
   * `parentEnv`: the parent's environment, for a setting of the maintainer's that agentloop's must merge
   * with (opencode: OPENCODE_CONFIG_CONTENT).
   */
  env?: (mode: AgentMode, parentEnv: NodeJS.ProcessEnv) => Record<string, string>;
  /**
   * With a sandbox: files the CLI reads from its own home (by path relative to the agent's HOME, written
   * 0600 before the home is handed to the agent user) and the environment that points the CLI at them,
   * from the parent's environment (codex: the maintainer's CODEX_HOME, which the agent user cannot use).
   */
  home?: (env: NodeJS.ProcessEnv, home: string) => Promise<{ files: Record<string, string>; env: Record<string, string> }>;
  /** The answer, failure and usage from the CLI's output (stderr for CLIs that report errors there). */
  parse: (stdout: string, fallbackLimit: number, stderr: string) => AgentOutput;
}

export const CLI_ADAPTERS: Readonly<Record<Exclude<AgentName, 'command'>, CliAdapter>> = {
  claude: { executable: CLAUDE_EXECUTABLE, argv: claudeArgv, env: claudeEnv, parse: parseClaudeOutput },
  codex: { executable: CODEX_EXECUTABLE, argv: codexArgv, home: codexHome, parse: parseCodexOutput },
  gemini: {
    executable: GEMINI_EXECUTABLE,
    files: geminiFiles,
    argv: (input) => geminiArgv({ ...input, policyFile: input.files[GEMINI_POLICY_FILE] }),
    home: geminiHome,
    parse: parseGeminiOutput,
  },
  opencode: { executable: OPENCODE_EXECUTABLE, argv: opencodeArgv, env: opencodeEnv, parse: parseOpencodeOutput },
};

export const DEFAULT_KILL_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 40;
/** A CLI's JSON output holds the whole result (and, for event streams, tool output before it): keep far more than the command agent's 60 000 chars. */
const CLI_STDOUT_LIMIT = 16 * 1024 * 1024;

export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}

/** Write `content` to a new 0600 file `name` (made unique) in tempDir; returns its absolute path. */
async function writePrivateFile(tempDir: string, name: string, content: string): Promise<string> {
  await mkdir(tempDir, { recursive: true });
  const dot = name.lastIndexOf('.');
  const unique = dot > 0 ? `${name.slice(0, dot)}-${randomUUID()}${name.slice(dot)}` : `${name}-${randomUUID()}`;
  const file = path.join(path.resolve(tempDir), `agentloop-${unique}`);
  await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  return file;
}

export async function runAgent(req: AgentRunRequest): Promise<AgentRunResult> {
  const adapter = req.agent === 'command' ? undefined : CLI_ADAPTERS[req.agent];
  // Invalid settings (no command line, a bad model name) throw here, before anything is written.
  if (adapter === undefined) commandArgv(req.command, req.args);
  else adapter.argv({ mode: req.mode, model: req.model, args: req.args, files: placeholders(adapter, req.mode) });

  const written: string[] = [];
  const sandbox = req.sandbox;
  const filesDir = sandbox?.files ?? req.tempDir;
  try {
    const promptFile = await writePrivateFile(filesDir, 'prompt.md', req.prompt);
    written.push(promptFile);
    const files: Record<string, string> = {};
    for (const [name, content] of Object.entries(adapter?.files?.(req.mode) ?? {})) {
      files[name] = await writePrivateFile(filesDir, name, content);
      written.push(files[name]);
    }
    const home = sandbox && adapter?.home ? await adapter.home(req.env, sandbox.home) : undefined;
    for (const [name, content] of Object.entries(home?.files ?? {})) {
      const file = path.join(sandbox!.home, name);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, content, { mode: 0o600 });
    }
    if (sandbox) await giveToAgent(sandbox);
    const invocation =
      adapter === undefined
        ? commandArgv(req.command, req.args)
        : { file: adapter.executable, args: adapter.argv({ mode: req.mode, model: req.model, args: req.args, files }) };

    const model = req.model?.trim();
    const env = agentEnv(req.env, req.agent, {
      ...req.extraEnv,
      ...adapter?.env?.(req.mode, req.env),
      ...home?.env,
      AGENTLOOP_PROMPT_FILE: promptFile,
      AGENTLOOP_MODE: req.mode,
      ...(model ? { AGENTLOOP_MODEL: model } : {}),
      ...(sandbox ? { HOME: sandbox.home, TMPDIR: sandbox.home } : {}),
      ...(sandbox?.user ? { USER: sandbox.user.name, LOGNAME: sandbox.user.name } : {}),
    });
    const user = sandbox?.user;
    const spawned = user?.via === 'sudo' ? sudoArgv(user, env, invocation.file, invocation.args) : invocation;
    const run = await runProcess({
      file: spawned.file,
      args: spawned.args,
      cwd: sandbox?.dir ?? req.cwd,
      env,
      ...(user?.via === 'root' ? { uid: user.uid, gid: user.gid } : {}),
      input: req.prompt,
      timeoutMs: req.timeoutMs,
      killGraceMs: req.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      stdoutLimit: adapter ? CLI_STDOUT_LIMIT : FINAL_MESSAGE_LIMIT * 2,
      stderrLimit: 64 * 1024,
      ...(req.onOutput ? { onOutput: req.onOutput } : {}),
    });

    const parsed: AgentOutput = adapter
      ? adapter.parse(run.stdout, FINAL_MESSAGE_LIMIT, run.stderr)
      : { finalMessage: commandFinalMessage(run.stdout), isError: false };
    const stderrTail = run.spawnError ?? lastLines(run.stderr, STDERR_TAIL_LINES);
    return {
      ok: run.spawnError === undefined && !run.timedOut && run.exitCode === 0 && !parsed.isError,
      exitCode: run.exitCode,
      signal: run.signal,
      timedOut: run.timedOut,
      finalMessage: parsed.finalMessage,
      stderrTail,
      durationMs: run.durationMs,
      ...(parsed.usage ? { usage: parsed.usage } : {}),
    };
  } finally {
    if (sandbox) await reclaimFromAgent(sandbox);
    await Promise.all(written.map((file) => rm(file, { force: true })));
  }
}

/** Stand-in paths for the adapter's files, to validate its argv before anything is written. */
function placeholders(adapter: CliAdapter, mode: AgentMode): Record<string, string> {
  return Object.fromEntries(Object.keys(adapter.files?.(mode) ?? {}).map((name) => [name, name]));
}
