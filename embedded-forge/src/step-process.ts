// Step processes of the embedded runner: detached, so a kill takes the whole process group; liveness
// checks that tell a zombie from a live process; the shells `run:` steps use.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Spawn failure (missing shell, bad cwd, …). */
  error?: string;
}

export interface StepProcess {
  pid: number | undefined;
  done: Promise<ProcessResult>;
  /** SIGKILL the whole process group (the step and everything it started). */
  kill(): void;
}

/** SIGKILL a process group; false when it is already gone. */
export function killGroup(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** `/proc/<pid>/stat` → [state, pgrp]; undefined when the process does not exist (or no procfs). */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …" — comm may contain spaces and parentheses.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (killed but not yet reaped counts as gone). */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  if (existsSync('/proc/self/stat')) {
    const st = procStat(pid);
    return st !== undefined && st.state !== 'Z' && st.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process of the group is alive (zombies excluded, see processAlive). */
export function groupAlive(pgid: number | undefined): boolean {
  if (pgid === undefined) return false;
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const st = procStat(Number(name));
      if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Spawns a step process in its own process group (detached), stdin closed, stdout/stderr to `onData`.
 * Resolves when the process has exited and its pipes closed — or shortly after exit when a
 * background child still holds them (its output after that is lost; the runner kills the group at
 * job end, as the real runner's orphan-process cleanup does).
 */
export function spawnStep(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; onData: (text: string) => void },
): StepProcess {
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return { pid: undefined, done: Promise.resolve({ code: null, signal: null, error: (err as Error).message }), kill: () => {} };
  }
  const proc = child;
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', opts.onData);
  proc.stderr.on('data', opts.onData);
  const done = new Promise<ProcessResult>((resolve) => {
    let exited: ProcessResult | undefined;
    let settled = false;
    const settle = (r: ProcessResult): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    proc.on('error', (err) => settle({ code: null, signal: null, error: err.message }));
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      setTimeout(() => {
        if (settled) return;
        proc.stdout.destroy();
        proc.stderr.destroy();
        settle(exited!);
      }, 300).unref();
    });
    proc.on('close', (code, signal) => settle(exited ?? { code, signal }));
  });
  return {
    pid: proc.pid,
    done,
    kill: () => {
      if (!killGroup(proc.pid)) proc.kill('SIGKILL');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shells (`run:` steps), as the runner invokes them.

/** The command line for a `run:` script file; `shell` is the step's `shell:` (default bash). */
export function shellCommand(shell: string | undefined, scriptPath: string): { cmd: string; args: string[] } {
  const s = (shell ?? 'bash').trim();
  if (s === 'bash') return { cmd: 'bash', args: ['--noprofile', '--norc', '-eo', 'pipefail', scriptPath] };
  if (s === 'sh') return { cmd: 'sh', args: ['-e', scriptPath] };
  if (s === 'python') return { cmd: 'python3', args: [scriptPath] };
  if (s === 'node') return { cmd: process.execPath, args: [scriptPath] };
  // Custom shell: `command [options] {0}`.
  const parts = s.split(/\s+/).map((p) => p.replace('{0}', scriptPath));
  if (!s.includes('{0}')) parts.push(scriptPath);
  return { cmd: parts[0] ?? 'bash', args: parts.slice(1) };
}
