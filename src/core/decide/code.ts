// Code lane (DESIGN §3–4): one writer per repository. Takes the most urgent item, not the event's:
// refusals, then merge > rebase > ci bookkeeping > address-review, fix-ci > code, oldest first within each.
import type { LoopEvent } from '../event.js';
import { keyOfLabel, type TriggerKey } from '../labels.js';
import type { ItemSnapshot, PullSnapshot } from '../snapshot.js';
import type { Decision, Transition } from '../transition.js';
import { approvalOf, at, type Candidate, continuing, edited } from './candidate.js';
import { openLoopPrCount } from './code-queue.js';
import { byAge, type Ctx, type DecideConfig, inProcess, leftAlone, makeCtx } from './context.js';
import { agentReviewDue, reviewCandidate } from './review.js';
import { wrapUpCandidates } from './wrap-up.js';

const PRIORITY: Partial<Record<Transition['kind'], number>> = {
  refuse: 0,
  edited: 0,
  'wrap-up': 0,
  'reviews-ignored': 0,
  review: 1,
  merge: 1,
  rebase: 2,
  'ci-green': 3,
  escalate: 4,
  'address-review': 5,
  'fix-ci': 5,
  'ci-missing': 6,
  code: 7,
};

const CODE_LANE_TRIGGERS: TriggerKey[] = ['code', 'merge', 'automerge'];

export function decideCode(ctx: Ctx, event: LoopEvent): Decision {
  const notes: string[] = [];
  const none = (reason: string): Decision => ({ lane: 'code', transition: { kind: 'none', reason }, queued: [], notes });

  if (event.kind === 'labeled') {
    const key = keyOfLabel(ctx.names, event.label);
    if (!key) return none(`label "${event.label}" is not an agentloop label`);
    if (key === 'plan') return none(`label "${event.label}" belongs to the plan lane`);
  }
  if (ctx.cfg.paused) return none('agentloop is paused (paused: true)');

  const candidates: Candidate[] = [];
  const issuesByNumber = new Map(ctx.snap.issues.map((i) => [i.number, i]));
  const loopPulls = new Map<number, PullSnapshot>();
  for (const pull of ctx.snap.pulls) {
    if (pull.state === 'open' && pull.sameRepo && pull.issueNumber !== undefined) loopPulls.set(pull.issueNumber, pull);
  }

  for (const item of [...ctx.snap.issues, ...ctx.snap.pulls]) candidates.push(...refusals(ctx, item));
  const recheck: number[] = [];
  for (const pull of ctx.snap.pulls) {
    const c = pullCandidate(ctx, pull, pull.issueNumber !== undefined ? issuesByNumber.get(pull.issueNumber) : undefined, notes, recheck);
    if (c) candidates.push(c);
  }
  // PRs people merged or closed, issues people closed under an open PR (decide/wrap-up.ts).
  candidates.push(...wrapUpCandidates(ctx, notes));

  const openLoopPrs = openLoopPrCount(ctx.snap);
  // Not every open PR was read (the request budget ran out): the loop PRs cannot be counted, so no new work.
  if (ctx.snap.partial === 'pulls') notes.push('not every open PR was read (operations-per-run): no new work this run');
  for (const issue of ctx.snap.partial === 'pulls' ? [] : ctx.snap.issues) {
    const c = codeCandidate(ctx, issue, loopPulls.get(issue.number), openLoopPrs, notes);
    if (c) candidates.push(c);
  }

  if (ctx.snap.queueUnread)
    notes.push(
      `no new code starts: ${openLoopPrs} agentloop PR(s) open (max-open-prs: ${ctx.cfg.maxOpenPrs}); waiting ${ctx.names.code} issues not read`,
    );
  if (candidates.length === 0) {
    const d = none(notes.length ? `nothing ready in the code lane (${notes.length} item(s) waiting)` : 'no code-lane work');
    // No event announces that the forge finished computing mergeability: look again.
    return recheck.length ? { ...d, recheck: `mergeability of PR #${recheck.join(', #')} not computed yet` } : d;
  }
  candidates.sort((a, b) => PRIORITY[a.transition.kind]! - PRIORITY[b.transition.kind]! || byAge(a, b));
  const [first, ...rest] = candidates;
  return {
    lane: 'code',
    transition: first!.transition,
    queued: [...new Set(rest.map((c) => c.number))].filter((n) => n !== first!.number),
    notes,
  };
}

/**
 * The refusals one item needs, decided from that item alone: the code lane settles them as it reads
 * items, so a flood of refused labels costs each item once and never starves the budget (DESIGN §8).
 */
