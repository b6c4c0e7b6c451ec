// Writing commits and refs with plumbing (a throwaway index; no work tree needed). Ref updates are
// compare-and-swap, so a concurrent writer fails loudly instead of losing an update.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { branchRef, cleanPath, resolveCommit, revParse } from './git-read.js';
import {
  FORGE_IDENTITY,
  GitCommandError,
  git,
  type Identity,
  identityEnv,
  RefChangedError,
  RefNotFoundError,
  withRepoLock,
  ZERO_SHA,
} from './git-run.js';

export function commitMessage(title: string, body?: string): string {
  return body ? `${title}\n\n${body}` : title;
}

/** Compare-and-swap ref update: fails (RefChangedError) if the ref is no longer at `old`. */
export async function casUpdateRef(gitDir: string, ref: string, next: string, old: string): Promise<void> {
  try {
    await git(gitDir, ['update-ref', '-m', 'embedded-forge', ref, next, old]);
  } catch (e) {
    if (e instanceof GitCommandError) throw new RefChangedError(ref, old, await revParse(gitDir, ref));
    throw e;
  }
}

/** Builds a tree from `parent`'s tree (or empty) with `files` applied; returns the tree sha. */
export async function buildTree(gitDir: string, parent: string | null, files: Record<string, string | null>): Promise<string> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'embedded-git-index-'));
  const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
  try {
    if (parent !== null) await git(gitDir, ['read-tree', parent], { env });
    else await git(gitDir, ['read-tree', '--empty'], { env });
    let info = '';
    for (const [p, content] of Object.entries(files)) {
      const clean = cleanPath(p);
      if (content === null) {
        info += `0 ${ZERO_SHA}\t${clean}\0`;
      } else {
        const blob = (await git(gitDir, ['hash-object', '-w', '--stdin'], { input: content })).stdout.trim();
        info += `100644 ${blob}\t${clean}\0`;
      }
    }
    if (info !== '') await git(gitDir, ['update-index', '-z', '--index-info'], { env, input: info });
    return (await git(gitDir, ['write-tree'], { env })).stdout.trim();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function commitTree(
  gitDir: string,
  tree: string,
  parents: string[],
  message: string,
  author: Identity,
  committer: Identity = author,
): Promise<string> {
  const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])];
  // Message via stdin keeps it byte-exact (no -m paragraph joining).
  const text = message.endsWith('\n') ? message : `${message}\n`;
  const r = await git(gitDir, args, { input: text, env: identityEnv(author, committer) });
  return r.stdout.trim();
}

export interface InitOptions {
  defaultBranch: string;
  files: Record<string, string>;
  message: string;
  author?: Identity;
}

/** Creates a bare repository (push over HTTP enabled) whose default branch has one commit. */
export async function initBareRepo(gitDir: string, opts: InitOptions): Promise<string> {
  await git(null, ['init', '--quiet', '--bare', `--initial-branch=${opts.defaultBranch}`, gitDir]);
  await git(gitDir, ['config', 'http.receivepack', 'true']);
  return withRepoLock(gitDir, async () => {
    const tree = await buildTree(gitDir, null, opts.files);
    const sha = await commitTree(gitDir, tree, [], opts.message, opts.author ?? FORGE_IDENTITY);
    await casUpdateRef(gitDir, branchRef(opts.defaultBranch), sha, ZERO_SHA);
    return sha;
  });
}

export interface CommitOptions {
  author?: Identity;
  committer?: Identity;
  /** Start the branch here (branch name or sha) when it does not exist yet. */
  from?: string;
  /** Refuse (RefChangedError) unless the branch is at this sha, like the contents API's blob sha check. */
  expectedHeadSha?: string;
}

/** Commits `files` (null = delete) on top of `branch`; returns the new commit sha. */
export async function commitFiles(
  gitDir: string,
  branch: string,
  files: Record<string, string | null>,
  message: string,
  opts: CommitOptions = {},
): Promise<string> {
  return withRepoLock(gitDir, async () => {
    const ref = branchRef(branch);
    let parent = await revParse(gitDir, ref);
    const old = parent ?? ZERO_SHA;
    if (parent === null) {
      if (opts.from === undefined) throw new RefNotFoundError(branch);
      parent = await resolveCommit(gitDir, opts.from);
    } else if (opts.expectedHeadSha !== undefined && opts.expectedHeadSha !== parent) {
      throw new RefChangedError(ref, opts.expectedHeadSha, parent);
    }
    const tree = await buildTree(gitDir, parent, files);
    const author = opts.author ?? FORGE_IDENTITY;
    const sha = await commitTree(gitDir, tree, [parent], message, author, opts.committer ?? author);
    await casUpdateRef(gitDir, ref, sha, old);
    return sha;
  });
}

/** Points a ref at sha (create, or move when `expectedOld` matches / is omitted = force). */
export async function updateRef(gitDir: string, ref: string, sha: string, expectedOld?: string): Promise<void> {
  return withRepoLock(gitDir, async () => {
    const full = branchRef(ref);
    const target = await resolveCommit(gitDir, sha);
    if (expectedOld === undefined) await git(gitDir, ['update-ref', '-m', 'embedded-forge', full, target]);
    else await casUpdateRef(gitDir, full, target, expectedOld);
  });
}

/** Deletes a ref ('feature' = refs/heads/feature); false if it did not exist. */
export async function deleteRef(gitDir: string, ref: string, expectedOld?: string): Promise<boolean> {
  return withRepoLock(gitDir, async () => {
    const full = branchRef(ref);
    const cur = await revParse(gitDir, full);
    if (cur === null) return false;
    if (expectedOld !== undefined && expectedOld !== cur) throw new RefChangedError(full, expectedOld, cur);
    // With the old value given, update-ref -d is itself a compare-and-swap.
    await git(gitDir, ['update-ref', '-d', full, cur]).catch(async (e: unknown) => {
      throw e instanceof GitCommandError ? new RefChangedError(full, cur, await revParse(gitDir, full)) : e;
    });
    return true;
  });
}
