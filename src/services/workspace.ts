// agentloop's own git repository for one run: a fresh private directory in the runner's temp dir that
// the agent never sees. The runner's checkout (GITHUB_WORKSPACE) is not used for git at all.
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { git, initRepo, type Workspace } from '../git/repo.js';
import type { RunContext } from './context.js';

export async function openWorkspace(rc: RunContext): Promise<Workspace> {
  await mkdir(rc.env.tempDir, { recursive: true });
  const root = await mkdtemp(join(rc.env.tempDir, 'agentloop-git-'));
  await chmod(root, 0o700);
  const dir = join(root, 'repo');
  const home = join(root, 'home');
  await mkdir(dir);
  await mkdir(home);
  const host = new URL(rc.env.serverUrl).host;
  const ws = {
    dir,
    home,
    remoteUrl: `${rc.env.serverUrl}/${rc.env.owner}/${rc.env.repo}.git`,
    token: rc.config.token,
    identity: { name: 'agentloop', email: `agentloop-bot@users.noreply.${host}` },
  };
  await initRepo(ws);
  return ws;
}

/**
 * Give the agent's copy its own small git repository (one commit of the files it starts from), so it
 * can see what it changed. agentloop never reads that repository back.
 */
export async function initAgentRepo(dir: string, home: string): Promise<void> {
  const ws = { dir, home, remoteUrl: '', token: '', identity: { name: 'agentloop', email: 'agentloop@localhost' } };
  await git(ws, ['init', '--quiet']);
  await git(ws, ['add', '--all']);
  await git(ws, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', 'The files this task starts from']);
}

/** A Co-authored-by trailer crediting the person who asked for the change. */
export function coAuthor(rc: RunContext, login: string): string {
  const host = new URL(rc.env.serverUrl).host;
  return `Co-authored-by: ${login} <${login}@users.noreply.${host}>`;
}
