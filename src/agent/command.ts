// The `command` agent: any program the maintainer names in the workflow. It gets the prompt on stdin
// and in the file named by AGENTLOOP_PROMPT_FILE, the mode in AGENTLOOP_MODE, the model (if any) in
// AGENTLOOP_MODEL, and prints its result on stdout.

export interface CommandInvocation {
  file: string;
  args: string[];
}

/** Split the command line on whitespace (no shell: no quoting, globbing or expansion) and append `args`. */
export function commandArgv(command: string | undefined, args: readonly string[]): CommandInvocation {
  const words = (command ?? '').trim().split(/\s+/).filter(Boolean);
  const [file, ...rest] = words;
  if (file === undefined) {
    throw new Error(`agent 'command' needs a command line ('agent-command', e.g. "node agent.js")`);
  }
  return { file, args: [...rest, ...args] };
}

/** The command agent's result: its stdout, trimmed; when very long, the last `limit` characters. */
export function commandFinalMessage(stdout: string, limit = FINAL_MESSAGE_LIMIT): string {
  const trimmed = stdout.trim();
  return trimmed.length > limit ? trimmed.slice(-limit) : trimmed;
}

export const FINAL_MESSAGE_LIMIT = 60_000;
