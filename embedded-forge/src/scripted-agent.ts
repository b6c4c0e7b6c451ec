// The scripted agent (DESIGN §10): a deterministic stand-in for a coding-agent CLI, driven by a JSON
// script, used through `agent: command` as `node dist/scripted-agent.js <script.json>`. It reads the
// transition from AGENTLOOP_TRANSITION and the fix attempt from AGENTLOOP_ATTEMPT, does what the script
// says for it (print a plan; write/delete files; resolve rebase conflicts), and prints its answer on
// stdout as a real agent's final message. Each invocation appends one JSON line to `<script>.log`, so
// tests and the demo can count agent runs. `{{run}}` in a code or fix-ci change (paths, contents,
// summary) is replaced by the invocation's number (its line in that log), so one script can make a
// different change on every run: many issues, each with its own file and its own fix.
//
// It never runs a git command that changes anything: the only git it runs is a read-only
// `git diff --name-only --diff-filter=U` to find conflicted files.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { hasConflictMarkers, resolveConflictMarkers, ScriptedAgentError } from './scripted-conflicts.js';
import { hang, waitForFile } from './scripted-wait.js';

export { hasConflictMarkers, resolveConflictMarkers, ScriptedAgentError } from './scripted-conflicts.js';

export const SCRIPTED_TRANSITIONS = ['plan', 'code', 'fix-ci', 'rebase'] as const;
export type ScriptedTransition = (typeof SCRIPTED_TRANSITIONS)[number];

/** Exit code for a bad script, a bad environment or a refused path. */
export const EXIT_BAD_INPUT = 2;

const filesSchema = z.record(z.string().min(1), z.string().nullable(), {
  error: 'files must map relative paths to new content (a string) or null (delete)',
});

const changeSchema = z.strictObject({
  /** Path → full new content, or null to delete the file; `{{run}}` is the invocation's number. */
  files: filesSchema,
  /** The final message (the PR summary). */
  summary: z.string().optional(),
});

const failSchema = z.strictObject({
  exitCode: z.number().int().min(1).max(255).default(1),
  stderr: z.string().default(''),
  /** Also printed on stdout before failing. */
  stdout: z.string().optional(),
  /** fix-ci: only these attempts fail (default: every attempt). */
  attempts: z.array(z.number().int().min(1)).optional(),
});

export const scriptSchema = z.strictObject({
  plan: z.string().optional(),
  /** One change, or one per code run in order (the n-th code run uses entry n; the last repeats). */
  code: z.union([changeSchema, z.array(changeSchema).min(1)]).optional(),
  /** Entry i is used for attempt i + 1; beyond the list the agent changes nothing. */
  'fix-ci': z.array(changeSchema).optional(),
  rebase: z
    .strictObject({
      resolve: z.union([z.enum(['ours', 'theirs']), z.strictObject({ files: filesSchema })]),
      summary: z.string().optional(),
    })
    .optional(),
  fail: z.partialRecord(z.enum(SCRIPTED_TRANSITIONS), failSchema).optional(),
  /** Transitions that never finish (until killed), for timeout tests. */
  hang: z.array(z.enum(SCRIPTED_TRANSITIONS)).optional(),
  /** Transition → a file: the agent waits until it exists (reachable by the agent's OS user), then goes on. */
  pause: z.partialRecord(z.enum(SCRIPTED_TRANSITIONS), z.string().min(1)).optional(),
});

export type AgentScript = z.input<typeof scriptSchema>;
type Script = z.output<typeof scriptSchema>;
type Files = Record<string, string | null>;

export interface ScriptedAgentOptions {
  /** AGENTLOOP_TRANSITION; anything but plan | code | fix-ci | rebase is refused. */
  transition: string | undefined;
  /** AGENTLOOP_ATTEMPT (1-based); default 1. */
  attempt?: number;
  /** The workspace the agent works in. */
  cwd: string;
  /** The prompt it was given (only its length is logged; rebase may scan it for conflicted files). */
  prompt: string;
  /** Where the one-line-per-invocation JSON log goes (the program uses `<script path>.log`). */
  logPath?: string;
  /** In-process only: ends a scripted hang (the program hangs until it is killed). */
  signal?: AbortSignal;
}

