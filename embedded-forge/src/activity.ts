// When the workflow runner is idle: no event being planned, no run queued, pending or running — and
// that for `settleMs`, because the forge emits push events asynchronously after a push has returned.
// The first internal error is kept and makes idle() reject.
export class Activity {
  private pendingEvents = 0;
  private liveRuns = 0;
  private failure: Error | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settleMs: () => number) {}

  eventQueued(): void {
    this.pendingEvents++;
  }

  eventDone(): void {
    this.pendingEvents--;
    this.checkIdle();
  }

  runQueued(): void {
    this.liveRuns++;
  }

  runDone(): void {
    this.liveRuns--;
    this.checkIdle();
  }

  fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.checkIdle();
  }

  idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.failure) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.reject(this.failure);
      return;
    }
    if (this.waiters.length === 0 || this.busy() || this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this.failure) return this.checkIdle();
      if (this.busy()) return;
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.resolve();
    }, this.settleMs());
  }

  private busy(): boolean {
    return this.pendingEvents > 0 || this.liveRuns > 0;
  }
}
