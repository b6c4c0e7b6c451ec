// git in the runner's workspace (DESIGN §8): argument arrays via execFile, never a shell; the token is
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
  dir: string;
  /** https://host/owner/repo.git — without credentials. */
  remoteUrl: string;
  token: string;
  identity: GitIdentity;
}

/** Pushing as a port: the run context holds one, and the dry-run boundary replaces it. */
export interface GitRemote {
  push(ws: Workspace, branch: string, expect: string | null | undefined): Promise<void>;
}

const BASE_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };

function authEnv(token: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  // GIT_CONFIG_* keeps the header out of argv (visible in ps) and out of .git/config.
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

export function git(
  ws: Workspace,
  args: string[],
  opts: { auth?: boolean; allowFail?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ws.dir,
    ...BASE_ENV,
    GIT_AUTHOR_NAME: ws.identity.name,
    GIT_AUTHOR_EMAIL: ws.identity.email,
    GIT_COMMITTER_NAME: ws.identity.name,
    GIT_COMMITTER_EMAIL: ws.identity.email,
    ...(opts.auth ? authEnv(ws.token) : {}),
  };
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: ws.dir, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      if (code !== 0 && !opts.allowFail) reject(new GitError(args, code, stderr));
      else resolve({ code, stdout, stderr });
    });
  });
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
  await git(ws, ['clean', '-fdq']);
  await git(ws, ['checkout', '--quiet', '-B', branch, start]);
}

export interface ChangedFile {
  path: string;
  added: number;
  removed: number;
}

/** Changed files of a `git diff` (renames as delete + add; binary files count one line each way). */
async function numstat(ws: Workspace, diffArgs: string[]): Promise<ChangedFile[]> {
  const { stdout } = await git(ws, ['diff', '--numstat', '--no-renames', ...diffArgs]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [a, r, ...p] = line.split('\t');
      return { path: p.join('\t'), added: a === '-' ? 1 : Number(a), removed: r === '-' ? 1 : Number(r) };
    });
}

/** Stage everything the agent did and list it. */
export async function stageAll(ws: Workspace): Promise<ChangedFile[]> {
  await git(ws, ['add', '--all']);
  return numstat(ws, ['--cached', 'HEAD']);
}

/** What a branch changes relative to where it forked from `base`. */
export function branchChanges(ws: Workspace, base: string): Promise<ChangedFile[]> {
  return numstat(ws, [`${base}...HEAD`]);
}

export async function commit(ws: Workspace, message: string): Promise<string> {
  // The message is one argv element: no shell ever sees it.
  await git(ws, ['commit', '--quiet', '--no-verify', '-m', message]);
  return head(ws);
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

/** Files with unresolved conflicts in the index. */
export async function conflictedFiles(ws: Workspace): Promise<string[]> {
  const { stdout } = await git(ws, ['diff', '--name-only', '--diff-filter=U']);
  return stdout.split('\n').filter(Boolean);
}

export type RebaseStep = { done: true } | { done: false; conflicts: string[] };

/** Start a rebase of HEAD onto `upstream`; stops at the first conflicting commit. */
export async function startRebase(ws: Workspace, upstream: string): Promise<RebaseStep> {
  const r = await git(ws, ['rebase', '--quiet', upstream], { allowFail: true });
  if (r.code === 0) return { done: true };
  const conflicts = await conflictedFiles(ws);
  if (!conflicts.length) throw new GitError(['rebase', upstream], r.code, r.stderr);
  return { done: false, conflicts };
}

/** After the conflicts are resolved in the tree: stage and continue; may stop at the next commit. */
export async function continueRebase(ws: Workspace): Promise<RebaseStep> {
  await git(ws, ['add', '--all']);
  const r = await git(ws, ['-c', 'core.editor=true', 'rebase', '--continue'], { allowFail: true });
  if (r.code === 0) return { done: true };
  const conflicts = await conflictedFiles(ws);
  if (!conflicts.length) throw new GitError(['rebase', '--continue'], r.code, r.stderr);
  return { done: false, conflicts };
}

export async function abortRebase(ws: Workspace): Promise<void> {
  await git(ws, ['rebase', '--abort'], { allowFail: true });
}

/** Files that still hold conflict markers (an agent that "resolved" nothing). */
export async function filesWithMarkers(ws: Workspace, files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const r = await git(ws, ['grep', '-l', '-E', '^(<<<<<<<|>>>>>>>)( |$)', '--', f], { allowFail: true });
    if (r.code === 0 && r.stdout.trim()) out.push(f);
  }
  return out;
}
