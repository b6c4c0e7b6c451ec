// Read-only git lookups of the embedded forge: refs, commits, files and directories at a revision.
import { git, RefNotFoundError } from './git-run.js';

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
export async function lookupCommit(gitDir: string, rev: string): Promise<string | null> {
  if (SHA_RE.test(rev)) return revParse(gitDir, rev);
  return (await revParse(gitDir, branchRef(rev))) ?? (await revParse(gitDir, rev));
}

export async function resolveCommit(gitDir: string, rev: string): Promise<string> {
  const sha = await lookupCommit(gitDir, rev);
  if (sha === null) throw new RefNotFoundError(rev);
  return sha;
}

export async function branchSha(gitDir: string, branch: string): Promise<string> {
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

export function cleanPath(p: string): string {
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
    const kind: TreeEntry['type'] = type === 'tree' ? 'dir' : type === 'commit' ? 'submodule' : mode === '120000' ? 'symlink' : 'file';
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
