// Someone is told (DESIGN §1.4, §9): an edited status comment notifies nobody, so every escalation to
// NeedSupervisor posts one new comment that mentions the supervisors (core/escalation.ts). Once per
// escalation: escalations are numbered from the state the run found and recorded in the status comment.
import { escalationNotice, supervisorsFor, toldLine } from '../core/escalation.js';
import type { EscalationRecord, LoopState, StatusView } from '../core/status-comment.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';

export interface Escalation {
  /** What happened, one line: the reason the status comment gives. */
  reason: string;
  /** What a human does next, without the final period ("remove `NeedSupervisor` and apply `loop/code` again"). */
  todo: string;
  /** Another item whose trigger labels count too (the PR of an escalated issue). */
  also?: LoadedItem | undefined;
}

/**
 * Announce an escalation. Call it once NeedSupervisor is on the item, then write the status comment
 * with the returned view (plus a line saying whom the notice mentioned) and state (recording the
 * escalation). The number comes from the state this run found, so a second call in the same run (the
 * error path after a status write failed) posts nothing again; a later escalation, after a human
 * removed NeedSupervisor, is the next number and is announced again.
 */
export async function announceEscalation(
  rc: RunContext,
  item: LoadedItem,
  e: Escalation,
  view: StatusView,
  state: LoopState,
): Promise<{ view: StatusView; state: LoopState }> {
  const n = (item.status.loaded.escalation?.n ?? 0) + 1;
  let record: EscalationRecord | undefined = item.status.state.escalation;
  if (record?.n !== n) {
    const supervisors = supervisorsFor({
      configured: rc.config.supervisors,
      triggers: [...Object.values(item.snapshot.triggers), ...Object.values(e.also?.snapshot.triggers ?? {})],
      approved: state.approved ?? item.status.state.approved,
      facts: rc.trust.facts,
    });
    const body = escalationNotice({ n, supervisors, reason: e.reason, todo: e.todo, statusUrl: item.status.url, runUrl: rc.env.runUrl });
    await rc.forge.createComment(item.data.number, body);
    record = { n, at: rc.now().toISOString(), told: supervisors };
    // Said: even if the status write that records it fails, this run does not say it again.
    item.status.state = { ...item.status.state, escalation: record };
  }
  return { view: { ...view, details: [...(view.details ?? []), toldLine(record.told)] }, state: { ...state, escalation: record } };
}

/** Escalate `item` in its status comment: the notice first (best effort on error paths), then the status. */
export async function writeEscalation(rc: RunContext, item: LoadedItem, e: Escalation, view: StatusView, state: LoopState): Promise<void> {
  const told = await announceEscalation(rc, item, e, view, state);
  await item.status.write(told.view, told.state);
}
