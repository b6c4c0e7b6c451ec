// Comparisons and merges as the forge's buttons do them: mergeability (in-memory merge-tree), compare,
// merge/squash/rebase of a pull request, and update-branch.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { branchRef, branchSha, resolveCommit } from './git-read.js';
import {
  FORGE_IDENTITY,
  git,
  gitDate,
  type Identity,
  MergeConflictError,
  NothingToMergeError,
  RefChangedError,
  withRepoLock,
} from './git-run.js';
import { casUpdateRef, commitMessage, commitTree } from './git-write.js';

/** [behindBy, aheadBy] of head relative to base. */
async function behindAhead(gitDir: string, base: string, head: string): Promise<[number, number]> {
  const r = await git(gitDir, ['rev-list', '--left-right', '--count', `${base}...${head}`]);
  const [behind, ahead] = r.stdout.trim().split(/\s+/).map(Number);
  return [behind ?? 0, ahead ?? 0];
}

/** Merges two commits in memory (merge-tree --write-tree, git ≥ 2.38): tree sha, or the conflicted paths. */
async function mergeTrees(gitDir: string, ours: string, theirs: string): Promise<{ tree: string; conflicts: string[] }> {
  const r = await git(gitDir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs], {
    okCodes: [1],
  });
  const [tree = '', ...files] = r.stdout.split('\0').filter((x) => x !== '');
  return { tree, conflicts: r.code === 1 ? [...new Set(files)] : [] };
}

export interface Mergeability {
  mergeable: boolean;
  conflicts: string[];
  behindBy: number;
  aheadBy: number;
}

export async function mergeability(gitDir: string, base: string, head: string): Promise<Mergeability> {
  const baseSha = await resolveCommit(gitDir, base);
  const headSha = await resolveCommit(gitDir, head);
  const [behindBy, aheadBy] = await behindAhead(gitDir, baseSha, headSha);
  const { conflicts } = await mergeTrees(gitDir, baseSha, headSha);
  return { mergeable: conflicts.length === 0, conflicts, behindBy, aheadBy };
}

export interface Comparison {
  aheadBy: number;
  behindBy: number;
  mergeBaseSha: string | null;
  status: 'identical' | 'ahead' | 'behind' | 'diverged';
  /** Commits in head not in base, oldest first (GitHub's compare `commits`). */
  commits: string[];
}

export async function compareCommits(gitDir: string, base: string, head: string): Promise<Comparison> {
  const baseSha = await resolveCommit(gitDir, base);
  const headSha = await resolveCommit(gitDir, head);
  const [behindBy, aheadBy] = await behindAhead(gitDir, baseSha, headSha);
  const mb = await git(gitDir, ['merge-base', baseSha, headSha], { okCodes: [1] });
  const list = await git(gitDir, ['rev-list', '--reverse', `${baseSha}..${headSha}`]);
  const status = aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
  return {
    aheadBy,
    behindBy,
    mergeBaseSha: mb.code === 0 ? mb.stdout.trim() : null,
    status,
    commits: list.stdout.split('\n').filter((x) => x !== ''),
  };
}

export interface MergePullOptions {
  /** Base branch name (it is the ref that moves). */
  base: string;
  /** Head branch name or sha. */
  head: string;
  method: 'merge' | 'squash' | 'rebase';
  title: string;
  message?: string;
  author?: Identity;
  committer?: Identity;
  /** Pin: refuse (RefChangedError) unless head resolves to this sha (the merge API's `sha`). */
  expectedHeadSha?: string;
}

