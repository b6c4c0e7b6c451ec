// `agentloop init --repo`: proposes the workflow files as one commit on a branch of their own and a pull
// request, so that a maintainer reviews them (and a protected default branch is no obstacle). git runs
// as agentloop's own git always does (git/repo.ts): a private directory, no foreign config or hooks, the
// token only in the environment of the commands that talk to the forge.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Forge } from '../forge/forge.js';
import { type GitIdentity, git, initRepo, type Workspace } from '../git/repo.js';

export const INIT_BRANCH = 'agentloop-init';

export type FileState = 'create' | 'update' | 'unchanged';

export interface RemotePlan {
  /** Each file compared with the default branch. */
  files: { path: string; state: FileState }[];
  /** The open PR from INIT_BRANCH, if any, and whether its branch already holds exactly these files. */
  pull?: { number: number; url: string; current: boolean };
}

/** Compare the files with the default branch and with an open init PR (reads only). */
export async function planRemote(forge: Forge, defaultBranch: string, files: Record<string, string>): Promise<RemotePlan> {
  const states: RemotePlan['files'] = [];
  for (const [path, text] of Object.entries(files)) {
    const have = await forge.getFileText(path, defaultBranch);
    states.push({ path, state: have === null ? 'create' : have === text ? 'unchanged' : 'update' });
  }
  if (states.every((f) => f.state === 'unchanged')) return { files: states };
  const { owner, repo } = forge.repoRef;
  const pull = (await forge.listOpenPulls()).find(
    (p) =>
      p.headRef === INIT_BRANCH && p.baseRef === defaultBranch && p.headRepoFullName.toLowerCase() === `${owner}/${repo}`.toLowerCase(),
  );
  if (!pull) return { files: states };
  let current = true;
  for (const [path, text] of Object.entries(files)) if ((await forge.getFileText(path, INIT_BRANCH)) !== text) current = false;
  return { files: states, pull: { number: pull.number, url: pull.htmlUrl, current } };
}

export interface PublishTarget {
  forge: Forge;
  /** https://host/owner/repo.git, without credentials. */
  remoteUrl: string;
  token: string;
  identity: GitIdentity;
  defaultBranch: string;
}

/** Push one commit with `files` on top of the default branch to INIT_BRANCH, and open its PR unless one is open. */
export async function publishFiles(
  t: PublishTarget,
  files: Record<string, string>,
  pr: { title: string; body: string; open?: number },
): Promise<{ number: number; url: string; opened: boolean }> {
  const root = await mkdtemp(join(tmpdir(), 'agentloop-init-'));
  await chmod(root, 0o700);
  try {
    const ws: Workspace = {
      dir: join(root, 'repo'),
      home: join(root, 'home'),
      remoteUrl: t.remoteUrl,
      token: t.token,
      identity: t.identity,
    };
    const work = join(root, 'files');
    await Promise.all([mkdir(ws.dir), mkdir(ws.home), mkdir(work)]);
    await initRepo(ws);
    await git(ws, ['fetch', '--quiet', '--no-tags', '--depth=1', ws.remoteUrl, `+refs/heads/${t.defaultBranch}:refs/remotes/origin/base`], {
      auth: true,
    });
    const parent = (await git(ws, ['rev-parse', 'refs/remotes/origin/base'])).stdout.trim();
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), text);
    }
    // The parent's tree with exactly these paths replaced: nothing else of the repository is touched.
    const env = { GIT_INDEX_FILE: join(ws.home, 'index') };
    await git(ws, ['read-tree', parent], { env });
    await git(ws, ['--work-tree', work, 'add', '--', ...Object.keys(files)], { env });
    const tree = (await git(ws, ['write-tree'], { env })).stdout.trim();
    const sha = (await git(ws, ['commit-tree', tree, '-p', parent, '-m', pr.title])).stdout.trim();
    // The branch is init's own: whatever an earlier run left there is replaced.
    await git(ws, ['push', '--quiet', '--force', ws.remoteUrl, `${sha}:refs/heads/${INIT_BRANCH}`], { auth: true });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  if (pr.open !== undefined) {
    const pull = await t.forge.getPull(pr.open);
    return { number: pull.number, url: pull.htmlUrl, opened: false };
  }
  const pull = await t.forge.createPull({ title: pr.title, body: pr.body, head: INIT_BRANCH, base: t.defaultBranch });
  return { number: pull.number, url: pull.htmlUrl, opened: true };
}
