// The embedded forge's git layer against the REAL git client: smart HTTP with token auth, and the
// server-side operations (mergeability, merge methods, update-branch) on real bare repositories.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleGitHttp, parseGitPath, type RefUpdate, tokenFromAuthorization } from '../src/git-http.js';
import {
  commitFiles,
  commitInfo,
  compareCommits,
  deleteRef,
  git,
  hermeticGitEnv,
  initBareRepo,
  listBranches,
  listFiles,
  MergeConflictError,
  mergeability,
  mergePull,
  NothingToMergeError,
  RefChangedError,
  RefNotFoundError,
  readFile,
  revParse,
  updateBranch,
  updateRef,
  ZERO_SHA,
} from '../src/git-ops.js';

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), `embedded-git-test-${prefix}-`));
  temps.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

const alice = { name: 'Alice', email: 'alice@example.com' };
const bob = { name: 'Bob', email: 'bob@example.com' };

// ---------------------------------------------------------------------------------------------
// The real git client, hermetic (its own HOME, no system/global config, never prompts).

let clientHome: string;
function cli(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = hermeticGitEnv({
    HOME: clientHome,
    GIT_AUTHOR_NAME: 'Client',
    GIT_AUTHOR_EMAIL: 'client@example.com',
    GIT_COMMITTER_NAME: 'Client',
    GIT_COMMITTER_EMAIL: 'client@example.com',
  });
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
async function ok(cwd: string, args: string[]): Promise<string> {
  const r = await cli(cwd, args);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} → ${r.code}\n${r.stderr}`);
  return r.stdout.trim();
}

// ---------------------------------------------------------------------------------------------

describe('git smart HTTP', () => {
  let server: Server;
  let port: number;
  let projectRoot: string;
  let gitDir: string;
  let work: string;
  const pushes: { repoPath: string; updates: RefUpdate[]; token: string | undefined }[] = [];
  const requests: { method: string; url: string; status: number; encoding: string | undefined }[] = [];

  const url = (token: string | null, repo = 'acme/widgets'): string =>
    token === null ? `http://127.0.0.1:${port}/${repo}.git` : `http://x-access-token:${token}@127.0.0.1:${port}/${repo}.git`;

  beforeAll(async () => {
    clientHome = await tempDir('home');
    projectRoot = await tempDir('root');
    work = await tempDir('work');
    gitDir = path.join(projectRoot, 'acme', 'widgets.git');
    await initBareRepo(gitDir, { defaultBranch: 'main', files: { 'README.md': '# widgets\n' }, message: 'Initial commit' });
    server = createServer((req, res) => {
      res.on('finish', () =>
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          status: res.statusCode,
          encoding: req.headers['content-encoding'],
        }),
      );
      handleGitHttp(req, res, {
        projectRoot,
        authorize: (token, repoPath, write) => {
          if (!repoPath.startsWith('acme/')) return { ok: false, status: 404, message: 'Repository not found.' };
          if (token === 'w-token' || (token === 'r-token' && !write)) return { ok: true };
          if (token === 'r-token') return { ok: false, status: 403, message: `Permission to ${repoPath}.git denied.` };
          return { ok: false, status: 401, message: 'Authentication required' };
        },
        onPush: (repoPath, updates, token) => pushes.push({ repoPath, updates, token }),
      }).catch((err: unknown) => {
        res.destroy(err as Error);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    pushes.length = 0;
    requests.length = 0;
  });

  it('refuses anonymous clones with 401 and a Basic challenge', async () => {
    const r = await cli(work, ['clone', '--quiet', url(null), 'anon']);
    expect(r.code).not.toBe(0);
    expect(requests.map((q) => q.status)).toContain(401);
    const res = await fetch(`${url(null)}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="embedded-forge"');
  });

  it('clones with a token and reports a pushed branch to onPush', async () => {
    const dir = path.join(work, 'w');
    await ok(work, ['clone', '--quiet', url('w-token'), 'w']);
    expect(await ok(dir, ['log', '-1', '--format=%s'])).toBe('Initial commit');
    await ok(dir, ['switch', '--quiet', '-c', 'feature']);
    await writeFile(path.join(dir, 'a.txt'), 'hello\n');
    await ok(dir, ['add', 'a.txt']);
    await ok(dir, ['commit', '--quiet', '-m', 'add a']);
    const local = await ok(dir, ['rev-parse', 'HEAD']);
    await ok(dir, ['push', '--quiet', 'origin', 'feature']);

    expect(await revParse(gitDir, 'refs/heads/feature')).toBe(local);
    expect(pushes).toEqual([
      { repoPath: 'acme/widgets', updates: [{ ref: 'refs/heads/feature', before: ZERO_SHA, after: local }], token: 'w-token' },
    ]);
    expect(await readFile(gitDir, 'feature', 'a.txt')).toBe('hello\n');
  });

  it('rejects a push with a wrong token (401) and changes nothing', async () => {
    const dir = path.join(work, 'w');
    await ok(dir, ['remote', 'set-url', 'origin', url('not-a-token')]);
    await writeFile(path.join(dir, 'b.txt'), 'b\n');
    await ok(dir, ['add', 'b.txt']);
    await ok(dir, ['commit', '--quiet', '-m', 'add b']);
    const before = await revParse(gitDir, 'refs/heads/feature');
    const r = await cli(dir, ['push', 'origin', 'feature']);
    expect(r.code).not.toBe(0);
    expect(requests.some((q) => q.status === 401)).toBe(true);
    expect(requests.some((q) => q.url.endsWith('/git-receive-pack'))).toBe(false);
    expect(await revParse(gitDir, 'refs/heads/feature')).toBe(before);
    expect(pushes).toEqual([]);
    await ok(dir, ['remote', 'set-url', 'origin', url('w-token')]);
    await ok(dir, ['reset', '--quiet', '--hard', 'HEAD~1']);
  });

  it('lets a read-only token clone but refuses its push (403)', async () => {
    const dir = path.join(work, 'r');
    await ok(work, ['clone', '--quiet', url('r-token'), 'r']);
    await writeFile(path.join(dir, 'c.txt'), 'c\n');
    await ok(dir, ['add', 'c.txt']);
    await ok(dir, ['commit', '--quiet', '-m', 'add c']);
    const r = await cli(dir, ['push', 'origin', 'HEAD:refs/heads/ro']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('403');
    expect(await revParse(gitDir, 'refs/heads/ro')).toBeNull();
    expect(pushes).toEqual([]);
  });

  it('answers 404 for a repository that does not exist', async () => {
    const r = await cli(work, ['clone', '--quiet', url('w-token', 'acme/missing'), 'missing']);
    expect(r.code).not.toBe(0);
    expect(requests.map((q) => q.status)).toContain(404);
  });

  it('supports push --force-with-lease: accepted when the lease holds, refused when the server moved', async () => {
    const dir = path.join(work, 'w');
    const old = await ok(dir, ['rev-parse', 'origin/feature']);
    await ok(dir, ['commit', '--quiet', '--amend', '-m', 'add a (amended)']);
    const amended = await ok(dir, ['rev-parse', 'HEAD']);
    await ok(dir, ['push', '--quiet', `--force-with-lease=feature:${old}`, 'origin', 'HEAD:feature']);
    expect(await revParse(gitDir, 'refs/heads/feature')).toBe(amended);
    expect(pushes.at(-1)?.updates).toEqual([{ ref: 'refs/heads/feature', before: old, after: amended }]);

    // Someone else (the forge's update-branch, say) moves the branch; our lease is now stale.
    const moved = await commitFiles(gitDir, 'feature', { 'server.txt': 'x\n' }, 'server-side commit');
    await ok(dir, ['commit', '--quiet', '--amend', '-m', 'add a (again)']);
    const r = await cli(dir, ['push', `--force-with-lease=feature:${amended}`, 'origin', 'HEAD:feature']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/stale info|rejected/);
    expect(await revParse(gitDir, 'refs/heads/feature')).toBe(moved);

    // With the remote-tracking ref refreshed, the plain lease form works again.
    await ok(dir, ['fetch', '--quiet', 'origin']);
    await ok(dir, ['rebase', '--quiet', 'origin/feature']);
    await ok(dir, ['push', '--quiet', '--force-with-lease', 'origin', 'HEAD:feature']);
    expect(await revParse(gitDir, 'refs/heads/feature')).toBe(await ok(dir, ['rev-parse', 'HEAD']));
  });

  it('streams large chunked pushes and gzip-encoded fetch requests, and reports deletions', async () => {
    const dir = path.join(work, 'w');
    await ok(dir, ['switch', '--quiet', '-c', 'big']);
    await writeFile(path.join(dir, 'big.bin'), randomBytes(1024 * 1024).toString('base64'));
    await ok(dir, ['add', 'big.bin']);
    await ok(dir, ['commit', '--quiet', '-m', 'big']);
    // A small postBuffer forces Transfer-Encoding: chunked (no CONTENT_LENGTH for the CGI).
    await ok(dir, ['-c', 'http.postBuffer=4096', 'push', '--quiet', 'origin', 'big']);
    expect(await revParse(gitDir, 'refs/heads/big')).toBe(await ok(dir, ['rev-parse', 'HEAD']));

    // A repository with many commits the server does not know: the second negotiation round sends
    // > 1 KiB of "have" lines, which git gzips (so http-backend must inflate via HTTP_CONTENT_ENCODING).
    const g = path.join(work, 'g');
    await ok(work, ['init', '--quiet', 'g']);
    for (let i = 0; i < 60; i++) await ok(g, ['commit', '--quiet', '--allow-empty', '-m', `unrelated ${i}`]);
    requests.length = 0;
    await ok(g, ['fetch', '--quiet', url('w-token'), 'main']);
    expect(await ok(g, ['rev-parse', 'FETCH_HEAD'])).toBe(await revParse(gitDir, 'main'));
    expect(requests.some((q) => q.encoding === 'gzip' && q.status === 200)).toBe(true);

    const big = await revParse(gitDir, 'big');
    pushes.length = 0;
    await ok(dir, ['push', '--quiet', 'origin', ':big']);
    expect(await revParse(gitDir, 'refs/heads/big')).toBeNull();
    expect(pushes[0]?.updates).toEqual([{ ref: 'refs/heads/big', before: big, after: ZERO_SHA }]);
  });

  it('parses paths and credentials conservatively', () => {
    expect(parseGitPath('/acme/widgets.git/info/refs')).toEqual({ owner: 'acme', name: 'widgets', endpoint: 'info/refs' });
    expect(parseGitPath('/acme/widgets/git-upload-pack')).toEqual({ owner: 'acme', name: 'widgets', endpoint: 'git-upload-pack' });
    expect(parseGitPath('/../etc.git/info/refs')).toBeNull();
    expect(parseGitPath('/acme/..git/info/refs')).toBeNull();
    expect(parseGitPath('/acme/widgets.git/objects/info/packs')).toBeNull();
    const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(tokenFromAuthorization(basic('x-access-token:T1'))).toBe('T1');
    expect(tokenFromAuthorization(basic('someone:T2'))).toBe('T2');
    expect(tokenFromAuthorization(basic('T3:x-oauth-basic'))).toBe('T3');
    expect(tokenFromAuthorization('Bearer T4')).toBe('T4');
    expect(tokenFromAuthorization('token T5')).toBe('T5');
    expect(tokenFromAuthorization(undefined)).toBeUndefined();
    expect(tokenFromAuthorization(basic(':'))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('server-side git operations', () => {
  let root: string;
  let n = 0;
  beforeAll(async () => {
    root = await tempDir('ops');
  });

  /** main: a.txt (3 lines) + README.md */
  async function repo(): Promise<string> {
    const gitDir = path.join(root, `r${n++}.git`);
    await initBareRepo(gitDir, {
      defaultBranch: 'main',
      files: { 'a.txt': 'one\ntwo\nthree\n', 'README.md': '# r\n', 'docs/guide.md': 'guide\n' },
      message: 'init',
      author: alice,
    });
    return gitDir;
  }

  /** main and feature diverged without conflict: feature adds b.txt (2 commits), main edits README. */
  async function diverged(): Promise<{ gitDir: string; base0: string; f1: string; f2: string; base1: string }> {
    const gitDir = await repo();
    const base0 = (await revParse(gitDir, 'main'))!;
    const f1 = await commitFiles(gitDir, 'feature', { 'b.txt': 'b\n' }, 'feat: add b', { from: 'main', author: bob });
    const f2 = await commitFiles(gitDir, 'feature', { 'a.txt': 'one\ntwo\nthree\nfour\n' }, 'feat: extend a', { author: bob });
    const base1 = await commitFiles(gitDir, 'main', { 'README.md': '# r, edited\n' }, 'docs: readme', { author: alice });
    return { gitDir, base0, f1, f2, base1 };
  }

  async function conflicting(): Promise<string> {
    const gitDir = await repo();
    await commitFiles(gitDir, 'feature', { 'a.txt': 'one\nTWO (feature)\nthree\n' }, 'feature edits line 2', { from: 'main' });
    await commitFiles(gitDir, 'main', { 'a.txt': 'one\nTWO (main)\nthree\n' }, 'main edits line 2');
    return gitDir;
  }

  it('initializes, commits, reads files and directories, and describes commits', async () => {
    const gitDir = await repo();
    const init = (await revParse(gitDir, 'main'))!;
    expect(await listBranches(gitDir)).toEqual([{ name: 'main', sha: init }]);
    expect(await readFile(gitDir, 'main', 'docs/guide.md')).toBe('guide\n');
    expect(await readFile(gitDir, 'main', '/a.txt')).toBe('one\ntwo\nthree\n');
    expect(await readFile(gitDir, 'main', 'missing.txt')).toBeNull();
    expect(await readFile(gitDir, 'main', 'docs')).toBeNull();
    expect(await readFile(gitDir, 'nope', 'a.txt')).toBeNull();
    expect((await listFiles(gitDir, 'main', ''))?.map((e) => [e.name, e.type])).toEqual([
      ['README.md', 'file'],
      ['a.txt', 'file'],
      ['docs', 'dir'],
    ]);
    expect(await listFiles(gitDir, init, 'docs')).toEqual([
      expect.objectContaining({ name: 'guide.md', path: 'docs/guide.md', type: 'file', size: 6 }),
    ]);
    expect(await listFiles(gitDir, 'main', 'a.txt')).toBeNull();

    const date = '2024-05-01T12:00:00Z';
    const c = await commitFiles(gitDir, 'main', { 'a.txt': null, 'new/x.txt': 'x\n' }, 'Title\n\nBody line', {
      author: { ...bob, date },
    });
    expect(await readFile(gitDir, 'main', 'a.txt')).toBeNull();
    expect(await readFile(gitDir, c, 'new/x.txt')).toBe('x\n');
    const info = await commitInfo(gitDir, c);
    expect(info).toMatchObject({
      sha: c,
      message: 'Title\n\nBody line',
      authorName: 'Bob',
      authorEmail: 'bob@example.com',
      date: '2024-05-01T12:00:00Z',
      parents: [init],
    });
    expect(await commitInfo(gitDir, 'f'.repeat(40))).toBeNull();

    await expect(commitFiles(gitDir, 'nobranch', { x: 'y' }, 'm')).rejects.toBeInstanceOf(RefNotFoundError);
    await expect(commitFiles(gitDir, 'main', { x: 'y' }, 'm', { expectedHeadSha: init })).rejects.toBeInstanceOf(RefChangedError);
  });

  it('serializes concurrent writers so no update is lost', async () => {
    const gitDir = await repo();
    const shas = await Promise.all(Array.from({ length: 8 }, (_, i) => commitFiles(gitDir, 'main', { [`f${i}.txt`]: `${i}\n` }, `c${i}`)));
    const log = (await git(gitDir, ['rev-list', '--first-parent', 'main'])).stdout.trim().split('\n');
    expect(log).toHaveLength(9);
    expect(new Set(log.slice(0, 8))).toEqual(new Set(shas));
    for (let i = 0; i < 8; i++) expect(await readFile(gitDir, 'main', `f${i}.txt`)).toBe(`${i}\n`);
  });

  it('reports mergeability: clean, conflicting, behind', async () => {
    const d = await diverged();
    expect(await mergeability(d.gitDir, 'main', 'feature')).toEqual({ mergeable: true, conflicts: [], behindBy: 1, aheadBy: 2 });
    expect(await mergeability(d.gitDir, 'main', d.f2)).toMatchObject({ mergeable: true });

    const c = await conflicting();
    expect(await mergeability(c, 'main', 'feature')).toEqual({ mergeable: false, conflicts: ['a.txt'], behindBy: 1, aheadBy: 1 });

    // Behind only: main moved, the branch has nothing new.
    const b = await repo();
    await updateRef(b, 'stale', 'main');
    await commitFiles(b, 'main', { 'z.txt': 'z\n' }, 'main moves');
    expect(await mergeability(b, 'main', 'stale')).toEqual({ mergeable: true, conflicts: [], behindBy: 1, aheadBy: 0 });
    await expect(mergeability(b, 'main', 'nope')).rejects.toBeInstanceOf(RefNotFoundError);

    const cmp = await compareCommits(d.gitDir, 'main', 'feature');
    expect(cmp).toEqual({ aheadBy: 2, behindBy: 1, mergeBaseSha: d.base0, status: 'diverged', commits: [d.f1, d.f2] });
    expect((await compareCommits(d.gitDir, 'main', 'main')).status).toBe('identical');
  });

  it('merge: a two-parent merge commit of base and head', async () => {
    const d = await diverged();
    const { sha } = await mergePull(d.gitDir, {
      base: 'main',
      head: 'feature',
      method: 'merge',
      title: 'Merge pull request #1 from acme/feature',
      message: 'Add b',
      author: alice,
      expectedHeadSha: d.f2,
    });
    expect(await revParse(d.gitDir, 'main')).toBe(sha);
    const info = (await commitInfo(d.gitDir, sha))!;
    expect(info.parents).toEqual([d.base1, d.f2]);
    expect(info.message).toBe('Merge pull request #1 from acme/feature\n\nAdd b');
    expect(info.authorName).toBe('Alice');
    expect(await readFile(d.gitDir, 'main', 'b.txt')).toBe('b\n');
    expect(await readFile(d.gitDir, 'main', 'README.md')).toBe('# r, edited\n');
    expect(await revParse(d.gitDir, 'feature')).toBe(d.f2); // the head branch does not move
  });

  it('squash: one commit on base whose tree is the merge result', async () => {
    const d = await diverged();
    const expectedTree = (await git(d.gitDir, ['merge-tree', '--write-tree', d.base1, d.f2])).stdout.trim();
    const { sha } = await mergePull(d.gitDir, { base: 'main', head: 'feature', method: 'squash', title: 'Add b (#1)' });
    const info = (await commitInfo(d.gitDir, sha))!;
    expect(info.parents).toEqual([d.base1]);
    expect(info.treeSha).toBe(expectedTree);
    expect(info.message).toBe('Add b (#1)');
  });

  it('rebase: head commits replayed linearly onto base, messages and authors kept', async () => {
    const d = await diverged();
    const { sha } = await mergePull(d.gitDir, {
      base: 'main',
      head: 'feature',
      method: 'rebase',
      title: 'unused for rebase',
      committer: { name: 'Forge', email: 'forge@example.com' },
    });
    const top = (await commitInfo(d.gitDir, sha))!;
    const below = (await commitInfo(d.gitDir, top.parents[0]!))!;
    expect(top.parents).toHaveLength(1);
    expect(below.parents).toEqual([d.base1]);
    expect([below.message, top.message]).toEqual(['feat: add b', 'feat: extend a']);
    expect([below.authorName, top.authorName, top.committerName]).toEqual(['Bob', 'Bob', 'Forge']);
    expect([below.sha, top.sha]).not.toContain(d.f1); // rewritten, as GitHub does
    expect(await readFile(d.gitDir, 'main', 'a.txt')).toBe('one\ntwo\nthree\nfour\n');
    expect(await readFile(d.gitDir, 'main', 'README.md')).toBe('# r, edited\n');
    expect((await git(d.gitDir, ['worktree', 'list', '--porcelain'])).stdout).not.toContain('embedded-git-rebase');
  });

  it('refuses conflicting, already-merged and pinned-but-moved merges without touching base', async () => {
    const c = await conflicting();
    const base = await revParse(c, 'main');
    for (const method of ['merge', 'squash', 'rebase'] as const) {
      const err = await mergePull(c, { base: 'main', head: 'feature', method, title: 't' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MergeConflictError);
      expect((err as MergeConflictError).conflicts).toEqual(['a.txt']);
    }
    expect(await revParse(c, 'main')).toBe(base);
    expect((await git(c, ['worktree', 'list', '--porcelain'])).stdout).not.toContain('embedded-git-rebase');

    const d = await diverged();
    await expect(
      mergePull(d.gitDir, { base: 'main', head: 'feature', method: 'merge', title: 't', expectedHeadSha: d.f1 }),
    ).rejects.toBeInstanceOf(RefChangedError);
    await mergePull(d.gitDir, { base: 'main', head: 'feature', method: 'merge', title: 't' });
    await expect(mergePull(d.gitDir, { base: 'main', head: 'feature', method: 'merge', title: 't' })).rejects.toBeInstanceOf(
      NothingToMergeError,
    );
  });

  it('updateBranch merges base into head; a stale expectedHeadSha is refused', async () => {
    const d = await diverged();
    await expect(updateBranch(d.gitDir, { base: 'main', head: 'feature', expectedHeadSha: d.f1 })).rejects.toBeInstanceOf(RefChangedError);
    expect(await revParse(d.gitDir, 'feature')).toBe(d.f2);

    const sha = await updateBranch(d.gitDir, { base: 'main', head: 'feature', expectedHeadSha: d.f2 });
    expect(await revParse(d.gitDir, 'feature')).toBe(sha);
    const info = (await commitInfo(d.gitDir, sha))!;
    expect(info.parents).toEqual([d.f2, d.base1]);
    expect(info.message).toBe("Merge branch 'main' into feature");
    expect(await mergeability(d.gitDir, 'main', 'feature')).toMatchObject({ behindBy: 0, aheadBy: 3, mergeable: true });
    // Already up to date: nothing to do, same sha.
    expect(await updateBranch(d.gitDir, { base: 'main', head: 'feature' })).toBe(sha);

    const c = await conflicting();
    await expect(updateBranch(c, { base: 'main', head: 'feature' })).rejects.toBeInstanceOf(MergeConflictError);
  });

  it('deletes refs and moves them with compare-and-swap', async () => {
    const d = await diverged();
    await expect(updateRef(d.gitDir, 'feature', d.base0, d.f1)).rejects.toBeInstanceOf(RefChangedError);
    await updateRef(d.gitDir, 'feature', d.f1, d.f2);
    expect(await revParse(d.gitDir, 'feature')).toBe(d.f1);
    await expect(deleteRef(d.gitDir, 'refs/heads/feature', d.f2)).rejects.toBeInstanceOf(RefChangedError);
    expect(await deleteRef(d.gitDir, 'refs/heads/feature')).toBe(true);
    expect(await deleteRef(d.gitDir, 'feature')).toBe(false);
    expect((await listBranches(d.gitDir)).map((b) => b.name)).toEqual(['main']);
  });
});
