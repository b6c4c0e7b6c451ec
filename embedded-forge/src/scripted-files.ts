// The scripted agent's file changes: paths kept inside the workspace, `{{run}}` replaced.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScriptedAgentError } from './scripted-conflicts.js';

export type Files = Record<string, string | null>;

/** Resolve `rel` inside `cwd`, refusing absolute paths and any `..` segment. */
export function safePath(cwd: string, rel: string): string {
  if (rel.includes('\0')) throw new ScriptedAgentError(`refusing path with a NUL byte: ${JSON.stringify(rel)}`);
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel))
    throw new ScriptedAgentError(`refusing absolute path ${JSON.stringify(rel)}: paths must be relative to the workspace`);
  if (rel.split(/[\\/]/).includes('..'))
    throw new ScriptedAgentError(`refusing path ${JSON.stringify(rel)}: it contains '..' and could escape the workspace`);
  const root = path.resolve(cwd);
  const full = path.resolve(root, rel);
  if (full === root || !full.startsWith(root + path.sep))
    throw new ScriptedAgentError(`refusing path ${JSON.stringify(rel)}: it does not name a file inside the workspace`);
  return full;
}

/** `{{run}}` → the invocation's number, in a change's paths and contents. */
const RUN_PLACEHOLDER = /\{\{run\}\}/g;
export const withRun = (text: string, run: number) => text.replace(RUN_PLACEHOLDER, String(run));

export async function applyFiles(cwd: string, files: Files, log: string[], run = 1): Promise<string[]> {
  // Check every path before touching any file: a refused script changes nothing.
  const targets = Object.entries(files).map(([name, text]) => {
    const rel = withRun(name, run);
    return { rel, full: safePath(cwd, rel), content: text === null ? null : withRun(text, run) };
  });
  for (const t of targets) {
    if (t.content === null) {
      await rm(t.full, { force: true });
      log.push(`deleted ${t.rel}`);
    } else {
      await mkdir(path.dirname(t.full), { recursive: true });
      await writeFile(t.full, t.content);
      log.push(`wrote ${t.rel}`);
    }
  }
  return targets.map((t) => t.rel);
}
