// How the scripted agent waits: a hang that ends only when aborted (a stuck CLI, for timeout tests), and
// a pause that ends when a file appears (a person acts while the agent works, then the test releases it).
import { access } from 'node:fs/promises';

/** Hang until `signal` aborts (forever without one), keeping the event loop alive like a stuck CLI. */
export function hang(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {}, 60_000);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Wait until `file` exists (true), or until `signal` aborts (false), polling like a slow CLI; `log` says which. */
export async function waitForFile(file: string, signal: AbortSignal | undefined, log: (line: string) => void = () => {}): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) {
      log('pause aborted');
      return false;
    }
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    ) {
      log(`released (${file} exists)`);
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
