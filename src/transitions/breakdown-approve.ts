// breakdown approved (DESIGN §3): create the children of the proposal on the issue, each once, and link
// them from the proposal's checklist. Never twice, even when a run dies half-way: a child is recorded in
// the proposal right after it is created, and a run that finds creation already started first looks for
// a child created but not recorded (its body carries `breakdown-of #N k`: core/breakdown.ts).
// Also the approvals that create nothing (breakdown-decline): the label comes off, with a word why.

import { allowedLabels, CLOCK_MARGIN_MS, childBody, childIndex, findProposal, type Proposal, renderProposal } from '../core/breakdown.js';
import { refusalKey } from '../core/decide/context.js';
import { cleanLogin, NOTICE_MARKER } from '../core/escalation.js';
import { hasLabel } from '../core/labels.js';
import type { CommentData } from '../core/model.js';
import { outcomeOf } from '../core/outcomes.js';
import type { Transition } from '../core/transition.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { BREAKDOWN_STEPS } from './breakdown.js';
import { Claim, checklist } from './claim.js';
import type { TransitionResult } from './result.js';

const ownProposal = (rc: RunContext, item: LoadedItem) => findProposal(item.comments, (c) => rc.trust.ownComment('plan', c.author));

export async function breakdownApprove(
  rc: RunContext,
  t: Extract<Transition, { kind: 'breakdown-approve' }>,
  item: LoadedItem,
): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const found = ownProposal(rc, item);
  // decide() saw the proposal in these same comments.
  if (!found) throw new Error(`#${t.issue}: the breakdown proposal is gone`);
  const spec = {
    transition: 'breakdown-approve',
    lane: 'plan',
    item,
    outcome: outcomeOf('breakdown-approve', names),
    errorTitle: 'creating the issues failed',
  } as const;
  const claim = await Claim.take(rc, spec, {
    title: 'creating issues',
    steps: checklist(BREAKDOWN_STEPS, 3),
    message: `Creating the proposed issues, approved by @${t.requester}.`,
  });
  return claim.run(async () => {
    const writer = new ProposalWriter(rc, found.comment, found.proposal);
    const { created, left } = await createChildren(rc, writer);
    const list = created.map((n) => `#${n}`).join(', ');
    const skipped = left ? ` ${left} more were not created: max-breakdown-issues is ${rc.config.maxBreakdownIssues}.` : '';
    return claim.done(
      {
        title: 'issues created',
        steps: checklist(BREAKDOWN_STEPS, 4),
        message: `Created ${created.length} issue(s) from the [proposal](${found.comment.htmlUrl}): ${list}.${skipped}`,
      },
      {
        message: `created ${created.length} issue(s) for #${t.issue}: ${list}`,
        links: [{ label: 'proposal', url: found.comment.htmlUrl }],
      },
    );
  });
}

/** The proposal comment, re-rendered from its state at each change. */
class ProposalWriter {
  constructor(
    private readonly rc: RunContext,
    readonly comment: CommentData,
    public proposal: Proposal,
  ) {}

  async save(p: Proposal): Promise<void> {
    const text = { approveLabel: this.rc.config.labelNames.breakdownApprove, max: this.rc.config.maxBreakdownIssues };
    await this.rc.forge.updateComment(this.comment.id, renderProposal(p, text));
    this.proposal = p;
  }
}

const recorded = (p: Proposal, k: number, n: number): Proposal => ({ ...p, created: p.created.map((c, i) => (i === k - 1 ? n : c)) });

/**
 * Create the children not recorded yet, in order, each recorded right after it exists. Requests: one
 * write when creation starts (no child can exist before it, so no read); a run that finds it started reads
 * the issues updated since (one list request, more only for a busy repository), because the run before it
 * may have died between creating a child and recording it — and only then. Per child: the issue (GitHub: its
 * labels apart) and the proposal's edit.
 */
