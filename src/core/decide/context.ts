// Shared helpers for the lane deciders.
import type { Config } from '../config.js';
import { hasLabel, type LabelNames, type TriggerKey } from '../labels.js';
import type { ItemSnapshot, Snapshot } from '../snapshot.js';
import { type TrustVerdict, trust } from '../trust.js';

export type DecideConfig = Pick<
  Config,
  | 'labelNames'
  | 'paused'
  | 'allowedBots'
  | 'maxOpenPrs'
  | 'maxFixAttempts'
  | 'maxReviewRounds'
  | 'review'
  | 'autoMerge'
  | 'mergeMethod'
  | 'stuckAfterMinutes'
  | 'ciTimeoutMinutes'
  | 'ciFailureAutofix'
  | 'lane'
> & {
  /** Logins agentloop itself acts as (its labels authorize themselves). */
  selfLogins: readonly string[];
};

export interface Ctx {
  snap: Snapshot;
  cfg: DecideConfig;
  names: LabelNames;
  has(item: ItemSnapshot | undefined, key: keyof LabelNames): boolean;
  auth(item: ItemSnapshot, key: TriggerKey): TrustVerdict;
  minutesSince(iso: string): number;
}

export function makeCtx(snap: Snapshot, cfg: DecideConfig): Ctx {
  const names = cfg.labelNames;
  const now = Date.parse(snap.now);
  return {
    snap,
    cfg,
    names,
    has: (item, key) => !!item && hasLabel(item.labels, names[key]),
    auth: (item, key) => {
      const t = item.triggers[key];
      return trust('labeler', t?.actor, t?.permission, cfg);
    },
    minutesSince: (iso) => (now - Date.parse(iso)) / 60_000,
  };
}

export const IN_PROCESS_KEYS = ['planInProcess', 'codeInProcess', 'mergeInProcess', 'breakdownInProcess'] as const;

export function inProcess(ctx: Ctx, item: ItemSnapshot | undefined): boolean {
  return IN_PROCESS_KEYS.some((k) => ctx.has(item, k));
}

/** Oldest first: when the trigger was applied, then the item number. */
export function byAge<T extends { at: string; number: number }>(a: T, b: T): number {
  return a.at === b.at ? a.number - b.number : a.at < b.at ? -1 : 1;
}

/**
 * Why an item is left alone, if it is: its status comment holds a state a newer agentloop wrote, which
 * this one cannot read — and so must not act on or overwrite (core/status-comment.ts, readState).
 */
export function leftAlone(item: ItemSnapshot | undefined): string | undefined {
  if (item?.newerState === undefined) return undefined;
  return `its status comment was written by a newer agentloop (state version ${item.newerState}); left alone`;
}

/** A refusal is said once per label and person; the status state remembers it. */
export function refusalKey(label: string, login: string): string {
  return `${label}@${login}`;
}
