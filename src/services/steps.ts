// Records the named steps a run passes (core/steps.ts) in its log, and stops the run dead at the one
// AGENTLOOP_CRASH_AT names: how the crash matrix tests that a run lost at any step is repaired. The
// variable is set only by tests; a run without it only logs.
import { writeSync } from 'node:fs';
import type { Logger } from '../core/logger.js';
import { type StepName, stepId } from '../core/steps.js';

export class StepRecorder {
  private transition = 'none';
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly crashAt: string | undefined,
  ) {}

  /** The transition the run performs (steps are named after it). */
  begin(transition: string): void {
    this.transition = transition;
    this.seen.clear();
  }

  reached(step: StepName): void {
    const k = (this.seen.get(step) ?? 0) + 1;
    this.seen.set(step, k);
    const id = stepId(this.transition, step, k);
    this.log.info(`step: ${id}`);
    if (this.crashAt !== undefined && this.crashAt === id) {
      // As a runner dies: no cleanup, no handler, nothing flushed but this line.
      writeSync(1, `crash point: ${id}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  }
}
