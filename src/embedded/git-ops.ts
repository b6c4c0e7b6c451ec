// Server-side git operations of the embedded forge, run against real bare repositories.
// Everything goes through `git` with argument arrays (never a shell) and a hermetic environment,
// so results do not depend on the machine's git config. Ref updates are compare-and-swap and
// serialized per repository, so concurrent API calls fail loudly instead of losing updates.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const ZERO_SHA = '0'.repeat(40);

export interface Identity {
  name: string;
  email: string;
  /** Defaults to now; pass a fixed date for reproducible shas. */
  date?: Date | string;
}

export const FORGE_IDENTITY: Identity = { name: 'Embedded Forge', email: 'noreply@embedded-forge.invalid' };

// ---------------------------------------------------------------------------------------------
// Errors: typed so the API layer can map them to status codes (404 / 405 / 409 / 422).

export type GitOpErrorCode = 'not-found' | 'conflict' | 'stale' | 'nothing-to-merge' | 'git';

export class GitOpError extends Error {
  constructor(
    readonly code: GitOpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class RefNotFoundError extends GitOpError {
  constructor(readonly ref: string) {
    super('not-found', `ref not found: ${ref}`);
  }
}

export class MergeConflictError extends GitOpError {
  constructor(readonly conflicts: string[]) {
    super('conflict', `merge conflict in ${conflicts.join(', ') || '(unknown files)'}`);
  }
}

/** A ref was not at the sha the caller expected (moved concurrently, or a stale pin). */
export class RefChangedError extends GitOpError {
  constructor(
    readonly ref: string,
    readonly expected: string,
    readonly actual: string | null,
  ) {
    super('stale', `${ref} is at ${actual ?? '(missing)'}, expected ${expected}`);
  }
}

export class NothingToMergeError extends GitOpError {
  constructor(base: string, head: string) {
    super('nothing-to-merge', `${base} already contains ${head}`);
  }
}

export class GitCommandError extends GitOpError {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('git', `git ${args.join(' ')} failed (${exitCode}): ${stderr.trim()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Running git hermetically.

let hermeticHome: string | undefined;

/**
 * HOME for every git we run: one shared, empty directory (not per process: vitest workers never run
 * 'exit' hooks, so per-process dirs would pile up). Its contents cannot matter: GIT_CONFIG_GLOBAL
 * below replaces ~/.gitconfig and the XDG file.
 */
function gitHome(): string {
  if (hermeticHome === undefined) {
    hermeticHome = path.join(os.tmpdir(), 'embedded-forge-git-home');
    mkdirSync(hermeticHome, { recursive: true });
  }
  return hermeticHome;
}

/**
 * The environment for git processes: the parent's env minus any GIT_* (a GIT_DIR or GIT_INDEX_FILE
 * leaking in from a hook would redirect us), no system/global config, C locale for parseable output.
 */
export function hermeticGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  const home = gitHome();
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    LANG: 'C',
    ...extra,
  };
}

function gitDate(d: Date | string | undefined): string {
  const date = d === undefined ? new Date() : new Date(d);
  return `@${Math.floor(date.getTime() / 1000)} +0000`;
}

export function identityEnv(author: Identity, committer: Identity = author): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: gitDate(author.date),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: gitDate(committer.date),
  };
}

interface RunOpts {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Exit codes that are answers, not failures (e.g. merge-tree's 1 = conflicts). */
  okCodes?: number[];
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `git <args>`; gitDir (when given) is passed as --git-dir. Throws GitCommandError otherwise. */
export function git(gitDir: string | null, args: string[], opts: RunOpts = {}): Promise<RunResult> {
  const full = gitDir === null ? args : ['--git-dir', gitDir, ...args];
  return new Promise((resolve, reject) => {
    const execOpts = {
      env: hermeticGitEnv(opts.env),
      cwd: opts.cwd ?? os.tmpdir(),
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8' as const,
    };
    const child = execFile('git', full, execOpts, (err, stdout, stderr) => {
      const out = String(stdout);
      const errText = String(stderr);
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      if (code !== null && (code === 0 || (opts.okCodes ?? []).includes(code))) {
        resolve({ stdout: out, stderr: errText, code });
      } else {
        reject(new GitCommandError(full, code, errText || String(err?.message ?? '')));
      }
    });
    // Write stdin (or close it) so git never waits on an inherited terminal.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

// ---------------------------------------------------------------------------------------------
// Per-repository write lock.

const locks = new Map<string, Promise<void>>();

/** Runs fn after every earlier writer of the same repository has finished. */
export async function withRepoLock<T>(gitDir: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(gitDir);
  const prev = locks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  locks.set(key, tail);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(key) === tail) locks.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Names and lookups.

/** 'main' → 'refs/heads/main'; full refs pass through. */
export function branchRef(branch: string): string {
  return branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

const SHA_RE = /^[0-9a-f]{40}$/;

/** Commit sha of `rev` (any revision git understands), or null. */
export async function revParse(gitDir: string, rev: string): Promise<string | null> {
  const r = await git(gitDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    okCodes: [1, 128],
  });
  const sha = r.stdout.trim();
  return r.code === 0 && SHA_RE.test(sha) ? sha : null;
}

/** A sha, branch name or other revision → commit sha or null; branch names win over tags. */
async function lookupCommit(gitDir: string, rev: string): Promise<string | null> {
  if (SHA_RE.test(rev)) return revParse(gitDir, rev);
  return (await revParse(gitDir, branchRef(rev))) ?? (await revParse(gitDir, rev));
}

async function resolveCommit(gitDir: string, rev: string): Promise<string> {
  const sha = await lookupCommit(gitDir, rev);
  if (sha === null) throw new RefNotFoundError(rev);
  return sha;
}

async function branchSha(gitDir: string, branch: string): Promise<string> {
  const sha = await revParse(gitDir, branchRef(branch));
  if (sha === null) throw new RefNotFoundError(branch);
  return sha;
}

export interface BranchInfo {
  name: string;
  sha: string;
}

export async function listBranches(gitDir: string): Promise<BranchInfo[]> {
  const r = await git(gitDir, ['for-each-ref', '--format=%(objectname) %(refname:strip=2)', 'refs/heads/']);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const i = l.indexOf(' ');
      return { sha: l.slice(0, i), name: l.slice(i + 1) };
    });
}

/** Every ref and its sha (used to diff refs around a push). */
export async function listRefs(gitDir: string): Promise<Map<string, string>> {
  const r = await git(gitDir, ['for-each-ref', '--format=%(objectname) %(refname)']);
  const refs = new Map<string, string>();
  for (const l of r.stdout.split('\n')) {
    const i = l.indexOf(' ');
    if (i > 0) refs.set(l.slice(i + 1), l.slice(0, i));
  }
  return refs;
}

function cleanPath(p: string): string {
  return p.replace(/^\/+|\/+$/g, '');
}

/** File content at ref, or null when the ref or path does not exist or is not a file. */
export async function readFile(gitDir: string, ref: string, filePath: string): Promise<string | null> {
  const sha = await lookupCommit(gitDir, ref);
  if (sha === null) return null;
  const spec = `${sha}:${cleanPath(filePath)}`;
  const t = await git(gitDir, ['cat-file', '-t', spec], { okCodes: [1, 128] });
  if (t.code !== 0 || t.stdout.trim() !== 'blob') return null;
  return (await git(gitDir, ['cat-file', 'blob', spec])).stdout;
}

export interface TreeEntry {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  sha: string;
  /** Bytes, for files and symlinks. */
  size: number | null;
}

/** Entries of a directory at ref ('' = root), or null when it does not exist or is not a directory. */
export async function listFiles(gitDir: string, ref: string, dirPath: string): Promise<TreeEntry[] | null> {
  const sha = await lookupCommit(gitDir, ref);
  if (sha === null) return null;
  const dir = cleanPath(dirPath);
  const spec = dir === '' ? `${sha}^{tree}` : `${sha}:${dir}`;
  const t = await git(gitDir, ['cat-file', '-t', spec], { okCodes: [1, 128] });
  if (t.code !== 0 || t.stdout.trim() !== 'tree') return null;
  const r = await git(gitDir, ['ls-tree', '-z', '--long', spec]);
  const entries: TreeEntry[] = [];
  for (const rec of r.stdout.split('\0')) {
    if (rec === '') continue;
    // "<mode> SP <type> SP <sha> SP+ <size> TAB <name>"
    const tab = rec.indexOf('\t');
    const [mode, type, objSha, size] = rec.slice(0, tab).split(/ +/);
    const name = rec.slice(tab + 1);
    const kind: TreeEntry['type'] =
      type === 'tree' ? 'dir' : type === 'commit' ? 'submodule' : mode === '120000' ? 'symlink' : 'file';
    entries.push({
      name,
      path: dir === '' ? name : `${dir}/${name}`,
      type: kind,
      sha: objSha ?? '',
      size: size === undefined || size === '-' ? null : Number(size),
    });
  }
  return entries;
}

export interface CommitInfo {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  /** Author date, ISO 8601 UTC. */
  date: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
}

/** GitHub's timestamp shape: UTC, no milliseconds ('2024-05-01T12:00:00Z'). */
function isoUtc(gitIso: string): string {
  const t = Date.parse(gitIso);
  return Number.isNaN(t) ? gitIso : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function commitInfo(gitDir: string, sha: string): Promise<CommitInfo | null> {
  const full = await revParse(gitDir, sha);
  if (full === null) return null;
  const r = await git(gitDir, ['show', '-s', '--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B', full]);
  const [h, t, p, an, ae, ad, cn, ce, cd, ...msg] = r.stdout.split('\0');
  return {
    sha: h ?? full,
    treeSha: t ?? '',
    parents: (p ?? '').split(' ').filter((x) => x !== ''),
    authorName: an ?? '',
    authorEmail: ae ?? '',
    date: isoUtc(ad ?? ''),
    committerName: cn ?? '',
    committerEmail: ce ?? '',
    committerDate: isoUtc(cd ?? ''),
    // %B ends with the message's own newline plus show's record terminator.
    message: msg.join('\0').replace(/\n+$/, ''),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing commits with plumbing (a throwaway index; no work tree needed).

function commitMessage(title: string, body?: string): string {
  return body ? `${title}\n\n${body}` : title;
}

/** Compare-and-swap ref update: fails (RefChangedError) if the ref is no longer at `old`. */
async function casUpdateRef(gitDir: string, ref: string, next: string, old: string): Promise<void> {
  try {
    await git(gitDir, ['update-ref', '-m', 'embedded-forge', ref, next, old]);
  } catch (e) {
    if (e instanceof GitCommandError) throw new RefChangedError(ref, old, await revParse(gitDir, ref));
    throw e;
  }
}

/** Builds a tree from `parent`'s tree (or empty) with `files` applied; returns the tree sha. */
async function buildTree(gitDir: string, parent: string | null, files: Record<string, string | null>): Promise<string> {
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

async function commitTree(
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

// ---------------------------------------------------------------------------------------------
// Comparisons and merges.

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
