import { realpathSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { ScriptedAgentError } from './scripted-conflicts.js';
import { applyFiles, withRun } from './scripted-files.js';
import { rebase } from './scripted-rebase.js';
import { hang, waitForFile } from './scripted-wait.js';

export { hasConflictMarkers, resolveConflictMarkers, ScriptedAgentError } from './scripted-conflicts.js';
export { safePath } from './scripted-files.js';

export const SCRIPTED_TRANSITIONS = ['plan', 'code', 'fix-ci', 'rebase', 'address-review', 'review', 'breakdown'] as const;
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
  /** The breakdown's final message, as is (agentloop reads the JSON list of issues in it). */
  breakdown: z.string().optional(),
  /** One change, or one per code run in order (the n-th code run uses entry n; the last repeats). */
  code: z.union([changeSchema, z.array(changeSchema).min(1)]).optional(),
  /** Entry i is used for attempt i + 1; beyond the list the agent changes nothing. */
  'fix-ci': z.array(changeSchema).optional(),
  /**
   * Entry i answers review round i + 1 (the last repeats): its change, and an answer to every review
   * comment the prompt names (`[id]`), as agentloop's address-review prompt asks.
   */
  'address-review': z.array(changeSchema).optional(),
  /** The reviewer agent's verdicts, one per review run in order (the last repeats), printed as its JSON answer. */
  review: z
    .array(
      z.strictObject({
        verdict: z.enum(['approve', 'request_changes']),
        summary: z.string().default(''),
        comments: z.array(z.strictObject({ path: z.string(), line: z.number().int(), body: z.string() })).default([]),
      }),
    )
    .min(1)
    .optional(),
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
    const earlierOf = (name: string) => earlier.filter((l) => l.includes(`"transition":"${name}"`)).length;
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
      case 'breakdown':
        if (s.breakdown === undefined) throw new ScriptedAgentError("the script has no 'breakdown'");
        return result(0, s.breakdown);
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
      case 'address-review': {
        const rounds = s['address-review'];
        if (!rounds) throw new ScriptedAgentError("the script has no 'address-review'");
        const entry = rounds[Math.min(earlierOf('address-review'), rounds.length - 1)]!;
        changed.push(...(await applyFiles(opts.cwd, entry.files, log, run)));
        const summary = entry.summary !== undefined ? withRun(entry.summary, run) : `Changed ${changed.join(', ')}.`;
        const ids = [...new Set([...opts.prompt.matchAll(/^- \[(\d+)\]/gm)].map((m) => m[1]!))];
        return result(0, [summary, '', ...ids.map((id) => `[${id}] Done: ${summary.split('\n')[0]}`)].join('\n'));
      }
      case 'review': {
        const verdicts = s.review;
        if (!verdicts) throw new ScriptedAgentError("the script has no 'review'");
        const v = verdicts[Math.min(earlierOf('review'), verdicts.length - 1)]!;
        return result(0, `\`\`\`json\n${JSON.stringify(v, null, 2)}\n\`\`\``);
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
