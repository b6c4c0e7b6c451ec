// Everything one run needs, built once at start-up and passed to the transitions.
import { type AgentPort, processAgent } from '../agent/port.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { ActionsEnv } from '../core/run-env.js';
import type { Forge } from '../forge/forge.js';
import { type GitRemote, gitRemote } from '../git/workspace.js';
import { dryRunAgent, dryRunForge, dryRunGit } from './dry-run.js';
import { LabelWriter } from './label-writer.js';
import { Permissions, Trust } from './trust.js';

export interface RunContext {
  env: ActionsEnv;
  config: Config;
  forge: Forge;
  /** Runs the coding agent. */
  agent: AgentPort;
  /** Pushes branches. */
  git: GitRemote;
  log: Logger;
  defaultBranch: string;
  /** Logins agentloop acts as: labels and status comments by them are its own. */
  selfLogins: string[];
  trust: Trust;
  labels: LabelWriter;
  /** The environment the agent's allowlist is taken from. */
  processEnv: NodeJS.ProcessEnv;
  now(): Date;
}

/** The identities of the forges' automatic tokens. */
export const AUTOMATIC_TOKEN_LOGINS = ['github-actions[bot]', 'forgejo-actions', 'gitea-actions'];

export type RunParts = Pick<RunContext, 'env' | 'config' | 'forge' | 'log' | 'defaultBranch' | 'processEnv'> &
  Partial<Pick<RunContext, 'agent' | 'git' | 'now'>>;

export function createRunContext(parts: RunParts): RunContext {
  // The dry-run boundary: every effect below goes through these three ports.
  const dry = parts.config.dryRun;
  const forge = dry ? dryRunForge(parts.forge, parts.log) : parts.forge;
  const selfLogins = AUTOMATIC_TOKEN_LOGINS;
  return {
    ...parts,
    forge,
    agent: dry ? dryRunAgent(parts.log) : (parts.agent ?? processAgent),
    git: dry ? dryRunGit(parts.log) : (parts.git ?? gitRemote),
    selfLogins,
    trust: new Trust(new Permissions(forge, parts.log), { selfLogins, allowedBots: parts.config.allowedBots }),
    labels: new LabelWriter(forge, parts.config.labelNames),
    now: parts.now ?? (() => new Date()),
  };
}
