// Step-level machinery for the embedded workflow runner (runner.ts): step processes (detached, so a
// kill takes the whole process group), the job log with GitHub's shape (timestamped lines,
// `##[group]`, `##[error]`, secrets masked as `***`), workflow commands on stdout, the file commands
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY), action manifests and the
// actions/checkout emulation.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

// ---------------------------------------------------------------------------------------------
// File commands.

/**
 * GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE: `name=value` lines and `name<<DELIM` … `DELIM` blocks
 * (the runner's own grammar; a block without its closing delimiter is an error there — here the
 * rest of the file is taken).
 */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delim = line.slice(heredoc + 2);
      let end = lines.indexOf(delim, i + 1);
      if (end < 0) end = lines.length;
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** GITHUB_PATH: one directory per line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// The job log.

/** `2024-05-01T12:00:00.1230000Z` — the runner's timestamp (7 fractional digits). */
function stamp(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/**
 * A job's log as the job-logs API serves it: every line prefixed with a timestamp, secrets (and
 * values registered with `::add-mask::`) replaced by `***`.
 */
export class JobLog {
  private text = '';
  private readonly masks = new Set<string>();
  /** Called (throttled by the caller's flush points) with the whole log. */
  constructor(private readonly onChange: (text: string) => void = () => {}) {}

  /** Values shorter than 2 characters are not masked (they would shred the log). */
  addMask(value: string | undefined): void {
    if (value === undefined) return;
    for (const v of [value, ...value.split(/\r?\n/)]) {
      if (v.trim().length >= 2) this.masks.add(v);
    }
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const m of [...this.masks].sort((a, b) => b.length - a.length)) out = out.split(m).join('***');
    return out;
  }

  line(text: string): void {
    for (const l of text.split(/\r?\n/)) this.text += `${stamp()} ${this.mask(l)}\n`;
  }

  flush(): void {
    this.onChange(this.text);
  }

  toString(): string {
    return this.text;
  }
}

export interface CommandSink {
  log: JobLog;
  /** `::set-output name=x::v` (deprecated but still honoured). */
  setOutput?(name: string, value: string): void;
}

/**
 * Splits process output into lines and applies workflow commands the way the runner does:
 * `::add-mask::`, `::error::`/`::warning::`/`::notice::` → `##[error]` …, `::group::`/`::endgroup::`,
 * `::debug::` (dropped: step debug logging is off), `::set-output`. Everything else is logged.
 */
export class OutputSplitter {
  private partial = '';
  constructor(private readonly sink: CommandSink) {}

  write(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.handle(l.replace(/\r$/, ''));
  }

  end(): void {
    if (this.partial !== '') this.handle(this.partial);
    this.partial = '';
  }

