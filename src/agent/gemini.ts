// The `gemini` agent: Google's Gemini CLI in headless mode, found on PATH as `gemini`.
//
//   gemini --skip-trust --approval-mode <default|yolo> [--admin-policy <file>] --output-format json
//          [--model <m>] <agent-args…>
//
// The prompt goes on stdin, never on the command line: with stdin not a terminal (and CI=true, which
// the agent's environment always sets) gemini runs headless and reads its whole input from stdin. No
// `-p`: its value would be appended to the prompt.
// `--skip-trust` trusts the workspace for this session. Headless gemini refuses to start in an untrusted
// folder, and in one it would also force the approval mode back to "default".
// Permissions, by mode:
//   read-only (plan): `--approval-mode default` plus an admin-tier policy file (GEMINI_READ_ONLY_POLICY,
//     written next to the prompt file) that denies every tool except reading the workspace. Headless,
//     "default" already denies editing and shell tools, but not the plan-mode tools — and headless,
//     `exit_plan_mode` switches the session to YOLO — nor tools a workspace policy allows. Admin-tier
//     rules outrank workspace and user policies. Not `--approval-mode plan` for the same reason: it
//     may write Markdown files, and leaving it headless means YOLO.
//   write (code/fix/rebase): `--approval-mode yolo`: every tool call is approved (edit files, run the
//     build and tests). The blast radius is limited by the environment instead, as for claude (no forge
//     token, an allowlisted env, no persisted credentials, trusted code checks the diff before any push).
//   Not `--sandbox`: it runs the session in a container (docker/podman), which a runner may not have.
// Settings (geminiHome): the agent runs with a fresh HOME of its own, so ~/.gemini/settings.json is
// agentloop's to write, and a repository's .gemini/settings.json still outranks it. It turns usage
// statistics off (an unattended run reports nothing to Google, as for claude) and, when the environment
// names a gateway, chooses the auth type: headless Gemini CLI 0.61 takes GOOGLE_GEMINI_BASE_URL for auth
// type "gateway", which its own validation then refuses ("Invalid auth method selected.", exit 41), so a
// gateway with GEMINI_API_KEY runs as "gemini-api-key" against that base URL. GEMINI_API_KEY alone needs
// no settings (the auth type then comes from the environment). Not GEMINI_CLI_SYSTEM_DEFAULTS_PATH:
// Gemini CLI skips a system settings file whose directories others may write (the sandbox is under /tmp).
// `--output-format json` prints one JSON object at the end: `response` is the answer (the text after the
// last tool call), `stats.models.<model>.tokens` the token counts, `error` a failure. A run that fails
// (no credentials, an API error, the turn limit) prints its `{session_id, error}` object on stderr
// instead. There is no budget or turn-limit flag (only the `maxSessionTurns` setting).

import { type FlagSpec, flagsIn, readOnlyArgsError } from './flags.js';
import { type AgentOutput, compactUsage, isObject, lastJsonObject, num, str, tailText } from './output.js';
import type { AgentMode } from './runner.js';

export const GEMINI_EXECUTABLE = 'gemini';

/** Every flag geminiArgv can emit: each must exist in the real `gemini --help` (contract test). */
export const GEMINI_FLAGS_USED = ['--skip-trust', '--approval-mode', '--admin-policy', '--output-format', '--model'] as const;

/**
 * Options (from `gemini --help`, a yargs parser: camelCase and `--no-` spellings count) that would widen
 * a read-only run if agent-args passed them: the approval mode and YOLO, policies (even an admin one),
 * allowed tools and MCP servers, extensions, more directories, interactive or ACP modes, other sessions,
 * worktrees.
 */
export const GEMINI_READ_ONLY_CONFLICTS: FlagSpec = {
  long: [
    'approval-mode',
    'yolo',
    'admin-policy',
    'policy',
    'allowed-tools',
    'allowed-mcp-server-names',
    'extensions',
    'include-directories',
    'prompt-interactive',
    'acp',
    'experimental-acp',
    'resume',
    'session-file',
    'delete-session',
    'worktree',
  ],
  short: 'yeirw',
  shortWithValue: 'mpiwroe',
  yargs: true,
};

/** Flag values geminiArgv can emit that the CLI validates against a list of choices. */
export const GEMINI_CHOICES_USED = {
  '--approval-mode': ['default', 'yolo'],
  '--output-format': ['json'],
} as const;

/** Tools a read-only session may call: reading and searching the workspace, nothing else. */
export const GEMINI_READ_ONLY_TOOLS: readonly string[] = ['read_file', 'read_many_files', 'list_directory', 'glob', 'grep_search'];

