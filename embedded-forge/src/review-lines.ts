// The lines of a PR's diff a review comment can point at, shared by both forges' review routes: the
// new-file side (added and context lines) of each hunk of `base...commit` (from their merge base, three
// lines of context, as the PR's "Files changed" shows it), each with its diff hunk up to that line —
// GitHub's `diff_hunk` and Forgejo's cut patch (modules/git/diff.go CutDiffAroundLine).
import * as git from './git-ops.js';

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** New-file line → the hunk text from its `@@` header down to that line; empty when `path` is not in the diff. */
export async function diffLines(gitDir: string, baseRef: string, commit: string, path: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const r = await git.git(gitDir, ['diff', '--no-color', '--no-ext-diff', '-U3', `${baseRef}...${commit}`, '--', path], {
    okCodes: [128],
  });
  if (r.code !== 0) return out;
  let hunk: string[] = [];
  let line = 0;
  let inHunk = false;
  for (const text of r.stdout.split('\n')) {
    const header = HUNK.exec(text);
    if (header) {
      inHunk = true;
      hunk = [text];
      line = Number(header[1]);
      continue;
    }
    if (!inHunk) continue;
    if (text.startsWith('diff --git')) {
      inHunk = false;
      continue;
    }
    hunk.push(text);
    if (text.startsWith('+') || text.startsWith(' ')) {
      out.set(line, hunk.join('\n'));
      line++;
    }
  }
  return out;
}
