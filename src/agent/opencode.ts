// The `opencode` agent: opencode in non-interactive run mode, found on PATH as `opencode`.
//
//   opencode run --pure --agent <plan|build> --format json [--model <provider/model>] <agent-args…>
//
// The prompt goes on stdin, never on the command line: `opencode run` with no message reads the whole
// of stdin (when it is not a terminal) as the message.
// Headless, `opencode run` never waits for a human: a permission that would "ask" is rejected (unless
// `--auto`, which agentloop does not pass), and the question and plan-mode tools are denied.
// Permissions, by mode:
//   read-only (plan): `--agent plan` — the built-in agent that denies edits (except its own plan files) —
//     plus OPENCODE_CONFIG_CONTENT (opencodeEnv) denying `edit` and `bash` for every agent and for the
//     plan agent in particular. The plan agent alone still allows shell commands, and a repository's
//     opencode.json could loosen it; inline config content outranks the project's files, and its rules
//     come last, so they win. (If the agent were missing, opencode would fall back to its default agent,
//     still under these denials.)
//   write (code/fix/rebase): `--agent build` — the built-in agent with edit and shell tools allowed.
//     Not `--auto`: what the configuration leaves at "ask" (paths outside the workspace, reading .env
//     files, a detected doom loop) stays refused.
//   Both modes: `share: disabled` (a repository's `share: auto` would upload the session) and no
//     autoupdate.
// Unattended, opencode installs nothing at run time (opencodeEnv, opencodeArgv):
//   `--pure`: no external plugins. Plugins named in a repository's or the user's config are npm packages
//     opencode installs and loads when it starts — at every run, since the agent's HOME is fresh — and
//     their code runs inside opencode, outside the permission rules that make a plan run read-only.
//     (The built-in plugins stay: they are the auth of providers such as openai, github-copilot, azure.)
//   OPENCODE_DISABLE_LSP_DOWNLOAD: language servers are off unless a config turns `lsp` on; then opencode
//     would download the missing ones (`go install …@latest`, npm packages) on first use, every run.
//     Servers already on PATH still work.
//   Not OPENCODE_DISABLE_MODELS_FETCH: opencode starts from its bundled model catalogue and refreshes it
//     in the background; without network the refresh fails, is logged, and the run goes on.
// The model endpoint: opencode ignores ANTHROPIC_BASE_URL and the like; a custom endpoint is provider
// configuration (`provider.<id>.options.baseURL`). A maintainer passes it in OPENCODE_CONFIG_CONTENT, as
// opencode documents; agentloop's own settings are merged over it (agentloop's win), since both travel in
// that one variable (opencodeConfigContent).
// Models are named `provider/model` (e.g. `anthropic/claude-sonnet-4-5`); without a model opencode uses
// its configured default. `--format json` prints one JSON event per line: `text` parts (the answer is
// the text of the last step that produced any), `step_finish` parts with tokens and cost, `error` (a
// failed run: opencode then exits 1).
// There is no budget or turn-limit flag.

import { type FlagSpec, flagsIn, readOnlyArgsError } from './flags.js';
import { type AgentOutput, compactUsage, isObject, jsonLines, num, str, tailText } from './output.js';
import type { AgentMode } from './runner.js';

export const OPENCODE_EXECUTABLE = 'opencode';

/** The subcommand opencodeArgv runs; OPENCODE_FLAGS_USED are checked against its help. */
export const OPENCODE_SUBCOMMAND = 'run';

/** Every flag opencodeArgv can emit: each must exist in the real `opencode run --help` (contract test). */
export const OPENCODE_FLAGS_USED = ['--pure', '--agent', '--format', '--model'] as const;

/**
 * Options (from `opencode run --help`, a yargs parser) that would widen a read-only run if agent-args
 * passed them: another agent (`--agent build`), auto-approval, a server elsewhere (`--attach`, which runs
 * under that server's configuration), another directory, other sessions, commands, sharing, plugins
 * (`--no-pure`).
 */
export const OPENCODE_READ_ONLY_CONFLICTS: FlagSpec = {
  long: ['agent', 'auto', 'dangerously-skip-permissions', 'attach', 'dir', 'continue', 'session', 'fork', 'command', 'share', 'pure'],
  short: 'cs',
  shortWithValue: 'smfpu',
  yargs: true,
};

/** Flag values opencodeArgv can emit that the CLI validates against a list of choices. */
export const OPENCODE_CHOICES_USED = {
  '--format': ['json'],
} as const;

/** The built-in agents opencodeArgv selects, by mode (the contract test checks they exist and what they allow). */
export const OPENCODE_AGENTS: Readonly<Record<AgentMode, string>> = { 'read-only': 'plan', write: 'build' };

/** Inline configuration (OPENCODE_CONFIG_CONTENT) for a run in `mode`. */
export function opencodeConfig(mode: AgentMode): Record<string, unknown> {
  const base = { share: 'disabled', autoupdate: false };
  if (mode === 'write') return base;
  const deny = { edit: 'deny', bash: 'deny' };
  return { ...base, permission: deny, agent: { [OPENCODE_AGENTS['read-only']]: { permission: deny } } };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged into `base`, objects key by key; where both have a key, `over`'s value wins unless both are objects. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = out[key];
    out[key] = isPlainObject(was) && isPlainObject(value) ? deepMerge(was, value) : value;
  }
  return out;
}

