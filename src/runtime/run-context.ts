// Everything one run needs, built once at start-up and passed to the transitions.
import type { Config } from '../core/config.js';
import type { Forge } from '../forge/forge.js';
import type { ActionsEnv } from './actions-env.js';
import type { Logger } from './logger.js';
import { dryRunForge } from './dry-run.js';
import { LabelWriter } from './label-writer.js';
import { Permissions } from './permissions.js';

export interface RunContext {
  env: ActionsEnv;
  config: Config;
  forge: Forge;
  log: Logger;
  defaultBranch: string;
  /** Logins agentloop acts as: labels and status comments by them are its own. */
  selfLogins: string[];
  permissions: Permissions;
  labels: LabelWriter;
  /** The environment the agent's allowlist is taken from. */
  processEnv: NodeJS.ProcessEnv;
  now(): Date;
}

/** The identities of the forges' automatic tokens. */
export const AUTOMATIC_TOKEN_LOGINS = ['github-actions[bot]', 'forgejo-actions', 'gitea-actions'];

export function createRunContext(parts: Omit<RunContext, 'permissions' | 'labels' | 'selfLogins' | 'now'> & { now?: () => Date }): RunContext {
  // Dry run is one check at the effect boundary: every write below goes through this forge.
  const forge = parts.config.dryRun ? dryRunForge(parts.forge, parts.log) : parts.forge;
  return {
    ...parts,
    forge,
    selfLogins: AUTOMATIC_TOKEN_LOGINS,
    permissions: new Permissions(forge, parts.log),
    labels: new LabelWriter(forge, parts.config.labelNames),
    now: parts.now ?? (() => new Date()),
  };
}

/** Trusted authors of agentloop's hidden state: itself, allow-listed bots, and writers. */
export function trustedAuthor(rc: RunContext): (login: string) => Promise<boolean> {
  return async (login) => {
    const l = login.toLowerCase();
    if (rc.selfLogins.some((s) => s.toLowerCase() === l)) return true;
    if (rc.config.allowedBots.includes(login)) return true;
    return rc.permissions.isWriter(login);
  };
}
