// What the code-lane deciders share: a candidate transition with the time it has waited since, and the
// approval checks of work that continues an approved issue.
import { type ApprovalCheck, checkApproval } from '../approval.js';
import type { ItemSnapshot, TriggerInfo } from '../snapshot.js';
import type { Transition } from '../transition.js';
import type { Ctx } from './context.js';

export interface Candidate {
  transition: Transition;
  at: string;
  number: number;
}

/** Runs that give the agent the issue text need it to be what a writer approved (DESIGN §8). */
export function approvalOf(ctx: Ctx, issue: ItemSnapshot | undefined, trigger?: TriggerInfo): ApprovalCheck {
  return issue ? checkApproval(issue, trigger, ctx.cfg.selfLogins) : { ok: true };
}

/**
 * fix-ci and rebase continue the approved work. When a writer has applied the code label again (after
 * an edit stopped the item), that is a new approval: the code run adopts the PR and records it first.
 */
export function continuing(ctx: Ctx, issue: ItemSnapshot | undefined): ApprovalCheck | 'reapproved' {
  const trigger = issue && ctx.has(issue, 'code') && ctx.auth(issue, 'code').ok ? issue.triggers.code : undefined;
  const check = approvalOf(ctx, issue, trigger);
  return check.ok && check.record ? 'reapproved' : check;
}

export function edited(ctx: Ctx, issue: number, reason: string, atTime: string): Candidate {
  return at(atTime, issue, { kind: 'edited', item: issue, label: ctx.names.code, reason: `#${issue}: ${reason}` });
}

export function at(atTime: string, number: number, transition: Transition): Candidate {
  return { transition, at: atTime, number };
}