async function createChildren(rc: RunContext, w: ProposalWriter): Promise<{ created: number[]; left: number }> {
  const names = rc.config.labelNames;
  // Labels deleted since the proposal are left out (Forgejo would create them again).
  const allowed = allowedLabels(
    (await rc.forge.listRepoLabels()).map((l) => l.name),
    names,
    rc.config.labelPrefix,
  );
  if (w.proposal.started === undefined) await w.save({ ...w.proposal, started: rc.now().toISOString() });
  else await adoptLost(rc, w);
  rc.steps.reached('creation-started');
  const count = Math.min(w.proposal.items.length, rc.config.maxBreakdownIssues);
  for (let k = 1; k <= count; k++) {
    if (w.proposal.created[k - 1] !== null) continue;
    const item = w.proposal.items[k - 1]!;
    const labels = item.labels.filter((l) => hasLabel(allowed, l));
    const issue = await rc.forge.createIssue(item.title, childBody(w.proposal, k), labels);
    rc.steps.reached('child-created');
    await w.save(recorded(w.proposal, k, issue.number));
    rc.steps.reached('child-recorded');
  }
  const created = w.proposal.created.filter((n): n is number => n !== null);
  return { created, left: w.proposal.items.length - count };
}

/** Children an earlier run created but did not record: recorded now (and given their labels, should those have failed). */
async function adoptLost(rc: RunContext, w: ProposalWriter): Promise<void> {
  const p = w.proposal;
  const since = new Date(Date.parse(p.started!) - CLOCK_MARGIN_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let next = p;
  for (const issue of await rc.forge.listIssuesUpdatedSince(since)) {
    // Only agentloop's own issues: anybody can write the marker into an issue of theirs.
    if (issue.isPull || !rc.trust.ownComment('plan', issue.author)) continue;
    const k = childIndex(issue.body, p.of);
    if (k === undefined || k > p.items.length || next.created[k - 1] !== null) continue;
    const missing = p.items[k - 1]!.labels.filter((l) => !hasLabel(issue.labels, l));
    if (missing.length) await rc.forge.addLabels(issue.number, missing).catch(() => undefined);
    rc.log.info(`#${issue.number} is child ${k} of #${p.of}, created by a run that stopped before recording it`);
    next = recorded(next, k, issue.number);
  }
  if (next !== p) await w.save(next);
}

/** No child is created: the approval label comes off, and its labeler hears why (once), unless all exist already. */
export async function breakdownDecline(
  rc: RunContext,
  t: Extract<Transition, { kind: 'breakdown-decline' }>,
  item: LoadedItem,
): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const found = ownProposal(rc, item);
  const link = found ? `[the proposal](${found.comment.htmlUrl})` : 'the proposal';
  const login = cleanLogin(t.actor);
  const hi = `Hi${login ? ` @${login}` : ''}, `;
  const message =
    t.cause === 'done'
      ? `Every issue of ${link} is already created (${found!.proposal.created.map((n) => `#${n}`).join(', ')}): nothing to do, so agentloop took \`${t.label}\` off again.`
      : t.cause === 'stale'
        ? `${hi}a new breakdown proposal was posted after \`${t.label}\` was applied. Read ${link}, then apply \`${t.label}\` again to create its issues; agentloop took the label off.`
        : `${hi}there is no breakdown proposal on this issue to approve. Apply \`${names.breakdown}\` to get one; once it is posted, read it and apply \`${t.label}\` to create its issues. agentloop took the label off.`;
  const view = { title: t.cause === 'done' ? 'issues already created' : 'nothing to approve', steps: [], message };
  const key = refusalKey(t.label, t.actor);
  const said = item.status.state.refused === key;
  // Said to the labeler once (as a refusal is): the state first, so a run dying after it says nothing twice.
  if (t.cause === 'done') await item.status.write(view);
  else if (!said) {
    const state = { ...item.status.state, refused: key };
    if (!item.status.exists) await item.status.write(view, state);
    else {
      await item.status.record(state, view);
      await rc.forge.createComment(t.issue, `${NOTICE_MARKER}\n${message}`);
    }
  }
  const labels = await rc.labels.apply(t.issue, item.data.labels, outcomeOf('breakdown-decline', names).success);
  return {
    outcome: 'skipped',
    item: t.issue,
    labelsBefore: item.data.labels,
    labelsAfter: labels,
    message: `removed ${t.label} from #${t.issue}: ${t.reason.replace(/^#\d+: /, '')}${said ? ' (already told)' : ''}`,
  };
}
