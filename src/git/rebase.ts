// Rebasing a loop branch in agentloop's own repository. When a commit conflicts, the agent resolves the
// conflicted files in its sandbox; agentloop copies back only those files, as data, and continues.
import { constants } from 'node:fs';
import { lstat, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GitError, git, type Workspace } from './repo.js';
import { changesBetween, type TreeChange } from './tree.js';

/** Files with unresolved conflicts in the index. */
export async function conflictedFiles(ws: Workspace): Promise<string[]> {
  const { stdout } = await git(ws, ['diff', '-z', '--name-only', '--diff-filter=U']);
  return stdout.split('\0').filter(Boolean);
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

/**
 * Take the agent's version of each conflicted file (a regular file, or gone = deleted) from `agentDir`,
 * stage it, and continue; may stop at the next commit. Anything else the agent changed is ignored.
 */
export async function continueRebase(ws: Workspace, agentDir: string, files: readonly string[]): Promise<RebaseStep> {
  for (const file of files) {
    const content = await readAgentFile(agentDir, file);
    if (content === undefined) {
      await git(ws, ['rm', '--quiet', '--cached', '--ignore-unmatch', '--', file]);
      continue;
    }
    const to = join(ws.dir, file);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, content);
    await git(ws, ['add', '--', file]);
  }
  const r = await git(ws, ['-c', 'core.editor=true', 'rebase', '--continue'], { allowFail: true });
  if (r.code === 0) return { done: true };
  const conflicts = await conflictedFiles(ws);
  if (!conflicts.length) throw new GitError(['rebase', '--continue'], r.code, r.stderr);
  return { done: false, conflicts };
}

/**
 * A regular file under `root`, read without following any symlink on the way (a directory the agent
 * replaced with a link to /etc must not turn into a read of /etc). undefined: the file is gone.
 */
export async function readAgentFile(root: string, rel: string): Promise<Buffer | undefined> {
  const parts = rel.split('/');
  let at = root;
  for (const [i, part] of parts.entries()) {
    if (part === '' || part === '.' || part === '..') throw new Error(`refusing the path ${JSON.stringify(rel)}`);
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st) return undefined;
    const last = i === parts.length - 1;
    if (last ? !st.isFile() : !st.isDirectory()) throw new Error(`the agent left ${rel} as something other than a regular file`);
  }
  const fh = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

export async function abortRebase(ws: Workspace): Promise<void> {
  await git(ws, ['rebase', '--abort'], { allowFail: true });
}

/** Files that still hold conflict markers (an agent that "resolved" nothing). */
export async function filesWithMarkers(agentDir: string, files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    const text = (await readAgentFile(agentDir, f).catch(() => undefined))?.toString('utf8') ?? '';
    if (/^(<<<<<<<|>>>>>>>)( |$)/m.test(text)) out.push(f);
  }
  return out;
}

/** What the branch changes relative to where it forked from `base`. */
export async function branchChanges(ws: Workspace, base: string): Promise<TreeChange[]> {
  const forkPoint = (await git(ws, ['merge-base', base, 'HEAD'])).stdout.trim();
  return changesBetween(ws, forkPoint, 'HEAD');
}
