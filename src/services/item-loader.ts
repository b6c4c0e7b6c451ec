// Reads what decide() needs from the forge. Only the edge of the system knows about requests.
import { findProposal, summarize } from '../core/breakdown.js';
import type { LoopEvent } from '../core/event.js';
import { hasLabel, TRIGGER_KEYS } from '../core/labels.js';
import type { CommentData, IssueData, LabelEvent } from '../core/model.js';
import type { ItemSnapshot, Snapshot, TriggerInfo } from '../core/snapshot.js';
import { STATE_VERSION } from '../core/status-comment.js';
import { needsPermission } from '../core/trust.js';
import type { RunContext } from './context.js';
import { StatusWriter } from './status-writer.js';

export interface LoadedItem {
  data: IssueData;
  comments: CommentData[];
  status: StatusWriter;
  snapshot: ItemSnapshot;
}

/**
 * Who applied each trigger label present on the item. The event's sender for the label it names
 * (with the time the forge stamped on the item); otherwise the latest `labeled` event in the timeline.
 */
async function triggersOf(rc: RunContext, data: IssueData, event: LoopEvent): Promise<ItemSnapshot['triggers']> {
  const names = rc.config.labelNames;
  const triggers: ItemSnapshot['triggers'] = {};
  let timeline: LabelEvent[] | undefined;
  for (const key of TRIGGER_KEYS) {
    const label = names[key];
    if (!hasLabel(data.labels, label)) continue;
    let actor: TriggerInfo['actor'] | undefined;
    let at: string | undefined;
    if (event.kind === 'labeled' && event.number === data.number && event.label.toLowerCase() === label.toLowerCase()) {
      actor = event.sender;
      at = eventTime(rc);
    } else {
      timeline ??= await rc.forge.listLabelEvents(data.number);
      const last = timeline.filter((e) => e.action === 'labeled' && e.label.toLowerCase() === label.toLowerCase()).at(-1);
      if (last) {
        actor = last.actor;
        at = last.createdAt;
      }
    }
    if (!actor || !at) continue;
    const permission = needsPermission(actor, rc.trust.facts) ? await rc.trust.permissions.of(actor.login) : 'none';
    triggers[key] = { label, actor, permission, at };
  }
  return triggers;
}

/** When the event happened: the item's updated_at in the payload, else now. */
function eventTime(rc: RunContext): string {
  const p = rc.env.payload;
  const item = (p.issue ?? p.pull_request) as { updated_at?: string } | undefined;
  return item?.updated_at ?? rc.now().toISOString();
}

/**
 * `listed`: the item as a list request already returned it (saves re-reading it). `triggers: false`:
 * the caller needs the status comment only, not who applied the trigger labels (no timeline, no permission).
 */
export async function loadItem(
  rc: RunContext,
  number: number,
  event: LoopEvent,
  listed?: IssueData,
  opts: { triggers?: boolean } = {},
): Promise<LoadedItem> {
  const [data, comments] = await Promise.all([listed ?? rc.forge.getIssue(number), rc.forge.listComments(number)]);
  const status = StatusWriter.load(rc.forge, number, comments, (author) => rc.trust.ownComment('status', author), rc.env.runUrl);
  // Posted by the plan lane, like a plan (its identity may be the workflow token's).
  const proposal = data.isPull ? undefined : findProposal(comments, (c) => rc.trust.ownComment('plan', c.author));
  const snapshot: ItemSnapshot = {
    number: data.number,
    isPull: data.isPull,
    title: data.title,
    body: data.body,
    state: data.state,
    labels: data.labels,
    createdAt: data.createdAt,
    triggers: opts.triggers === false ? {} : await triggersOf(rc, data, event),
    loop: status.state,
    ...(status.newer !== undefined ? { newerState: status.newer } : {}),
    ...(proposal ? { breakdown: summarize(proposal.proposal, proposal.comment.createdAt) } : {}),
  };
  if (status.newer !== undefined)
    rc.log.warning(
      `#${number}: its status comment was written by a newer agentloop (state version ${status.newer}; this one reads up to ${STATE_VERSION}). ` +
        'agentloop leaves the item alone: use that newer release in every agentloop workflow.',
    );
  return { data, comments, status, snapshot };
}

/**
 * An item as its list entry shows it, read no further: no status comment (an empty state), no triggers.
 * For items a decision looks at by their labels alone; nothing may write its status comment.
 */
export function listedItem(rc: RunContext, data: IssueData): LoadedItem {
  const status = StatusWriter.load(rc.forge, data.number, [], () => false, rc.env.runUrl);
  const snapshot: ItemSnapshot = {
    number: data.number,
    isPull: data.isPull,
    title: data.title,
    body: data.body,
    state: data.state,
    labels: data.labels,
    createdAt: data.createdAt,
    triggers: {},
    loop: status.state,
  };
  return { data, comments: [], status, snapshot };
}

/** The plan lane looks at one issue: the one the event or dispatch names. */
export async function loadPlanSnapshot(
  rc: RunContext,
  event: LoopEvent,
  number: number,
): Promise<{ snapshot: Snapshot; item: LoadedItem }> {
  const item = await loadItem(rc, number, event);
  return {
    item,
    snapshot: {
      now: rc.now().toISOString(),
      defaultBranch: rc.defaultBranch,
      issues: [item.snapshot],
      pulls: [],
      defaultBranchHealth: [],
      runId: rc.env.runId,
    },
  };
}

/** Open issues and PRs carrying any of `labels`, by number (forge/forge.ts: listOpenItemsWithAnyLabel). */
export async function openItemsWithAnyLabel(rc: RunContext, labels: string[]): Promise<Map<number, IssueData>> {
  return new Map((await rc.forge.listOpenItemsWithAnyLabel(labels)).map((i) => [i.number, i]));
}
