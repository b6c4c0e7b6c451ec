// The run's request budget (`operations-per-run`): the forge client counts every request (retries
// included); a run checks the budget before reading each item and before each claim, and stops there
// once it is spent — never between a claim and its outcome. The next run (chained, or the sweep's)
// continues where this one stopped. One item's reads or one transition's writes may go past the limit.
import type { Forge } from '../forge/forge.js';

export class Budget {
  /** Why and where the run stopped; set the first time a check fails. */
  stopped: string | undefined;

  constructor(
    private readonly forge: Pick<Forge, 'stats'>,
    readonly limit: number,
  ) {}

  /** Requests sent so far. */
  get used(): number {
    return this.forge.stats().requests;
  }

  /**
   * May the run start `what` (one item's reads, a claim, a repair)? `reserve`: requests to keep for what
   * must follow (loading keeps room for the transition it is loading for). A refusal is remembered.
   */
  allows(what: string, reserve = 0): boolean {
    if (this.used + reserve < this.limit) return true;
    this.stopped ??= `stopped before ${what}: ${this.used} of ${this.limit} API requests used (operations-per-run)`;
    return false;
  }
}

/** Requests kept back while reading items, so the run can still perform the transition it read for. */
export const TRANSITION_RESERVE = 30;