/** Merges head into base the way the forge's merge button does; returns the new base sha. */
export async function mergePull(gitDir: string, opts: MergePullOptions): Promise<{ sha: string }> {
  return withRepoLock(gitDir, async () => {
    const ref = branchRef(opts.base);
    const baseSha = await branchSha(gitDir, opts.base);
    const headSha = await resolveCommit(gitDir, opts.head);
    if (opts.expectedHeadSha !== undefined && opts.expectedHeadSha !== headSha) {
      throw new RefChangedError(opts.head, opts.expectedHeadSha, headSha);
    }
    const [, aheadBy] = await behindAhead(gitDir, baseSha, headSha);
    if (aheadBy === 0) throw new NothingToMergeError(opts.base, opts.head);
    const author = opts.author ?? FORGE_IDENTITY;
    const committer = opts.committer ?? FORGE_IDENTITY;
    let sha: string;
    if (opts.method === 'rebase') {
      sha = await rebaseOnto(gitDir, baseSha, headSha, committer);
    } else {
      const { tree, conflicts } = await mergeTrees(gitDir, baseSha, headSha);
      if (conflicts.length > 0) throw new MergeConflictError(conflicts);
      const parents = opts.method === 'merge' ? [baseSha, headSha] : [baseSha];
      sha = await commitTree(gitDir, tree, parents, commitMessage(opts.title, opts.message), author, committer);
    }
    await casUpdateRef(gitDir, ref, sha, baseSha);
    return { sha };
  });
}

/**
 * Replays head's commits onto base; returns the new tip. git 2.39's merge-tree cannot cherry-pick
 * (no --merge-base), so this uses a throwaway detached worktree and `git rebase`. --force-rebase
 * matches GitHub, which rewrites the commits even when a fast-forward would do. Authors are kept.
 */
async function rebaseOnto(gitDir: string, baseSha: string, headSha: string, committer: Identity): Promise<string> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'embedded-git-rebase-'));
  const wt = path.join(tmp, 'wt');
  try {
    await git(gitDir, ['worktree', 'add', '--quiet', '--detach', wt, headSha]);
    // Only the committer is ours; rebase keeps each commit's author from the commit itself.
    const env = {
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: gitDate(committer.date),
    };
    const r = await git(null, ['rebase', '--quiet', '--force-rebase', baseSha], { cwd: wt, env, okCodes: [1] });
    if (r.code !== 0) {
      const u = await git(null, ['diff', '--name-only', '-z', '--diff-filter=U'], { cwd: wt });
      await git(null, ['rebase', '--abort'], { cwd: wt, okCodes: [1, 128] });
      throw new MergeConflictError(u.stdout.split('\0').filter((x) => x !== ''));
    }
    return (await git(null, ['rev-parse', 'HEAD'], { cwd: wt })).stdout.trim();
  } finally {
    await git(gitDir, ['worktree', 'remove', '--force', wt], { okCodes: [128] }).catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    await git(gitDir, ['worktree', 'prune']).catch(() => {});
  }
}

export interface UpdateBranchOptions {
  base: string;
  head: string;
  /** GitHub's `expected_head_sha`: refuse (RefChangedError → 422) if head moved. */
  expectedHeadSha?: string;
  author?: Identity;
  committer?: Identity;
}

/** Merges base into head (GitHub's update-branch, merge style); returns head's sha afterwards. */
export async function updateBranch(gitDir: string, opts: UpdateBranchOptions): Promise<string> {
  return withRepoLock(gitDir, async () => {
    const ref = branchRef(opts.head);
    const headSha = await branchSha(gitDir, opts.head);
    if (opts.expectedHeadSha !== undefined && opts.expectedHeadSha !== headSha) {
      throw new RefChangedError(ref, opts.expectedHeadSha, headSha);
    }
    const baseSha = await resolveCommit(gitDir, opts.base);
    const [behindBy] = await behindAhead(gitDir, baseSha, headSha);
    if (behindBy === 0) return headSha; // already contains base
    const { tree, conflicts } = await mergeTrees(gitDir, headSha, baseSha);
    if (conflicts.length > 0) throw new MergeConflictError(conflicts);
    const author = opts.author ?? FORGE_IDENTITY;
    const message = `Merge branch '${opts.base}' into ${opts.head}`;
    const sha = await commitTree(gitDir, tree, [headSha, baseSha], message, author, opts.committer ?? FORGE_IDENTITY);
    await casUpdateRef(gitDir, ref, sha, headSha);
    return sha;
  });
}