/**
 * OPENCODE_CONFIG_CONTENT for a run in `mode`: the maintainer's (from the parent environment: a provider
 * endpoint, say) with agentloop's configuration merged over it, so agentloop's permissions and settings
 * win wherever both speak. The maintainer's must be a JSON object (opencode would also take comments).
 */
export function opencodeConfigContent(mode: AgentMode, parentEnv: NodeJS.ProcessEnv = {}): string {
  const raw = parentEnv.OPENCODE_CONFIG_CONTENT?.trim();
  let theirs: unknown = {};
  if (raw) {
    try {
      theirs = JSON.parse(raw);
    } catch (err) {
      throw new Error(`OPENCODE_CONFIG_CONTENT is not valid JSON (agentloop merges its own settings into it): ${(err as Error).message}`);
    }
    if (!isPlainObject(theirs)) throw new Error('OPENCODE_CONFIG_CONTENT must be a JSON object (opencode configuration)');
  }
  return JSON.stringify(deepMerge(theirs as Record<string, unknown>, opencodeConfig(mode)));
}

/** The environment additions for a run in `mode` (`parentEnv`: where a maintainer's OPENCODE_CONFIG_CONTENT is). */
export function opencodeEnv(mode: AgentMode, parentEnv: NodeJS.ProcessEnv = {}): Record<string, string> {
  return { OPENCODE_CONFIG_CONTENT: opencodeConfigContent(mode, parentEnv), OPENCODE_DISABLE_LSP_DOWNLOAD: '1' };
}

export interface OpencodeArgvInput {
  mode: AgentMode;
  model?: string | undefined;
  args: readonly string[];
}

export function opencodeArgv({ mode, model, args }: OpencodeArgvInput): string[] {
  const conflicts = mode === 'read-only' ? flagsIn(args, OPENCODE_READ_ONLY_CONFLICTS) : [];
  if (conflicts.length) throw readOnlyArgsError('opencode', conflicts, '--agent plan and its permission config');
  const m = model?.trim() ?? '';
  if (m !== '' && !/^[^/\s]+\/\S+$/.test(m)) {
    throw new Error(`agent 'opencode' needs the model as provider/model (e.g. "anthropic/claude-sonnet-4-5"), got ${JSON.stringify(m)}`);
  }
  const modelFlag = m !== '' ? ['--model', m] : [];
  return [OPENCODE_SUBCOMMAND, '--pure', '--agent', OPENCODE_AGENTS[mode], '--format', 'json', ...modelFlag, ...args];
}

/** The answer, failure, tokens and cost from `opencode run --format json` output (raw stdout if there are no events). */
export function parseOpencodeOutput(stdout: string, fallbackLimit = 60_000): AgentOutput {
  const events = jsonLines(stdout).filter((e) => typeof e.type === 'string');
  if (events.length === 0) return { finalMessage: tailText(stdout, fallbackLimit), isError: false };

  // The text parts of the current step and of the last step that had any, by part id (a part may be
  // reported more than once).
  let step = new Map<string, string>();
  let answer = step;
  const errors: string[] = [];
  let costUsd: number | undefined;
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let steps = 0;
  const add = (a: number | undefined, b: unknown): number | undefined => (num(b) === undefined ? a : (a ?? 0) + num(b)!);
  for (const event of events) {
    const part = isObject(event.part) ? event.part : {};
    if (event.type === 'step_start') {
      step = new Map();
    } else if (event.type === 'text') {
      const text = str(part.text)?.trim();
      if (text) {
        step.set(str(part.id) ?? `#${step.size}`, text);
        answer = step;
      }
    } else if (event.type === 'step_finish') {
      steps += 1;
      costUsd = add(costUsd, part.cost);
      const tokens = isObject(part.tokens) ? part.tokens : {};
      inputTokens = add(inputTokens, tokens.input);
      outputTokens = add(outputTokens, add(num(tokens.output), tokens.reasoning));
    } else if (event.type === 'error') {
      const error = isObject(event.error) ? event.error : {};
      const data = isObject(error.data) ? error.data : {};
      const message = str(data.message) ?? str(error.message) ?? str(error.name) ?? 'opencode reported an error';
      // A model API error carries the HTTP status apart from the provider's message (`statusCode`): say it,
      // so the failure comment can tell a bad key from a rate limit or an outage.
      const status = num(data.statusCode);
      errors.push(status !== undefined && !message.includes(`HTTP ${status}`) ? `${message} (HTTP ${status})` : message);
    }
  }
  // opencode exits 1 after an error: the error is what a failure comment needs, not the text before it.
  const finalMessage = errors.length > 0 ? errors.join('\n') : [...answer.values()].join('\n\n');
  const usage = compactUsage({ costUsd, inputTokens, outputTokens, turns: steps > 0 ? steps : undefined });
  return { finalMessage, isError: errors.length > 0, ...(usage ? { usage } : {}) };
}