export function codeLaneRefusals(item: ItemSnapshot, cfg: DecideConfig, now: string): Extract<Transition, { kind: 'refuse' }>[] {
  const ctx = makeCtx({ now, defaultBranch: '', issues: [item], pulls: [], defaultBranchHealth: [], runId: '' }, cfg);
  return refusals(ctx, item).flatMap((c) => (c.transition.kind === 'refuse' ? [c.transition] : []));
}

function refusals(ctx: Ctx, item: ItemSnapshot): Candidate[] {
  if (item.state !== 'open' || ctx.has(item, 'needSupervisor') || leftAlone(item)) return [];
  const out: Candidate[] = [];
  for (const key of CODE_LANE_TRIGGERS) {
    const trigger = item.triggers[key];
    if (!trigger || !ctx.has(item, key)) continue;
    const verdict = ctx.auth(item, key);
    if (verdict.ok || verdict.unknown) continue;
    out.push({
      transition: { kind: 'refuse', item: item.number, label: trigger.label, actor: trigger.actor.login, reason: verdict.reason },
      at: trigger.at,
      number: item.number,
    });
  }
  return out;
}

/** Is a merge requested by someone allowed to, on the PR or its issue? */
function mergeRequested(ctx: Ctx, pull: PullSnapshot, issue: ItemSnapshot | undefined): { at: string } | undefined {
  for (const item of [pull, issue]) {
    if (!item) continue;
    for (const key of ['merge', 'automerge'] as const) {
      if (ctx.has(item, key) && ctx.auth(item, key).ok) return { at: item.triggers[key]?.at ?? item.createdAt };
    }
  }
  return undefined;
}

function pullCandidate(
  ctx: Ctx,
  pull: PullSnapshot,
  issue: ItemSnapshot | undefined,
  notes: string[],
  recheck: number[],
): Candidate | undefined {
  const n = pull.number;
  const note = (text: string) => {
    notes.push(`PR #${n}: ${text}`);
    return undefined;
  };
  if (pull.state !== 'open' || pull.merged) return undefined;
  const isLoop = pull.issueNumber !== undefined && pull.sameRepo;
  // Its issue was closed: wrapped up (the PR closed), never carried on (decide/wrap-up.ts).
  if (isLoop && issue?.state === 'closed') return note(`its issue #${issue.number} is closed`);
  const merge = mergeRequested(ctx, pull, issue);
  if (!isLoop && !merge) return undefined;
  if (ctx.has(pull, 'needSupervisor') || ctx.has(issue, 'needSupervisor')) return note(`has ${ctx.names.needSupervisor}`);
  const alone = leftAlone(pull) ?? leftAlone(issue);
  if (alone) return note(alone);
  if (inProcess(ctx, pull) || inProcess(ctx, issue)) return note('owned by another run');
  const issueNumber = pull.issueNumber ?? n;
  const headSha = pull.headSha;
  const stale = pull.ci.sha !== headSha;
  if (isLoop) {
    const c = reviewCandidate(ctx, pull, issue, issueNumber);
    if (c) return c;
  }

  const blocked = merge ? mergeBlock(ctx, pull, issue) : undefined;
  // A blocked merge still gets its CI bookkeeping below; only the merge itself is off.
  if (blocked) note(blocked);
  if (merge && !blocked) {
    if (!stale && pull.ci.status === 'success') {
      if ((issue ?? pull).loop.mergeBlockedSha === headSha)
        return note(`the forge refused to merge ${headSha.slice(0, 7)}; waiting for a new head or a human`);
      if (pull.mergeable === null) {
        recheck.push(n);
        return note('mergeability not computed yet; asking again later');
      }
      if (pull.mergeable === false || pull.mergeableState === 'dirty') {
        if (!isLoop) return note('has conflicts; only a human may resolve conflicts on a non-agentloop branch');
        const approval = continuing(ctx, issue);
        if (approval === 'reapproved') return note(`${ctx.names.code} was applied again; adopting it comes first`);
        if (!approval.ok) return edited(ctx, issueNumber, approval.reason, merge.at);
        return at(merge.at, n, {
          kind: 'rebase',
          pull: n,
          issue: issueNumber,
          mode: 'git-rebase',
          headSha,
          reason: `PR #${n} conflicts with ${pull.baseRef}`,
        });
      }
      if (pull.mergeableState === 'behind') {
        // update-branch answers 202 and works asynchronously: a fresh request on this head is awaited, not repeated.
        const requested = (issue ?? pull).loop.updateRequested;
        if (requested?.sha === headSha && ctx.minutesSince(requested.at) < ctx.cfg.stuckAfterMinutes)
          return note(`an update from ${pull.baseRef} was requested at ${requested.at}; waiting for the forge to move the head`);
        return at(merge.at, n, {
          kind: 'rebase',
          pull: n,
          ...(isLoop ? { issue: issueNumber } : {}),
          mode: 'update-branch',
          headSha,
          reason: `PR #${n} is behind ${pull.baseRef} and the branch rule requires it to be up to date`,
        });
      }
      if (pull.mergeableState === 'blocked') return blockedMerge(ctx, pull, issueNumber, merge.at, note);
      if (isLoop && agentReviewDue(ctx, (issue ?? pull).loop, headSha))
        return at(merge.at, n, {
          kind: 'review',
          issue: issueNumber,
          pull: n,
          headSha,
          reason: `PR #${n} is green on ${headSha.slice(0, 7)}; the reviewer agent looks at it before the merge (review: agent)`,
        });
      return at(merge.at, n, {
        kind: 'merge',
        pull: n,
        ...(isLoop ? { issue: issueNumber } : {}),
        headSha,
        method: ctx.cfg.mergeMethod,
        reason: `PR #${n} is green on ${headSha.slice(0, 7)} and mergeable`,
      });
    }
  }
  if (!isLoop) return blocked ? undefined : note(ciWaitText(pull, stale));
  return loopPullCiCandidate(ctx, pull, issue, issueNumber, stale, notes);
}

