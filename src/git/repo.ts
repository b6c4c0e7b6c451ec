// git in agentloop's own repository (DESIGN §8): a private directory the agent never sees, argument
// arrays via execFile (never a shell), and no configuration or hook that anyone else wrote — no system
// or global config, hooks and fsmonitor off, HOME pointing at an empty private directory. The token is
// handed to git only for the commands that talk to the forge, through environment config (not argv),
// and never stored in .git/config.
import { execFile } from 'node:child_process';

export interface GitIdentity {
  name: string;
  email: string;
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export interface Workspace {
  /** agentloop's repository and work tree: private (0700), never handed to the agent. */
  dir: string;
  /** An empty private directory: HOME and XDG_CONFIG_HOME for git, so no user config applies. */
  home: string;
  /** https://host/owner/repo.git — without credentials. */
  remoteUrl: string;
  token: string;
  identity: GitIdentity;
}

/** Pushing as a port: the run context holds one, and the dry-run boundary replaces it. */
export interface GitRemote {
  push(ws: Workspace, branch: string, expect: string | null | undefined): Promise<void>;
}

/** Settings every git command gets, whatever a repository's files say. */
const SAFE_CONFIG: [string, string][] = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['core.untrackedCache', 'false'],
  ['core.autocrlf', 'false'],
  ['core.symlinks', 'true'],
  ['protocol.ext.allow', 'never'],
];

function configEnv(extra: [string, string][]): Record<string, string> {
  // GIT_CONFIG_* keeps values out of argv (visible in ps) and out of .git/config.
  const all = [...SAFE_CONFIG, ...extra];
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(all.length) };
  all.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function authHeader(token: string): [string, string] {
  return ['http.extraHeader', `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`];
}

export interface GitOptions {
  auth?: boolean;
  allowFail?: boolean;
  /** Extra environment (GIT_INDEX_FILE for a scratch index). */
  env?: Record<string, string>;
}

export function git(ws: Workspace, args: string[], opts: GitOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: ws.home,
    XDG_CONFIG_HOME: ws.home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: ws.identity.name,
    GIT_AUTHOR_EMAIL: ws.identity.email,
    GIT_COMMITTER_NAME: ws.identity.name,
    GIT_COMMITTER_EMAIL: ws.identity.email,
    ...configEnv(opts.auth ? [authHeader(ws.token)] : []),
    ...opts.env,
  };
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: ws.dir, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      if (code !== 0 && !opts.allowFail) reject(new GitError(args, code, stderr));
      else resolve({ code, stdout, stderr });
    });
  });
}

export async function initRepo(ws: Workspace): Promise<void> {
  await git(ws, ['init', '--quiet']);
}

export async function fetchBranch(ws: Workspace, branch: string): Promise<string | null> {
  const r = await git(ws, ['fetch', '--quiet', '--no-tags', ws.remoteUrl, `+refs/heads/${branch}:refs/remotes/origin/${branch}`], {
    auth: true,
    allowFail: true,
  });
  if (r.code !== 0) return null;
  return (await git(ws, ['rev-parse', `refs/remotes/origin/${branch}`])).stdout.trim();
}

/** A clean working tree on `branch`, starting at `start` (a ref or sha). */
export async function checkoutFresh(ws: Workspace, branch: string, start: string): Promise<void> {
  await git(ws, ['reset', '--hard', '--quiet'], { allowFail: true });
  await git(ws, ['clean', '-ffdq']);
  await git(ws, ['checkout', '--quiet', '-B', branch, start]);
}

export async function head(ws: Workspace): Promise<string> {
  return (await git(ws, ['rev-parse', 'HEAD'])).stdout.trim();
}

/**
 * Push HEAD to a branch. `expect` is the sha the remote branch must still have (force-with-lease),
 * or null when the branch must not exist yet.
 */
export async function push(ws: Workspace, branch: string, expect: string | null | undefined): Promise<void> {
  const lease = expect === undefined ? [] : [`--force-with-lease=refs/heads/${branch}:${expect ?? ''}`];
  await git(ws, ['push', '--quiet', ...lease, ws.remoteUrl, `HEAD:refs/heads/${branch}`], { auth: true });
}

export const gitRemote: GitRemote = { push };
