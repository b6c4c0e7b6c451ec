// runAgent: run one coding-agent CLI on a rendered prompt (DESIGN §5, §8).
// The prompt goes to a 0600 file in tempDir (AGENTLOOP_PROMPT_FILE) and to stdin; the agent runs
// without a shell, in its own process group, with an allowlisted environment and a timeout that kills
// the group. The runner never logs the environment; the agent's own output is streamed to onOutput,
// which the caller masks and folds into a log group.
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentName } from '../core/config.js';
import { agentEnv } from './env.js';
import { runProcess } from './process.js';
import { commandArgv, commandFinalMessage, FINAL_MESSAGE_LIMIT } from './command.js';
import { CLAUDE_EXECUTABLE, claudeArgv, parseClaudeOutput } from './claude.js';

export type { AgentName };
/** Plan runs are read-only; code, fix and rebase runs write files. */
export type AgentMode = 'read-only' | 'write';

export interface AgentRunRequest {
  agent: AgentName;
  /** For agent 'command': a command line, split on whitespace into argv (no shell). */
  command?: string;
  /** Extra args appended (config 'agent-args'). */
  args: string[];
  /** Passed to agents that take one (claude: --model); always in AGENTLOOP_MODEL. */
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
}

export interface AgentRunResult {
  /** Exit code 0, not timed out, and (claude) the CLI did not report an error result. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** command: stdout trimmed (last 60 000 chars); claude: the JSON `result` (raw stdout if unparsable). */
  finalMessage: string;
  /** Last ~40 lines of stderr (or why the agent could not start), for failure comments. */
  stderrTail: string;
  durationMs: number;
  /** What the CLI reported (claude: total_cost_usd, usage.input_tokens/output_tokens, num_turns). */
  usage?: { costUsd?: number; inputTokens?: number; outputTokens?: number; turns?: number };
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
const STDERR_TAIL_LINES = 40;
/** claude's JSON holds the whole result; keep far more than the command agent's 60 000 chars. */
const CLAUDE_STDOUT_LIMIT = 16 * 1024 * 1024;

export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}

async function writePromptFile(tempDir: string, prompt: string): Promise<string> {
  await mkdir(tempDir, { recursive: true });
  const file = path.join(path.resolve(tempDir), `agentloop-prompt-${randomUUID()}.md`);
  await writeFile(file, prompt, { mode: 0o600, flag: 'wx' });
  return file;
}

export async function runAgent(req: AgentRunRequest): Promise<AgentRunResult> {
  const invocation =
    req.agent === 'claude'
      ? { file: CLAUDE_EXECUTABLE, args: claudeArgv({ mode: req.mode, model: req.model, args: req.args }) }
      : commandArgv(req.command, req.args);

  const promptFile = await writePromptFile(req.tempDir, req.prompt);
  try {
    const model = req.model?.trim();
    const env = agentEnv(req.env, req.agent, {
      ...req.extraEnv,
      AGENTLOOP_PROMPT_FILE: promptFile,
      AGENTLOOP_MODE: req.mode,
      ...(model ? { AGENTLOOP_MODEL: model } : {}),
    });
    const run = await runProcess({
      file: invocation.file,
      args: invocation.args,
      cwd: req.cwd,
      env,
      input: req.prompt,
      timeoutMs: req.timeoutMs,
      killGraceMs: req.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      stdoutLimit: req.agent === 'claude' ? CLAUDE_STDOUT_LIMIT : FINAL_MESSAGE_LIMIT * 2,
      stderrLimit: 64 * 1024,
      ...(req.onOutput ? { onOutput: req.onOutput } : {}),
    });

    const parsed =
      req.agent === 'claude'
        ? parseClaudeOutput(run.stdout, FINAL_MESSAGE_LIMIT)
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
      ...('usage' in parsed && parsed.usage ? { usage: parsed.usage } : {}),
    };
  } finally {
    await rm(promptFile, { force: true });
  }
}
