// agent-args cannot widen a read-only (plan) run (DESIGN §8). Each adapter names the options of its CLI
// that would (claude.ts, codex.ts, gemini.ts, opencode.ts) and refuses them when it builds a read-only
// argv; the plan transition asks here first, so the run fails before anything is written.
import type { AgentName } from '../core/config.js';
import { CLAUDE_READ_ONLY_CONFLICTS } from './claude.js';
import { CODEX_READ_ONLY_CONFLICTS } from './codex.js';
import { type FlagSpec, flagsIn } from './flags.js';
import { GEMINI_READ_ONLY_CONFLICTS } from './gemini.js';
import { OPENCODE_READ_ONLY_CONFLICTS } from './opencode.js';

/** The command agent takes no flags of agentloop's (its mode is AGENTLOOP_MODE): nothing to refuse. */
const SPECS: Readonly<Record<AgentName, FlagSpec | undefined>> = {
  claude: CLAUDE_READ_ONLY_CONFLICTS,
  codex: CODEX_READ_ONLY_CONFLICTS,
  gemini: GEMINI_READ_ONLY_CONFLICTS,
  opencode: OPENCODE_READ_ONLY_CONFLICTS,
  command: undefined,
};

/** The agent-args that would widen `agent`'s read-only run, as written ([] when none). */
export function readOnlyConflicts(agent: AgentName, args: readonly string[]): string[] {
  const spec = SPECS[agent];
  return spec ? flagsIn(args, spec) : [];
}