/** The policy file of read-only runs (Gemini CLI policy engine TOML; priorities count within the admin tier). */
export const GEMINI_READ_ONLY_POLICY = `# agentloop: this session is read-only (a plan run).
[[rule]]
toolName = "*"
decision = "deny"
priority = 900
denyMessage = "agentloop runs this session read-only: only reading and searching files is allowed."

[[rule]]
toolName = [${GEMINI_READ_ONLY_TOOLS.map((t) => JSON.stringify(t)).join(', ')}]
decision = "allow"
priority = 950
`;

/** The name under which the runner passes the policy file's path to geminiArgv. */
export const GEMINI_POLICY_FILE = 'gemini-read-only-policy.toml';

/** Files a run needs, by name: read-only runs need the policy. */
export function geminiFiles(mode: AgentMode): Record<string, string> {
  return mode === 'read-only' ? { [GEMINI_POLICY_FILE]: GEMINI_READ_ONLY_POLICY } : {};
}

/**
 * The auth type the agent's settings must name, from the environment agentloop passes (GEMINI_NAMES): only
 * for a gateway (GOOGLE_GEMINI_BASE_URL) with a Gemini API key; otherwise Gemini CLI's own choice stands.
 */
export function geminiAuthType(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GOOGLE_GENAI_USE_GCA === 'true' || env.GOOGLE_GENAI_USE_VERTEXAI === 'true') return undefined;
  return env.GOOGLE_GEMINI_BASE_URL?.trim() && env.GEMINI_API_KEY?.trim() ? 'gemini-api-key' : undefined;
}

/** The agent's user settings (`~/.gemini/settings.json`). */
export function geminiSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const auth = geminiAuthType(env);
  return { privacy: { usageStatisticsEnabled: false }, ...(auth ? { security: { auth: { selectedType: auth } } } : {}) };
}

/** With a sandbox: the settings file in the agent's own home (written by the runner before the agent user gets it). */
export async function geminiHome(env: NodeJS.ProcessEnv): Promise<{ files: Record<string, string>; env: Record<string, string> }> {
  return { files: { '.gemini/settings.json': `${JSON.stringify(geminiSettings(env), null, 2)}\n` }, env: {} };
}

export interface GeminiArgvInput {
  mode: AgentMode;
  model?: string | undefined;
  args: readonly string[];
  /** Path of the read-only policy file (required in read-only mode). */
  policyFile?: string | undefined;
}

export function geminiArgv({ mode, model, args, policyFile }: GeminiArgvInput): string[] {
  const conflicts = mode === 'read-only' ? flagsIn(args, GEMINI_READ_ONLY_CONFLICTS) : [];
  if (conflicts.length) throw readOnlyArgsError('gemini', conflicts, '--approval-mode default and --admin-policy');
  let permissions: string[];
  if (mode === 'read-only') {
    if (!policyFile) throw new Error('gemini read-only runs need the read-only policy file');
    permissions = ['--approval-mode', 'default', '--admin-policy', policyFile];
  } else {
    permissions = ['--approval-mode', 'yolo'];
  }
  const modelFlag = model !== undefined && model.trim() !== '' ? ['--model', model.trim()] : [];
  return ['--skip-trust', ...permissions, '--output-format', 'json', ...modelFlag, ...args];
}

const isGeminiResult = (o: Record<string, unknown> | undefined): o is Record<string, unknown> =>
  o !== undefined && ('response' in o || 'error' in o || 'stats' in o);

/**
 * The answer, failure and token counts from `--output-format json` output: the result object on stdout,
 * else an error object on stderr, else raw stdout.
 */
export function parseGeminiOutput(stdout: string, fallbackLimit = 60_000, stderr = ''): AgentOutput {
  const fromStdout = lastJsonObject(stdout);
  const fromStderr = isGeminiResult(fromStdout) ? undefined : lastJsonObject(stderr);
  const result = isGeminiResult(fromStdout) ? fromStdout : isObject(fromStderr?.error) ? fromStderr : undefined;
  if (result === undefined) return { finalMessage: tailText(stdout, fallbackLimit), isError: false };
  const error = isObject(result.error) ? result.error : undefined;
  const response = str(result.response)?.trim();
  const finalMessage = response || (error ? (str(error.message) ?? 'gemini reported an error') : '');

  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let requests: number | undefined;
  const models = isObject(result.stats) && isObject(result.stats.models) ? result.stats.models : {};
  for (const metrics of Object.values(models)) {
    if (!isObject(metrics)) continue;
    const tokens = isObject(metrics.tokens) ? metrics.tokens : {};
    const api = isObject(metrics.api) ? metrics.api : {};
    const add = (a: number | undefined, b: unknown): number | undefined => (num(b) === undefined ? a : (a ?? 0) + num(b)!);
    inputTokens = add(inputTokens, tokens.prompt);
    outputTokens = add(outputTokens, tokens.candidates);
    requests = add(requests, api.totalRequests);
  }
  const usage = compactUsage({ inputTokens, outputTokens, turns: requests });
  return { finalMessage, isError: error !== undefined, ...(usage ? { usage } : {}) };
}
