// Run one agent process: no shell, its own process group, stdin fed once, output streamed and kept
// (bounded), a timeout that kills the whole group. When the agent exits, whatever it left running in
// its group (a dev server, a watcher) is terminated too: nothing may keep editing the workspace while
// trusted code inspects the diff.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Run as this user (agentloop is root); supplementary groups are dropped. */
  uid?: number;
  gid?: number;
  /** Written to stdin, which is then closed. */
  input: string;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Characters of stdout kept (the tail). */
  stdoutLimit: number;
  /** Characters of stderr kept (the tail). */
  stderrLimit: number;
  onOutput?: (chunk: string) => void;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stdoutTruncated: boolean;
  stderr: string;
  durationMs: number;
  /** Set when the program could not be started (not found, not executable, bad cwd). */
  spawnError?: string;
}

/** Keeps the last `limit` characters of a stream. */
class Tail {
  private text = '';
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit * 2) this.compact();
  }
  private compact(): void {
    if (this.text.length > this.limit) {
      this.text = this.text.slice(-this.limit);
      this.truncated = true;
    }
  }
  value(): string {
    this.compact();
    return this.text;
  }
}

/** Signal a whole process group; a group that is already gone is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nobody left in the group.
  }
}

export function runProcess(req: ProcessRequest): Promise<ProcessResult> {
  const started = Date.now();
  const stdout = new Tail(req.stdoutLimit);
  const stderr = new Tail(req.stderrLimit);

  return new Promise<ProcessResult>((resolve) => {
    let child: ChildProcess;
    let timedOut = false;
    let exitCode: number | null = null;
    let signal: string | null = null;
    let done = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (spawnError?: string): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.value(),
        stdoutTruncated: stdout.truncated,
        stderr: stderr.value(),
        durationMs: Date.now() - started,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    };

    /** SIGTERM the group now, SIGKILL it after the grace period (even if we have resolved by then). */
    const terminateGroup = (pid: number): void => {
      killGroup(pid, 'SIGTERM');
      setTimeout(() => killGroup(pid, 'SIGKILL'), req.killGraceMs).unref();
    };

    try {
      child = spawn(req.file, req.args, {
        cwd: req.cwd,
        env: req.env,
        ...(req.uid !== undefined ? { uid: req.uid } : {}),
        ...(req.gid !== undefined ? { gid: req.gid } : {}),
        detached: true, // a new process group, so a timeout can kill grandchildren too
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
    } catch (err) {
      finish(describeSpawnError(req.file, err));
      return;
    }

    child.on('error', (err) => {
      // Emitted when the program cannot be started; later errors (a failed kill) change nothing.
      if (child.pid === undefined) finish(describeSpawnError(req.file, err));
    });

    const pid = child.pid;
    if (pid === undefined) return; // 'error' follows

    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    const stream = (chunk: string): void => {
      try {
        req.onOutput?.(chunk);
      } catch {
        // A failing log sink must not kill the run.
      }
    };
    child.stdout?.on('data', (chunk: string) => {
      stdout.push(chunk);
      stream(chunk);
    });
    child.stderr?.on('data', (chunk: string) => {
      stderr.push(chunk);
      stream(chunk);
    });

    // The agent may exit without reading stdin (EPIPE) — that is its choice, not an error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(req.input);

    const deadline = setTimeout(() => {
      timedOut = true;
      terminateGroup(pid);
    }, req.timeoutMs);
    timers.push(deadline);

    child.on('exit', (code, sig) => {
      clearTimeout(deadline);
      exitCode = code;
      signal = sig;
      // Leftovers in the group die with the agent.
      terminateGroup(pid);
      // 'close' waits for stdout/stderr to end; a process that left the group (setsid) could hold
      // them open forever, so stop waiting after the grace period.
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, req.killGraceMs + 2_000),
      );
    });
    child.on('close', () => finish());
  });
}

function describeSpawnError(file: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const hint =
    e.code === 'ENOENT'
      ? ' (is it installed and on PATH, and does the working directory exist?)'
      : e.code === 'EACCES'
        ? ' (is it executable?)'
        : '';
  return `could not start ${JSON.stringify(file)}: ${e.message ?? String(err)}${hint}`;
}
