// The agent's files as data (DESIGN §8): agentloop reads the agent's directory into its own repository
// (never the agent's .git), builds the commit itself on a known parent, and lists the result against
// that parent with -z paths and file modes, so the diff policy sees exactly what would be pushed.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, type Workspace } from './repo.js';

export interface TreeChange {
  path: string;
  added: number;
  removed: number;
  oldMode: string;
  newMode: string;
}

/**
 * The tree of `dir`'s files as they would be committed on top of `parent`: tracked files, plus new
 * files not ignored by the repository's .gitignore. Symlinks are recorded as links (never followed),
 * nested repositories as gitlinks, and a top-level .git is never read.
 */
export async function treeOfDir(ws: Workspace, dir: string, parent: string): Promise<string> {
  const index = join(ws.home, `index-${randomUUID()}`);
  const env = { GIT_INDEX_FILE: index };
  try {
    await git(ws, ['read-tree', parent], { env });
    await git(ws, ['--work-tree', dir, 'add', '--all', '--', '.'], { env });
    return (await git(ws, ['write-tree'], { env })).stdout.trim();
  } finally {
    await rm(index, { force: true });
  }
}

/** A commit of `tree` on `parent`, checked out as HEAD of agentloop's repository (ready to push). */
export async function commitTree(ws: Workspace, tree: string, parent: string, message: string): Promise<string> {
  // The message is one argv element: no shell ever sees it.
  const sha = (await git(ws, ['commit-tree', tree, '-p', parent, '-m', message])).stdout.trim();
  await git(ws, ['reset', '--hard', '--quiet', sha]);
  return sha;
}

/** Every path that differs between two trees or commits, with its modes and line counts (binary: 1 each way). */
export async function changesBetween(ws: Workspace, from: string, to: string): Promise<TreeChange[]> {
  const [raw, numstat] = await Promise.all([
    git(ws, ['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to]),
    git(ws, ['diff-tree', '-r', '-z', '--no-renames', '--numstat', from, to]),
  ]);
  const modes = new Map<string, { oldMode: string; newMode: string }>();
  const r = raw.stdout.split('\0');
  for (let i = 0; i + 1 < r.length; i += 2) {
    const meta = r[i]!;
    if (!meta.startsWith(':')) continue;
    const [oldMode, newMode] = meta.slice(1).split(' ');
    modes.set(r[i + 1]!, { oldMode: oldMode!, newMode: newMode! });
  }
  const out: TreeChange[] = [];
  for (const entry of numstat.stdout.split('\0')) {
    if (!entry) continue;
    const [a, d, ...p] = entry.split('\t');
    const path = p.join('\t');
    const m = modes.get(path) ?? { oldMode: '', newMode: '' };
    out.push({ path, added: a === '-' ? 1 : Number(a), removed: d === '-' ? 1 : Number(d), ...m });
  }
  return out;
}
