// Trusted checks on an agent's diff before anything is pushed (DESIGN §8).

export interface DiffFile {
  path: string;
  added: number;
  removed: number;
}

export type DiffVerdict =
  | { ok: true; files: number; lines: number }
  | { ok: false; reason: 'empty' | 'protected' | 'too-large'; message: string; paths: string[] };

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
  return new RegExp(glob.includes('/') ? `^${re}$` : `^(?:.*/)?${re}$`);
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}

export function checkDiff(files: readonly DiffFile[], policy: { protectedPaths: readonly string[]; maxDiffLines: number }): DiffVerdict {
  if (files.length === 0) return { ok: false, reason: 'empty', message: 'the agent changed no file', paths: [] };
  const touched = files.filter((f) => matchesAny(f.path, policy.protectedPaths)).map((f) => f.path);
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