  private handle(line: string): void {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) return this.sink.log.line(line);
    const [, cmd = '', props = '', value = ''] = m;
    switch (cmd) {
      case 'add-mask':
        this.sink.log.addMask(value);
        return;
      case 'debug':
        return;
      case 'error':
      case 'warning':
      case 'notice':
        return this.sink.log.line(`##[${cmd}]${value}`);
      case 'group':
        return this.sink.log.line(`##[group]${value}`);
      case 'endgroup':
        return this.sink.log.line('##[endgroup]');
      case 'set-output': {
        const name = /(?:^|,)name=([^,]*)/.exec(props)?.[1];
        if (name) this.sink.setOutput?.(name, value);
        return;
      }
      default:
        return this.sink.log.line(line);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Step processes.

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
  let child;
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

// ---------------------------------------------------------------------------------------------
// Actions.

export type UsesKind = 'checkout' | 'agentloop' | 'unsimulated';

/**
 * What a `uses:` runs here: actions/checkout (emulated with real git), agentloop (`<owner>/agentloop@ref`,
 * `<owner>/agentloop/<path>@ref` or `./` — the repository being agentloop itself), anything else not.
 */
export function usesKind(uses: string): UsesKind {
  const u = uses.trim();
  if (/^actions\/checkout@/i.test(u)) return 'checkout';
  if (u === './' || u === '.') return 'agentloop';
  if (/^[^/@\s]+\/agentloop(?:\/[^@]*)?@/i.test(u)) return 'agentloop';
  return 'unsimulated';
}

/** `INPUT_<NAME>`: upper-cased, spaces → `_` (hyphens kept), as the runner names them. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface ActionManifest {
  /** Declared inputs and their raw defaults (`${{ }}` kept; undefined = no default). */
  inputs: Record<string, { default?: string }>;
  /** Entry point, relative to the action directory. */
  main: string;
}

/** Reads `<dir>/action.yml` (or action.yaml); a missing manifest means no inputs and `dist/index.js`. */
export async function readActionManifest(dir: string): Promise<ActionManifest> {
  let text = '';
  for (const name of ['action.yml', 'action.yaml']) {
    text = await readIfExists(path.join(dir, name));
    if (text !== '') break;
  }
  const manifest: ActionManifest = { inputs: {}, main: 'dist/index.js' };
  if (text === '') return manifest;
  const doc = parseYaml(text) as { inputs?: Record<string, { default?: unknown } | null>; runs?: { main?: unknown } } | null;
  for (const [name, spec] of Object.entries(doc?.inputs ?? {})) {
    const d = spec?.default;
    manifest.inputs[name] = d === undefined || d === null ? {} : { default: String(d) };
  }
  if (typeof doc?.runs?.main === 'string') manifest.main = doc.runs.main;
  return manifest;
}

// ---------------------------------------------------------------------------------------------
// actions/checkout.

export interface CheckoutPlan {
  /** The checkout directory. */
  dir: string;
  /** git argument lists run first, in order. */
  setup: string[][];
  /** Alternatives (each a command list) tried in order until one succeeds: fetch + checkout. */
  attempts: string[][][];
  /** Run last (persisting the credentials). */
  finish: string[][];
}

export interface CheckoutInput {
  /** Evaluated `with:`. */
  with: Record<string, string>;
  /** The job's workspace (GITHUB_WORKSPACE). */
  workspace: string;
  /** Forge web URL (http://127.0.0.1:port). */
  serverUrl: string;
  repository: string;
  /** The event's ref and sha (github.ref / github.sha). */
  ref: string;
  sha: string;
  /** Default token (github.token). */
  token: string;
}

const SHA_RE = /^[0-9a-f]{40}$/i;

/**
 * The git commands actions/checkout (v4) runs, reduced: init, remote without credentials, fetch with
 * the token as an `http.extraheader` (never in the URL), checkout (a local branch for branch refs, a
 * detached HEAD otherwise), and — unless `persist-credentials: false` — the extraheader written to
 * the local config, where later git commands (pushes) pick it up.
 * `fetch-depth: 0` fetches every branch and tag; otherwise only the one commit, shallow.
 */
export function checkoutCommands(input: CheckoutInput): CheckoutPlan {
  const w = input.with;
  const repository = w['repository'] || input.repository;
  const token = w['token'] || input.token;
  const dir = path.resolve(input.workspace, w['path'] ?? '');
  const depthRaw = Number.parseInt(w['fetch-depth'] ?? '1', 10);
  const depth = Number.isFinite(depthRaw) && depthRaw >= 0 ? depthRaw : 1;
  const persist = (w['persist-credentials'] ?? 'true').trim().toLowerCase() !== 'false';
  const server = input.serverUrl.replace(/\/$/, '');
  const url = `${server}/${repository}`;
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const authed = ['-c', `http.extraheader=${header}`];

  let ref = (w['ref'] ?? '').trim();
  let sha = '';
  if (ref === '') {
    ref = input.ref;
    sha = input.sha;
  } else if (SHA_RE.test(ref)) {
    sha = ref;
    ref = '';
  }
  const fetchBase = [...authed, 'fetch', '--no-tags', '--prune', '--no-recurse-submodules', ...(depth > 0 ? [`--depth=${depth}`] : [])];
  const setup: string[][] = [
    ['init', '--quiet', dir],
    ['-C', dir, 'config', '--local', 'gc.auto', '0'],
    ['-C', dir, 'remote', 'add', 'origin', url],
  ];
  const commands: string[][] = [];
  const attempts: string[][][] = [commands];
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : '';
  const all = ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'];

  if (branch) {
    const target = `refs/remotes/origin/${branch}`;
    const spec = depth === 0 ? all : [sha ? `+${sha}:${target}` : `+${ref}:${target}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '-B', branch, sha || target]);
  } else if (ref.startsWith('refs/pull/')) {
    const target = `refs/remotes/pull/${ref.slice('refs/pull/'.length)}`;
    // The embedded forge keeps no refs/pull/*: the PR head sha stands in for the merge commit.
    const spec = depth === 0 ? [...all, ...(sha ? [`+${sha}:${target}`] : [])] : [`+${sha || ref}:${target}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', target]);
  } else if (ref.startsWith('refs/tags/')) {
    const spec = depth === 0 ? all : [`+${sha || ref}:${ref}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', sha || ref]);
  } else if (ref === '' && sha) {
    const spec = depth === 0 ? [...all, `+${sha}:refs/remotes/origin/checkout`] : [`+${sha}:refs/remotes/origin/checkout`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', sha]);
  } else {
    // Unqualified name: a branch, else a tag (actions/checkout tries both).
    const target = `refs/remotes/origin/${ref}`;
    commands.push(['-C', dir, ...fetchBase, 'origin', ...(depth === 0 ? all : [`+refs/heads/${ref}:${target}`])]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '-B', ref, target]);
    attempts.push([
      ['-C', dir, ...fetchBase, 'origin', `+refs/tags/${ref}:refs/tags/${ref}`],
      ['-C', dir, 'checkout', '--quiet', '--force', '--detach', `refs/tags/${ref}`],
    ]);
  }
  const finish = persist ? [['-C', dir, 'config', '--local', `http.${server}/.extraheader`, header]] : [];
  return { dir, setup, attempts, finish };
}