function loopPullCiCandidate(
  ctx: Ctx,
  pull: PullSnapshot,
  issue: ItemSnapshot | undefined,
  issueNumber: number,
  stale: boolean,
  notes: string[],
): Candidate | undefined {
  const n = pull.number;
  const at0 = pull.headPushedAt;
  if (stale || pull.ci.status === 'pending') {
    notes.push(`PR #${n}: ${ciWaitText(pull, stale)}`);
    return undefined;
  }
  const loop = issue?.loop ?? pull.loop;
  if (pull.ci.status === 'failure') {
    if (loop.fixAttempts >= ctx.cfg.maxFixAttempts) {
      return at(at0, n, {
        kind: 'escalate',
        item: issueNumber,
        pull: n,
        reason: `CI is still red after ${loop.fixAttempts} fix attempt(s) (max-fix-attempts: ${ctx.cfg.maxFixAttempts})`,
      });
    }
    const approval = continuing(ctx, issue);
    if (approval === 'reapproved') {
      notes.push(`PR #${n}: ${ctx.names.code} was applied again; adopting it comes first`);
      return undefined;
    }
    if (!approval.ok) return edited(ctx, issueNumber, approval.reason, at0);
    return at(at0, n, {
      kind: 'fix-ci',
      issue: issueNumber,
      pull: n,
      headSha: pull.headSha,
      failing: pull.ci.failing,
      attempt: loop.fixAttempts + 1,
      reason: `CI is red on ${pull.headSha.slice(0, 7)}: ${pull.ci.failing.join(', ')}`,
    });
  }
  if (pull.ci.status === 'success') {
    if (ctx.has(issue, 'codeDone') && !ctx.has(issue, 'codeCiPending')) {
      notes.push(`PR #${n}: green; waiting for ${ctx.names.merge}`);
      return undefined;
    }
    return at(at0, n, {
      kind: 'ci-green',
      issue: issueNumber,
      pull: n,
      headSha: pull.headSha,
      addMerge: ctx.cfg.autoMerge && !ctx.has(issue, 'doNotMerge') && !ctx.has(pull, 'doNotMerge'),
      reason: `CI is green on ${pull.headSha.slice(0, 7)}`,
    });
  }
  // status 'none': nothing has reported on this head.
  if (ctx.minutesSince(pull.headPushedAt) >= ctx.cfg.ciTimeoutMinutes && loop.ciMissingNotified !== pull.headSha) {
    return at(at0, n, {
      kind: 'ci-missing',
      issue: issueNumber,
      pull: n,
      headSha: pull.headSha,
      reason: `no CI reported on ${pull.headSha.slice(0, 7)} within ${ctx.cfg.ciTimeoutMinutes} minutes`,
    });
  }
  notes.push(`PR #${n}: no CI reported yet on ${pull.headSha.slice(0, 7)}`);
  return undefined;
}

/**
 * Green and mergeable, yet a branch rule blocks it (reviews, or required checks agentloop cannot see):
 * waited out for stuck-after-minutes — counted from the later of the head's push and the merge request —
 * then handed to a human with an explanation instead of waiting forever in silence.
 */
