// The action's entry. Most events a workflow receives are not for agentloop, so this decides from the
// event payload alone — node built-ins and the pure label/triage code, no forge client — and loads
// the heavy path (dist/chunks/action.js, scripts/bundle.mjs) only when there can be work (DESIGN §1.6).
import { appendFileSync, existsSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeEvent } from '../core/event.js';
import { labelNames } from '../core/labels.js';
import { triage } from '../core/triage.js';

const DEFAULT_PREFIX = 'loop/';

/** Label settings the workspace's config file may hold; a hint only (the real config is read later). */
function labelHints(env: NodeJS.ProcessEnv): { prefix?: string; anyLabel: boolean } {
  const file = join(env.GITHUB_WORKSPACE ?? process.cwd(), env['INPUT_CONFIG-FILE'] || '.github/agentloop.yml');
  if (!existsSync(file)) return { anyLabel: false };
  const text = readFileSync(file, 'utf8');
  const prefix = /^label-prefix:\s*["']?([^"'#\n]*?)["']?\s*(#.*)?$/m.exec(text)?.[1];
  // Per-label renames are rare; rather than parse YAML here, let every label through to the full run.
  return { ...(prefix !== undefined ? { prefix } : {}), anyLabel: /^labels:/m.test(text) };
}

/** A line on stdout without process.stdout, whose stream (net, stream) would cost a no-op run ~10 ms. */
function say(line: string): void {
  try {
    writeSync(1, `${line}\n`);
  } catch {
    console.log(line); // a non-blocking stdout that is full: the stream waits for it
  }
}

function run(): Promise<void> | void {
  const env = process.env;
  const payload =
    env.GITHUB_EVENT_PATH && existsSync(env.GITHUB_EVENT_PATH) ? (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as unknown) : {};
  const event = normalizeEvent(env.GITHUB_EVENT_NAME ?? '', payload);
  const hints = labelHints(env);
  const prefix = env['INPUT_LABEL-PREFIX'] || hints.prefix || DEFAULT_PREFIX;
  const verdict = triage(event, labelNames(prefix), { anyLabel: hints.anyLabel });
  if (!verdict.work) {
    say(`agentloop: nothing to do (${verdict.reason}).`);
    if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `transition=none\nreason=${verdict.reason}\nrequests=0\n`);
    return;
  }
  return baselineWasmOnly()
    .then(() => import('./action.js'))
    .then((m) => m.runAction())
    .then(exitWhenWritten);
}

/**
 * Node's fetch parses HTTP with a WebAssembly module (undici's llhttp). V8 first compiles it with its
 * baseline compiler, then optimizes the busy functions on a background thread, and a process exits only
 * once that thread is done: ~45 ms of a run that makes a few requests (docs/performance.md, Start-up).
 * The baseline code parses a run's few dozen responses as well. Set before the first request compiles it.
 */
async function baselineWasmOnly(): Promise<void> {
  try {
    (await import('node:v8')).setFlagsFromString('--liftoff-only');
  } catch {
    // A Node that refuses flags after start-up only loses the time, never the run.
  }
}

/**
 * The run is over and everything it started has been awaited; left to itself Node would still wait
 * ~60 ms for V8's background compile jobs before exiting (measured: docs/performance.md, Start-up).
 * process.exit keeps the exit code @actions/core's setFailed set; stdout is flushed first.
 */
function exitWhenWritten(): void {
  process.stdout.write('', () => process.exit());
}

Promise.resolve(run()).catch((err: unknown) => {
  // ::error:: is the workflow command for a failed step; no @actions/core needed here.
  console.log(`::error::agentloop failed: ${String((err as Error)?.stack ?? err).replace(/\n/g, '%0A')}`);
  process.exitCode = 1;
});
