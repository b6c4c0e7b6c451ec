// Trusted checks on what would be pushed, against the commit the branch starts from (DESIGN §8): the
// tree agentloop built from the agent's files, whatever the agent committed, amended or left behind.

export interface DiffFile {
  path: string;
  added: number;
  removed: number;
  /** git file modes ('100644', '100755', '120000' symlink, '160000' gitlink; '000000' = absent). */
  oldMode?: string;
  newMode?: string;
}

export type DiffVerdict =
  | { ok: true; files: number; lines: number }
  | { ok: false; reason: 'empty' | 'protected' | 'unsafe-entry' | 'too-large'; message: string; paths: string[] };

const SYMLINK = '120000';
const GITLINK = '160000';

/** Paths no agent diff may touch whatever protected-paths says: agentloop's own config and prompts. */
export function alwaysProtected(policy: { configFile: string; promptsDir: string }): string[] {
  return [policy.configFile, `${policy.promptsDir.replace(/\/+$/, '')}/**`];
}

/** A glob as GitHub-style patterns: `**` any depth, `*` within a segment, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches that name at any depth (like .gitignore), e.g. CODEOWNERS.
  // Case-insensitive: a forge or a checkout on a case-insensitive disk may treat `.GitHub/` as `.github/`.
  return new RegExp(glob.includes('/') ? `^${re}$` : `^(?:.*/)?${re}$`, 'i');
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}

export interface DiffPolicy {
  protectedPaths: readonly string[];
  maxDiffLines: number;
  /** Always protected when given (config-file, prompts-dir). */
  configFile?: string;
  promptsDir?: string;
}

export function checkDiff(files: readonly DiffFile[], policy: DiffPolicy): DiffVerdict {
  if (files.length === 0) return { ok: false, reason: 'empty', message: 'the agent changed no file', paths: [] };
  // A symlink can point outside the repository (/etc/passwd, ../..) and a gitlink pulls in another
  // repository: neither may be added or changed by an agent.
  const unsafe = files.filter((f) => f.newMode === SYMLINK || f.newMode === GITLINK || f.oldMode === GITLINK).map((f) => f.path);
  if (unsafe.length) {
    return {
      ok: false,
      reason: 'unsafe-entry',
      message: `the diff adds or changes symlinks or submodules: ${unsafe.join(', ')}`,
      paths: unsafe,
    };
  }
  const own =
    policy.configFile && policy.promptsDir ? alwaysProtected({ configFile: policy.configFile, promptsDir: policy.promptsDir }) : [];
  const globs = [...policy.protectedPaths, ...own];
  const touched = files.filter((f) => matchesAny(f.path, globs)).map((f) => f.path);
  if (touched.length) {
    return {
      ok: false,
      reason: 'protected',
      message: `the diff touches protected paths (protected-paths): ${touched.join(', ')}`,
      paths: touched,
    };
  }
  const lines = files.reduce((n, f) => n + f.added + f.removed, 0);
  if (lines > policy.maxDiffLines) {
    return {
      ok: false,
      reason: 'too-large',
      message: `the diff has ${lines} changed lines, more than max-diff-lines (${policy.maxDiffLines})`,
      paths: [],
    };
  }
  return { ok: true, files: files.length, lines };
}