function blockedMerge(
  ctx: Ctx,
  pull: PullSnapshot,
  issueNumber: number,
  mergeAt: string,
  note: (text: string) => undefined,
): Candidate | undefined {
  const since = Date.parse(pull.headPushedAt) > Date.parse(mergeAt) ? pull.headPushedAt : mergeAt;
  const waited = Math.floor(ctx.minutesSince(since));
  const limit = ctx.cfg.stuckAfterMinutes;
  if (waited < limit)
    return note(
      `blocked by a branch rule (a review, or a required check agentloop cannot see) since ${since}; ${ctx.names.needSupervisor} after ${limit} minutes (stuck-after-minutes)`,
    );
  return at(mergeAt, pull.number, {
    kind: 'escalate',
    item: issueNumber,
    pull: pull.number,
    cause: 'merge-blocked',
    reason: `PR #${pull.number} is green on ${pull.headSha.slice(0, 7)} but a branch rule has blocked its merge for ${waited} minutes (stuck-after-minutes: ${limit})`,
  });
}

function mergeBlock(ctx: Ctx, pull: PullSnapshot, issue: ItemSnapshot | undefined): string | undefined {
  if (ctx.has(pull, 'doNotMerge') || ctx.has(issue, 'doNotMerge')) return `has ${ctx.names.doNotMerge}; never merged`;
  if (pull.draft) return 'is a draft';
  if (!pull.sameRepo) return 'comes from a fork; fork heads are never merged';
  if (ctx.has(pull, 'mergeDone') || ctx.has(issue, 'mergeDone')) return 'already merged';
  return undefined;
}

function ciWaitText(pull: PullSnapshot, stale: boolean): string {
  if (stale) return `CI result is for an older head; waiting for ${pull.headSha.slice(0, 7)}`;
  const c = pull.ci;
  if (c.status === 'failure') return `CI is red (${c.failing.join(', ')})`;
  if (c.status === 'none') return 'no CI reported yet';
  const running = [...c.pending, ...c.missing];
  if (c.waiting?.length)
    return `waiting for a maintainer to act on ${c.waiting.join(', ')} (action_required: approve the run or follow the check's link)${running.length ? `; CI running (${running.join(', ')})` : ''}`;
  return `CI running (${running.join(', ') || 'pending'})`;
}

function codeCandidate(
  ctx: Ctx,
  issue: ItemSnapshot,
  pull: PullSnapshot | undefined,
  openLoopPrs: number,
  notes: string[],
): Candidate | undefined {
  if (issue.isPull || issue.state !== 'open' || !ctx.has(issue, 'code')) return undefined;
  const note = (text: string) => {
    notes.push(`#${issue.number}: ${text}`);
    return undefined;
  };
  if (ctx.has(issue, 'needSupervisor')) return note(`has ${ctx.names.needSupervisor}`);
  const alone = leftAlone(issue);
  if (alone) return note(alone);
  if (inProcess(ctx, issue)) return note('owned by another run');
  // A plan asked for and not posted yet: new code waits for it. Each lane checks the other's claim only when
  // it decides, so a code run started beside a pending plan run could claim the issue at the same moment
  // (two in-process labels, two owners; the soak found it: docs/invariants.md), and its prompt would lack
  // the plan. The next code-lane run after the plan (at the latest the sweep's) starts the code.
  if (ctx.has(issue, 'plan') && !pull) return note(`waiting for its plan (${ctx.names.plan} is on it)`);
  const verdict = ctx.auth(issue, 'code');
  if (!verdict.ok) return note(verdict.reason);
  const trigger = issue.triggers.code!;
  const approval = approvalOf(ctx, issue, trigger);
  if (!approval.ok) return edited(ctx, issue.number, approval.reason, trigger.at);
  if (!pull && openLoopPrs >= ctx.cfg.maxOpenPrs) {
    return note(`waiting: ${openLoopPrs} agentloop PR(s) open (max-open-prs: ${ctx.cfg.maxOpenPrs})`);
  }
  return at(trigger.at, issue.number, {
    kind: 'code',
    issue: issue.number,
    requester: trigger.actor.login,
    ...(pull ? { existingPull: pull.number } : {}),
    ...(approval.record ? { approve: approval.record } : {}),
    reason: pull
      ? `PR #${pull.number} already exists for #${issue.number}; adopting it`
      : `${ctx.names.code} applied by @${trigger.actor.login}`,
  });
}
