// The scripted agent's rebase: resolve the conflicted files the stopped rebase (or the prompt) names,
// keeping one side, with a read-only git command to find them.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hasConflictMarkers, resolveConflictMarkers } from './scripted-conflicts.js';
import { applyFiles, type Files, safePath } from './scripted-files.js';

export type RebaseScript = { resolve: 'ours' | 'theirs' | { files: Files }; summary?: string | undefined };

function gitUnmerged(cwd: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['diff', '--name-only', '--diff-filter=U', '--relative', '-z'],
      { cwd, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve([...new Set(stdout.split('\0').filter(Boolean))]);
      },
    );
  });
}

/** Paths the prompt mentions (`code spans` and list items) that exist and hold conflict markers. */
async function conflictedFromPrompt(cwd: string, prompt: string): Promise<string[]> {
  const candidates = new Set<string>();
  for (const m of prompt.matchAll(/`([^`\n]+)`/g)) candidates.add(m[1]!.trim());
  for (const m of prompt.matchAll(/^\s*[-*]\s+(\S+)\s*$/gm)) candidates.add(m[1]!.replace(/^`|`$/g, ''));
  const found: string[] = [];
  for (const rel of candidates) {
    let full: string;
    try {
      full = safePath(cwd, rel);
    } catch {
      continue;
    }
    const text = await readFile(full, 'utf8').catch(() => undefined);
    if (text !== undefined && hasConflictMarkers(text)) found.push(rel);
  }
  return found;
}

export async function rebase(cwd: string, prompt: string, script: RebaseScript, log: string[]): Promise<string[]> {
  if (typeof script.resolve === 'object') return applyFiles(cwd, script.resolve.files, log);
  const side = script.resolve;
  let conflicted: string[];
  try {
    conflicted = await gitUnmerged(cwd);
  } catch (error) {
    log.push(`git could not list conflicted files (${(error as Error).message.split('\n')[0]}); scanning files named in the prompt`);
    conflicted = await conflictedFromPrompt(cwd, prompt);
  }
  // agentloop hands the agent a copy of the stopped rebase in a fresh repository: the prompt names the files.
  if (conflicted.length === 0) conflicted = await conflictedFromPrompt(cwd, prompt);
  if (conflicted.length === 0) log.push('no conflicted files found');
  const changed: string[] = [];
  for (const rel of conflicted) {
    const full = safePath(cwd, rel);
    const text = await readFile(full, 'utf8').catch(() => undefined);
    if (text === undefined) {
      log.push(`left ${rel} unresolved: no such file in the working tree`);
      continue;
    }
    const { text: resolved, hunks } = resolveConflictMarkers(text, side);
    if (hunks === 0) {
      log.push(`left ${rel} unresolved: no conflict markers`);
      continue;
    }
    await writeFile(full, resolved);
    changed.push(rel);
    log.push(`resolved ${rel}: ${hunks} hunk(s), kept ${side}`);
  }
  return changed;
}
