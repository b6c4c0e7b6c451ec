// What the workflow runner's modules share: the forge and options, job slots, the process groups steps
// started, and each live run's control state. WorkflowRunner (runner.ts) owns them.
import type { RunnerOptions, StepRecord } from './runner-types.js';
import type { EmbeddedForge } from './server.js';
import type { RepoState } from './state.js';
import type { ParsedStep, PlannedRun } from './workflow-engine.js';

export interface RunnerHost {
  readonly forge: EmbeddedForge;
  readonly opts: RunnerOptions;
  readonly slots: Slots;
  /** Process groups of steps that may still be alive; stop() kills them. */
  readonly liveGroups: Set<number>;
  /** After stop(): no new events, no workflow_run emission. */
  stopped(): boolean;
  /** Records the first internal error; idle() rejects with it. */
  fail(err: unknown): void;
}

/** A live run's control state (dropped when the run completes). */
export interface RunInternals {
  planned: PlannedRun;
  repoState: RepoState;
  cancelRequested: boolean;
  started: boolean;
  /** Kills the running step (with the reason recorded on the step). */
  killCurrent?: (reason: NonNullable<StepRecord['killed']>) => void;
  /** Withdraws a job waiting for a slot. */
  cancelWait?: () => void;
}

/** FIFO slots for executing jobs. */
export class Slots {
  private free: number;
  private readonly waiting: ((granted: boolean) => void)[] = [];
  constructor(n: number) {
    this.free = Math.max(1, n);
  }
  /** `ready` resolves true once the slot is held (release() it), false when withdrawn by cancel(). */
  acquire(): { ready: Promise<boolean>; cancel: () => void } {
    if (this.free > 0) {
      this.free--;
      return { ready: Promise.resolve(true), cancel: () => {} };
    }
    let settle!: (granted: boolean) => void;
    const ready = new Promise<boolean>((r) => (settle = r));
    this.waiting.push(settle);
    return {
      ready,
      cancel: () => {
        const i = this.waiting.indexOf(settle);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          settle(false);
        }
      },
    };
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.free++;
  }
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Display name: `name:`, else `Run <uses>` / `Run <first script line>`. */
export function stepDisplayName(step: ParsedStep): string {
  if (step.name) return step.name;
  if (step.uses) return `Run ${step.uses}`;
  const first = (step.run ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return `Run ${first.trim()}`;
}
