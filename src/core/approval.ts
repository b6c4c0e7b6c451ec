// What a writer approved (DESIGN §8 "What the agent may read"). When a trigger label is authorized and
// work starts, agentloop records a digest of the title and body (and of the discussion it
// included) in the item's hidden state, keyed by the trigger: the label and when it was applied. Every
// later run that gives the agent the issue text for the same trigger (fix-ci, rebase, a requeued run)
// compares; if the title or body changed, the item stops until a writer applies the label again. Pure.

import { sha256Hex } from './sha256.js';
import type { TriggerInfo } from './snapshot.js';
import { sameLogin } from './trust.js';

export interface Approval {
  /** The trigger label and when it was applied: together, the key of this approval. */
  label: string;
  at: string;
  /** Who applied it. */
  by: string;
  /** textDigest(title, body) as approved. */
  text: string;
  /** threadDigest of the comments the prompt included, when the run recorded it. */
  thread?: string;
}

/** sha256 over the title and the body (unambiguously joined). */
export function textDigest(title: string, body: string): string {
  return sha256Hex(JSON.stringify(['agentloop/text/1', title, body]));
}

/** sha256 over the ids and updated_at of the comments a prompt's discussion included. */
export function threadDigest(comments: readonly { id: number; updatedAt: string }[]): string {
  return sha256Hex(JSON.stringify(['agentloop/thread/1', ...comments.map((c) => [c.id, c.updatedAt])]));
}

/** What decide() needs of an item: its current text and the approval on record. */
export interface ApprovedItem {
  title: string;
  body: string;
  loop: { approved?: Approval };
}

export type ApprovalCheck =
  /** Go ahead; `record` is a new approval the transition writes when it claims the item. */
  | { ok: true; record?: Approval }
  /** Stop: the text is not what a writer approved (or nothing was recorded). */
  | { ok: false; reason: string };

/**
 * `trigger`: the trigger label on the item now (plan and code runs), undefined for runs that continue
 * earlier work (fix-ci, rebase). A trigger applied by a person or an allow-listed bot, later than the
 * approval on record, is a new approval. One applied by agentloop itself (a requeue, a ci-failure issue
 * it opened) continues the approval on record, or starts one when there is none.
 */
export function checkApproval(item: ApprovedItem, trigger: TriggerInfo | undefined, selfLogins: readonly string[]): ApprovalCheck {
  const recorded = item.loop.approved;
  const text = textDigest(item.title, item.body);
  if (trigger && (isNewTrigger(recorded, trigger, selfLogins) || !recorded)) {
    return { ok: true, record: { label: trigger.label, at: trigger.at, by: trigger.actor.login, text } };
  }
  if (!recorded)
    return { ok: false, reason: 'agentloop has no record of the text a maintainer approved (the work started before it kept one)' };
  if (recorded.text !== text) {
    return { ok: false, reason: `the title or body changed after @${recorded.by} applied \`${recorded.label}\` (${when(recorded.at)})` };
  }
  return { ok: true };
}

function isNewTrigger(recorded: Approval | undefined, trigger: TriggerInfo, selfLogins: readonly string[]): boolean {
  if (selfLogins.some((s) => sameLogin(s, trigger.actor.login))) return false;
  if (!recorded || recorded.label.toLowerCase() !== trigger.label.toLowerCase()) return true;
  // The same application can be stamped a little differently (the event's time, then the timeline's):
  // only a strictly later time is a new application. An unreadable time on record counts as older.
  const at = Date.parse(trigger.at);
  const was = Date.parse(recorded.at);
  return !Number.isNaN(at) && (Number.isNaN(was) || at > was);
}

function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 'unknown time' : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
