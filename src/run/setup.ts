// From the Actions environment to a run context: token, forge client, default branch, configuration.
// Shared by the action (main.ts) and the CLI's commands.
import { ConfigError, DEFAULTS, parseConfig } from '../core/config.js';
import type { LoopEvent } from '../core/event.js';
import type { Logger } from '../core/logger.js';
import type { Forge } from '../forge/forge.js';
import { createGitHubForge } from '../forge/github.js';
import { createRunContext, type RunContext } from '../services/context.js';
import { identityNeeded, resolveIdentity } from '../services/identity.js';
import type { ActionsEnv } from './actions-env.js';

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

export type Setup = { ok: true; rc: RunContext; forge: Forge } | { ok: false; message: string };

/** `event`: what woke the run, when known; it decides whether the run needs to know who it is. */
export async function setupRun(env: ActionsEnv, log: Logger, processEnv: NodeJS.ProcessEnv, event?: LoopEvent): Promise<Setup> {
  const token = env.inputs.token || processEnv.GITHUB_TOKEN || '';
  const local = LOOPBACK.test(`${env.apiUrl}/`);
  const logger = { info: (m: string) => log.info(m), warning: (m: string) => log.warning(m) };
  let forge: Forge;
  if (env.forge === 'forgejo') {
    // Loaded by Forgejo runs alone: a GitHub run does not parse the other adapter at start-up.
    const { createForgejoForge, versionProblem } = await import('../forge/forgejo.js');
    const forgejo = createForgejoForge({
      token,
      owner: env.owner,
      repo: env.repo,
      baseUrl: env.apiUrl,
      logger,
      retryAfterBaseMs: local ? 20 : 1000,
    });
    // Once per run, before anything else: the version gates what agentloop may rely on (concurrency: from v14).
    const version = await forgejo.serverVersion();
    const problem = versionProblem(version);
    if (problem) return { ok: false, message: problem };
    log.info(`Forgejo ${version.version}`);
    forge = forgejo;
  } else
    forge = createGitHubForge({
      token,
      owner: env.owner,
      repo: env.repo,
      baseUrl: env.apiUrl,
      logger,
      // GitHub asks for spaced writes and patient retries; a forge on this machine (tests, the demo)
      // answers in microseconds, so the same retries run with short waits there.
      spaceWrites: !local,
      retryAfterBaseMs: local ? 20 : 1000,
    });
  try {
    const repository = env.payload.repository as { default_branch?: string } | undefined;
    const defaultBranch = repository?.default_branch ?? (await forge.getRepo()).defaultBranch;
    const fileName = env.inputs['config-file'] || DEFAULTS['config-file']!;
    const fileText = await forge.getFileText(fileName, defaultBranch);
    const config = parseConfig({ inputs: { ...env.inputs, token }, fileText, fileName });
    // Who agentloop is here, once, before any item is read: at most one request (none for the
    // workflow token or with app-slug), and none at all for runs that read no items.
    let selfLogin: string | undefined;
    if (!event || identityNeeded(event, config.lane, defaultBranch)) {
      const identity = await resolveIdentity(forge, { token, workflowToken: config.workflowToken, appSlug: config.appSlug });
      if (!identity.ok) return { ok: false, message: identity.message };
      selfLogin = identity.login;
      log.info(`agentloop acts as @${selfLogin} (${identity.source})`);
    }
    return { ok: true, forge, rc: createRunContext({ env, config, forge, log, defaultBranch, processEnv, selfLogin }) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
}
