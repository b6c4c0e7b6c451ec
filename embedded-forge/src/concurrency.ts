// Concurrency groups with each forge's REAL semantics (a pure state machine: the caller starts,
// kills and finishes runs; this only says what happens).
//
// GitHub (docs.github.com, "Control the concurrency of workflows and jobs"):
// - Group names are case-insensitive.
// - At most one run in progress per group. Default `queue: single`: at most one pending; a newly
//   queued run cancels and replaces the pending one.
// - `queue: max`: up to 100 pending, FIFO by the time they started waiting, none replaced; when the
//   queue is full, the newcomer is cancelled.
// - `cancel-in-progress: true`: the running run is cancelled and the newcomer starts.
//   Assumptions: pending runs of the group are cancelled too, and the newcomer starts at once
//   (the real forge starts it once the cancelled run has stopped — a short overlap we ignore).
// - No group → runs immediately.
//
// Forgejo (≥ v14, as described in the brief):
// - Serialization happens ONLY when `cancel-in-progress: false` is written explicitly; then every
//   waiting run is kept, FIFO, none replaced (`queue:` is not read).
// - Key absent → the run starts immediately. Assumption: it still counts as running in its group,
//   so a later explicit-false run waits for it.
// - `cancel-in-progress: true` → running (and waiting) runs of the group are cancelled, the new one
//   starts.
// - Group names compared as written (case-sensitive) — assumption.
import type { ForgeFlavor } from './workflow-parse.js';

export interface QueuedRun<T = unknown> {
  runId: number;
  /** Evaluated concurrency group; undefined/'' = no concurrency. */
  group?: string;
  /** undefined = `cancel-in-progress` not written (Forgejo then does not serialize). */
  cancelInProgress?: boolean;
  /** `queue: max` (GitHub only). */
  queueMax?: boolean;
  /** Opaque payload for the caller. */
  data: T;
}

/** GitHub's documented ceiling for `queue: max`. */
export const GITHUB_QUEUE_MAX = 100;

interface GroupState<T> {
  running: QueuedRun<T>[];
  pending: QueuedRun<T>[];
}

export class ConcurrencyScheduler<T = unknown> {
  private readonly groups = new Map<string, GroupState<T>>();

  constructor(private readonly flavor: ForgeFlavor) {}

  private key(group: string): string {
    return this.flavor === 'github' ? group.toLowerCase() : group;
  }

  private state(group: string): GroupState<T> {
    const k = this.key(group);
    let s = this.groups.get(k);
    if (!s) {
      s = { running: [], pending: [] };
      this.groups.set(k, s);
    }
    return s;
  }

  /**
   * A new run wants to start. Returns the runs that start now (the new one, or none if it waits)
   * and the runs cancelled because of it (previously running or pending ones, or the new one
   * itself when a `queue: max` queue is full). Cancelled runs are forgotten: the caller stops
   * them; a later finish() for them is a no-op.
   */
  submit(run: QueuedRun<T>): { start: QueuedRun<T>[]; cancelled: QueuedRun<T>[] } {
    if (!run.group) return { start: [run], cancelled: [] };
    const s = this.state(run.group);

    if (run.cancelInProgress === true) {
      const cancelled = [...s.running, ...s.pending];
      s.running = [run];
      s.pending = [];
      return { start: [run], cancelled };
    }

    if (this.flavor === 'forgejo') {
      if (run.cancelInProgress === undefined || (s.running.length === 0 && s.pending.length === 0)) {
        s.running.push(run);
        return { start: [run], cancelled: [] };
      }
      s.pending.push(run);
      return { start: [], cancelled: [] };
    }

    // GitHub
    if (s.running.length === 0 && s.pending.length === 0) {
      s.running.push(run);
      return { start: [run], cancelled: [] };
    }
    if (run.queueMax) {
      if (s.pending.length >= GITHUB_QUEUE_MAX) return { start: [], cancelled: [run] };
      s.pending.push(run);
      return { start: [], cancelled: [] };
    }
    const cancelled = s.pending;
    s.pending = [run];
    return { start: [], cancelled };
  }

  /**
   * A run ended (any outcome), or a pending run was removed (e.g. cancelled by a user).
   * Returns the runs that start now.
   */
  finish(runId: number): { start: QueuedRun<T>[] } {
    for (const [k, s] of this.groups) {
      const r = s.running.findIndex((x) => x.runId === runId);
      const p = s.pending.findIndex((x) => x.runId === runId);
      if (r < 0 && p < 0) continue;
      if (r >= 0) s.running.splice(r, 1);
      if (p >= 0) s.pending.splice(p, 1);
      const start: QueuedRun<T>[] = [];
      if (s.running.length === 0) {
        const next = s.pending.shift();
        if (next) {
          s.running.push(next);
          start.push(next);
        }
      }
      if (s.running.length === 0 && s.pending.length === 0) this.groups.delete(k);
      return { start };
    }
    return { start: [] };
  }

  /** Run ids per group (keys as compared: lower-cased on GitHub); empty groups omitted. */
  snapshot(): { running: Record<string, number[]>; pending: Record<string, number[]> } {
    const running: Record<string, number[]> = {};
    const pending: Record<string, number[]> = {};
    for (const [k, s] of this.groups) {
      if (s.running.length > 0) running[k] = s.running.map((x) => x.runId);
      if (s.pending.length > 0) pending[k] = s.pending.map((x) => x.runId);
    }
    return { running, pending };
  }
}
