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
 * Escalate `item` in its status comment, then tell the supervisors in a new comment. The status comment
 * comes first: it is an edit (retried on a 5xx) and it explains NeedSupervisor by itself, so a notice that
 * fails to post (a create is never retried blindly) leaves the item explained — the soak found a
 * NeedSupervisor nothing explained when the notice came first and failed. Once per
 * escalation: the number comes from the state this run found, so a second call in the same run posts
 * nothing again; a later escalation, after a human removed NeedSupervisor, is the next number.
 */
export async function writeEscalation(rc: RunContext, item: LoadedItem, e: Escalation, view: StatusView, state: LoopState): Promise<void> {
  const n = (item.status.loaded.escalation?.n ?? 0) + 1;
  const said = item.status.state.escalation?.n === n ? item.status.state.escalation : undefined;
  const supervisors =
    said?.told ??
    supervisorsFor({
      configured: rc.config.supervisors,
      triggers: [...Object.values(item.snapshot.triggers), ...Object.values(e.also?.snapshot.triggers ?? {})],
      approved: state.approved ?? item.status.state.approved,
      facts: rc.trust.facts,
    });
  const record: EscalationRecord = said ?? { n, at: rc.now().toISOString(), told: supervisors };
  const written = await item.status
    .write({ ...view, details: [...(view.details ?? []), toldLine(record.told)] }, { ...state, escalation: record })
    .then(
      () => undefined,
      (err: unknown) => ({ err }),
    );
  if (!said) {
    // Said even when the status write failed: then the notice is what explains NeedSupervisor.
    const body = escalationNotice({ n, supervisors, reason: e.reason, todo: e.todo, statusUrl: item.status.url, runUrl: rc.env.runUrl });
    await rc.forge.createComment(item.data.number, body);
    item.status.state = { ...item.status.state, escalation: record };
  }
  if (written) throw written.err;
}
