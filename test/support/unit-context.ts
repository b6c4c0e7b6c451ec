// A run context over a fake forge, for unit tests of services and transitions: the composition root
// (createRunContext) with test defaults — acme/widget on github.com, run 1, the workflow token's bot.
import { parseConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { ActionsEnv } from '../../src/core/run-env.js';
import type { Forge } from '../../src/forge/forge.js';
import { createRunContext, type RunContext } from '../../src/services/context.js';

export interface UnitContextOptions {
  forge: Forge;
  /** Action inputs on top of a token and an agent command. */
  inputs?: Record<string, string>;
  env?: Partial<ActionsEnv>;
  selfLogin?: string;
  processEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export function unitContext(opts: UnitContextOptions): RunContext {
  return createRunContext({
    env: {
      forge: 'github',
      eventName: 'workflow_dispatch',
      payload: {},
      owner: 'acme',
      repo: 'widget',
      apiUrl: '',
      serverUrl: 'https://github.com',
      runId: '1',
      runUrl: '',
      workspace: '/tmp',
      tempDir: '/tmp',
      inputs: {},
      ...opts.env,
    },
    config: parseConfig({ inputs: { token: 't', 'agent-command': 'x', ...opts.inputs } }),
    forge: opts.forge,
    log: silentLogger,
    defaultBranch: 'main',
    processEnv: opts.processEnv ?? {},
    selfLogin: opts.selfLogin ?? 'github-actions[bot]',
    ...(opts.now ? { now: opts.now } : {}),
  });
}
