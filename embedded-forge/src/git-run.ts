// Running git for the embedded forge: argument arrays (never a shell), a hermetic environment so results
// do not depend on the machine's git config, typed errors, and a per-repository write lock.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

export function gitDate(d: Date | string | undefined): string {
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
