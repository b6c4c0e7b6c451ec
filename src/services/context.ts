// Everything one run needs, built once at start-up and passed to the transitions.
import { type AgentPort, processAgent } from '../agent/port.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { ActionsEnv } from '../core/run-env.js';
import type { Forge } from '../forge/forge.js';
import { type GitRemote, gitRemote } from '../git/repo.js';
import { Budget } from './budget.js';
import { dryRunAgent, dryRunForge, dryRunGit } from './dry-run.js';
import { workflowTokenLogin } from './identity.js';
import { LabelWriter } from './label-writer.js';
import { StepRecorder } from './steps.js';
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
  /**
   * The login agentloop acts as on this forge (services/identity.ts): labels it applied authorize
   * themselves, and only comments it wrote are its status comment. [] when the run did not resolve it.
   */
  selfLogins: string[];
  trust: Trust;
  /** The request budget (operations-per-run). */
  budget: Budget;
  labels: LabelWriter;
  /** The named steps this run passes (core/steps.ts). */
  steps: StepRecorder;
  /** The environment the agent's allowlist is taken from. */
  processEnv: NodeJS.ProcessEnv;
  now(): Date;
}

export type RunParts = Pick<RunContext, 'env' | 'config' | 'forge' | 'log' | 'defaultBranch' | 'processEnv'> &
  Partial<Pick<RunContext, 'agent' | 'git' | 'now'>> & {
    /** The login the token acts as (resolved in run/setup.ts); undefined when the run does not need it. */
    selfLogin: string | undefined;
  };

export function createRunContext(parts: RunParts): RunContext {
  // The dry-run boundary: every effect below goes through these three ports.
  const dry = parts.config.dryRun;
  const agent = parts.agent ?? processAgent(parts.config.agentIsolation);
  const forge = dry ? dryRunForge(parts.forge, parts.log) : parts.forge;
  const { selfLogin, ...rest } = parts;
  const steps = new StepRecorder(parts.log, parts.processEnv.AGENTLOOP_CRASH_AT || undefined);
  const selfLogins = selfLogin ? [selfLogin] : [];
  // Plans are also read from the plan lane's identity: its template gives it only the workflow token.
  const planLogins = [workflowTokenLogin(parts.forge)].filter((l): l is string => l !== undefined);
  return {
    ...rest,
    forge,
    agent: dry ? dryRunAgent(agent, parts.log) : agent,
    git: dry ? dryRunGit(parts.log) : (parts.git ?? gitRemote),
    selfLogins,
    trust: new Trust(new Permissions(forge, parts.log), { selfLogins, allowedBots: parts.config.allowedBots, planLogins }),
    budget: new Budget(forge, parts.config.operationsPerRun),
    labels: new LabelWriter(forge, parts.config.labelNames, () => steps.reached('labels-partial')),
    steps,
    now: parts.now ?? (() => new Date()),
  };
}
