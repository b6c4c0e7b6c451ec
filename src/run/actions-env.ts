// The Actions environment a run starts from: inputs, event, repository, run identity.
import { readFileSync } from 'node:fs';
import { INPUT_KEYS } from '../core/config.js';
import type { ForgeKind } from '../core/model.js';
import type { ActionsEnv } from '../core/run-env.js';

export type { ActionsEnv };

/** Actions sets INPUT_<NAME> with the name upper-cased and spaces as underscores (hyphens kept). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function readInputs(env: NodeJS.ProcessEnv): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const key of INPUT_KEYS) inputs[key] = env[inputEnvName(key)] ?? '';
  return inputs;
}

/**
 * The forge this run talks to: the `forge` input when it names one; otherwise FORGEJO_ACTIONS, then
 * GITEA_ACTIONS (a Forgejo or Gitea runner), then GitHub. A bad input value falls back to detection
 * here and is refused with the other configuration errors when the configuration is parsed.
 */
export function detectForge(env: NodeJS.ProcessEnv): ForgeKind {
  const input = (env[inputEnvName('forge')] ?? '').trim();
  if (input === 'github' || input === 'forgejo') return input;
  if (env.FORGEJO_ACTIONS === 'true') return 'forgejo';
  if (env.GITEA_ACTIONS === 'true') return 'forgejo';
  return 'github';
}

export function readActionsEnv(env: NodeJS.ProcessEnv = process.env): ActionsEnv {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new Error('GITHUB_REPOSITORY is not set (expected owner/name): is this running inside a workflow?');
  const eventPath = env.GITHUB_EVENT_PATH;
  const payload = eventPath ? (JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>) : {};
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const runId = env.GITHUB_RUN_ID ?? `local-${process.pid}`;
  return {
    forge: detectForge(env),
    eventName: env.GITHUB_EVENT_NAME ?? 'workflow_dispatch',
    payload,
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    serverUrl,
    runId,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}`,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    tempDir: env.RUNNER_TEMP ?? env.TMPDIR ?? '/tmp',
    inputs: readInputs(env),
  };
}
