import type { AgentPort } from '../../src/agent/port.js';
// Run agentloop's tick in-process against the embedded forge: the same code as dist, with knobs
// (tiny timeouts, no backoff) a child process would not get.
import { type Config, parseConfig } from '../../src/core/config.js';
import { normalizeEvent } from '../../src/core/event.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Forge } from '../../src/forge/forge.js';
import { createForgejoForge } from '../../src/forge/forgejo.js';
import { createGitHubForge } from '../../src/forge/github.js';
import { tick } from '../../src/run/tick.js';
import { createRunContext, type RunContext } from '../../src/services/context.js';
import { resolveIdentity } from '../../src/services/identity.js';
import { cloneWorkspace, type Harness } from './harness.js';

export interface TickOptions {
  eventName?: string;
  payload?: Record<string, unknown>;
  inputs?: Record<string, string>;
  config?: Partial<Config>;
  token?: string;
  env?: NodeJS.ProcessEnv;
  /** Replaces the agent port (e.g. one that cannot isolate). */
  agent?: AgentPort;
}

let runCounter = 500;

export async function inProcessContext(h: Harness, opts: TickOptions = {}): Promise<RunContext> {
  const token = opts.token ?? h.botToken;
  const where = { token, owner: h.repo.owner, repo: h.repo.name, baseUrl: h.forge.urls.api, retryAfterBaseMs: 1 };
  const forge: Forge =
    h.flavor === 'forgejo' ? createForgejoForge({ ...where, conflictRecheckMs: 0 }) : createGitHubForge({ ...where, spaceWrites: false });
  // As a run does: the repository's config file from the default branch, under the inputs.
  const fileText = await forge.getFileText('.github/agentloop.yml', h.repo.defaultBranch);
  const config = { ...parseConfig({ inputs: { token, ...opts.inputs }, fileText }), ...opts.config };
  const runId = String(runCounter++);
  // Who agentloop is, as run/setup.ts finds it: on GitHub the harness's workflow token acts as
  // github-actions[bot]; on Forgejo the bot user's token is asked who it is.
  const identity = await resolveIdentity(forge, { token, workflowToken: h.workflowToken, appSlug: '' });
  if (!identity.ok) throw new Error(identity.message);
  return createRunContext({
    selfLogin: identity.login,
    env: {
      forge: h.flavor,
      eventName: opts.eventName ?? 'workflow_dispatch',
      payload: opts.payload ?? { inputs: {} },
      owner: h.repo.owner,
      repo: h.repo.name,
      apiUrl: h.forge.urls.api,
      serverUrl: h.forge.urls.web,
      runId,
      runUrl: `${h.forge.urls.web}/${h.repo.owner}/${h.repo.name}/actions/runs/${runId}`,
      workspace: await cloneWorkspace(h),
      tempDir: h.dir,
      inputs: {},
    },
    config,
    forge,
    log: silentLogger,
    defaultBranch: h.repo.defaultBranch,
    processEnv: { PATH: process.env.PATH, HOME: h.dir, ...opts.env },
    ...(opts.agent ? { agent: opts.agent } : {}),
  });
}

export async function tickInProcess(h: Harness, opts: TickOptions = {}) {
  const rc = await inProcessContext(h, opts);
  return tick(rc, normalizeEvent(rc.env.eventName, rc.env.payload));
}
