// The runner's checkout as a git workspace agentloop may commit in and push from.
import type { Workspace } from '../git/workspace.js';
import type { RunContext } from './context.js';

export function workspaceOf(rc: RunContext): Workspace {
  const host = new URL(rc.env.serverUrl).host;
  return {
    dir: rc.env.workspace,
    remoteUrl: `${rc.env.serverUrl}/${rc.env.owner}/${rc.env.repo}.git`,
    token: rc.config.token,
    identity: { name: 'agentloop', email: `agentloop-bot@users.noreply.${host}` },
  };
}

/** A Co-authored-by trailer crediting the person who asked for the change. */
export function coAuthor(rc: RunContext, login: string): string {
  const host = new URL(rc.env.serverUrl).host;
  return `Co-authored-by: ${login} <${login}@users.noreply.${host}>`;
}