export interface ScriptedAgentResult {
  exitCode: number;
  /** The final message: what agentloop reads as the plan or the PR summary. */
  stdout: string;
  /** Diagnostics. */
  stderr: string;
  /** Paths written or deleted, relative to cwd. */
  changed: string[];
}

export interface ScriptedAgentLogLine {
  transition: string | null;
  attempt: number;
  cwd: string;
  promptLength: number;
  /** The whole prompt, so tests and the demo can see what the agent was told. */
  prompt: string;
}

/** Validate a parsed script; throws ScriptedAgentError with every problem listed. */
export function parseScript(input: unknown): Script {
  const parsed = scriptSchema.safeParse(input);
  if (!parsed.success) throw new ScriptedAgentError(`invalid agent script:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** AGENTLOOP_ATTEMPT: a positive integer; unset or empty means 1. */
export function parseAttempt(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ScriptedAgentError(`AGENTLOOP_ATTEMPT must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

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
const withRun = (text: string, run: number) => text.replace(RUN_PLACEHOLDER, String(run));

async function applyFiles(cwd: string, files: Files, log: string[], run = 1): Promise<string[]> {
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

async function rebase(cwd: string, prompt: string, script: NonNullable<Script['rebase']>, log: string[]): Promise<string[]> {
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

function isTransition(t: string | undefined): t is ScriptedTransition {
  return (SCRIPTED_TRANSITIONS as readonly string[]).includes(t ?? '');
}

const joinLog = (lines: string[]) => lines.map((l) => `scripted-agent: ${l}\n`).join('');

/**
 * Run one scripted transition in-process. Never throws for a bad script, environment or path (exit 2
 * with the reason on stderr); an I/O failure is exit 1.
 */
export async function runScriptedAgent(script: unknown, opts: ScriptedAgentOptions): Promise<ScriptedAgentResult> {
  const attempt = opts.attempt ?? 1;
  const log: string[] = [];
  const changed: string[] = [];
  const result = (exitCode: number, stdout: string, extra = ''): ScriptedAgentResult => ({
    exitCode,
    stdout,
    stderr: joinLog(log) + extra,
    changed,
  });
  try {
    const earlier = opts.logPath ? (await readFile(opts.logPath, 'utf8').catch(() => '')).split('\n').filter(Boolean) : [];
    const earlierCodeRuns = earlier.filter((l) => l.includes('"transition":"code"')).length;
    // This invocation's number: `{{run}}` in a change (agents of one lane run one at a time, so it is unique there).
    const run = earlier.length + 1;
    if (opts.logPath) {
      const line: ScriptedAgentLogLine = {
        transition: opts.transition ?? null,
        attempt,
        cwd: opts.cwd,
        promptLength: opts.prompt.length,
        prompt: opts.prompt,
      };
      // Each agent run may be another OS user, some of them concurrent: the log is created writable by
      // all in the same open() (a chmod afterwards would leave a moment where the next user is refused).
      const umask = process.umask(0);
      try {
        await appendFile(opts.logPath, `${JSON.stringify(line)}\n`, { mode: 0o666 });
      } finally {
        process.umask(umask);
      }
    }
    const s = parseScript(script);
    const t = opts.transition;
    if (!isTransition(t))
      throw new ScriptedAgentError(
        `AGENTLOOP_TRANSITION must be one of ${SCRIPTED_TRANSITIONS.join(', ')}; got ${JSON.stringify(t ?? '')}`,
      );
    if (!Number.isInteger(attempt) || attempt < 1) throw new ScriptedAgentError(`attempt must be a positive integer, got ${attempt}`);

    if (s.hang?.includes(t)) {
      await hang(opts.signal);
      log.push(`${t}: hang aborted`);
      return result(124, '');
    }
    const release = s.pause?.[t];
    if (release !== undefined && !(await waitForFile(release, opts.signal, (line) => log.push(`${t}: ${line}`)))) return result(124, '');
    const fail = s.fail?.[t];
    if (fail && (!fail.attempts || fail.attempts.includes(attempt))) {
      return result(fail.exitCode, fail.stdout ?? '', fail.stderr && !fail.stderr.endsWith('\n') ? `${fail.stderr}\n` : fail.stderr);
    }

    switch (t) {
      case 'plan':
        if (s.plan === undefined) throw new ScriptedAgentError("the script has no 'plan'");
        return result(0, s.plan);
      case 'code': {
        if (!s.code) throw new ScriptedAgentError("the script has no 'code'");
        const entry = Array.isArray(s.code) ? s.code[Math.min(earlierCodeRuns, s.code.length - 1)]! : s.code;
        changed.push(...(await applyFiles(opts.cwd, entry.files, log, run)));
        return result(
          0,
          entry.summary !== undefined ? withRun(entry.summary, run) : `Changed ${changed.length} file(s): ${changed.join(', ')}`,
        );
      }
      case 'fix-ci': {
        const entry = s['fix-ci']?.[attempt - 1];
        if (!entry) {
          log.push(`no fix-ci entry for attempt ${attempt}; made no change`);
          return result(0, `No change: the script has no fix for attempt ${attempt}.`);
        }
        changed.push(...(await applyFiles(opts.cwd, entry.files, log, run)));
        return result(
          0,
          entry.summary !== undefined
            ? withRun(entry.summary, run)
            : `Fix attempt ${attempt}: changed ${changed.length} file(s): ${changed.join(', ')}`,
        );
      }
      case 'rebase': {
        if (!s.rebase) throw new ScriptedAgentError("the script has no 'rebase'");
        changed.push(...(await rebase(opts.cwd, opts.prompt, s.rebase, log)));
        return result(0, s.rebase.summary ?? `Resolved conflicts in ${changed.length} file(s): ${changed.join(', ')}`);
      }
    }
  } catch (error) {
    if (error instanceof ScriptedAgentError) return result(EXIT_BAD_INPUT, '', `scripted-agent: ${error.message}\n`);
    return result(1, '', `scripted-agent: ${(error as Error).stack ?? String(error)}\n`);
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The program: `scripted-agent <script.json>`; returns the exit code. */
export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`scripted-agent: ${message}\n`);
    return EXIT_BAD_INPUT;
  };
  const scriptPath = argv[0];
  if (!scriptPath) return fail('usage: scripted-agent <script.json>');
  let script: unknown;
  try {
    script = JSON.parse(await readFile(scriptPath, 'utf8'));
  } catch (error) {
    return fail(`cannot read the script ${scriptPath}: ${(error as Error).message}`);
  }
  let attempt: number;
  try {
    attempt = parseAttempt(env.AGENTLOOP_ATTEMPT);
  } catch (error) {
    return fail((error as Error).message);
  }
  const prompt = env.AGENTLOOP_PROMPT_FILE ? await readFile(env.AGENTLOOP_PROMPT_FILE, 'utf8') : await readStdin();
  const out = await runScriptedAgent(script, {
    transition: env.AGENTLOOP_TRANSITION,
    attempt,
    cwd: process.cwd(),
    prompt,
    logPath: `${path.resolve(scriptPath)}.log`,
  });
  if (out.stdout) process.stdout.write(out.stdout.endsWith('\n') ? out.stdout : `${out.stdout}\n`);
  if (out.stderr) process.stderr.write(out.stderr);
  return out.exitCode;
}

/**
 * Run as a program only when the entry point is a file named scripted-agent(.js|.mjs|.cjs|.ts)
 * (`node dist/scripted-agent.js`). The entry's name is checked rather than this module's URL so that
 * a code-split bundle (this module in a shared chunk, imported by dist/scripted-agent.js) still runs
 * it, while another bundle that includes this module (e.g. the CLI) never runs it by accident.
 */
function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  let real = entry;
  try {
    real = realpathSync(entry);
  } catch {
    // keep the name as given
  }
  return [entry, real].some((p) => /^scripted-agent(\.[cm]?[jt]s)?$/.test(path.basename(p)));
}

if (isMainModule()) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`scripted-agent: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
