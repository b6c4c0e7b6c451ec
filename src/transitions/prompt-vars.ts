// Prompt variables every transition shares: the issue, the writers' discussion before the trigger,
// the plan agentloop posted.
import { type Approval, threadDigest } from '../core/approval.js';
import { PROPOSAL_MARKER } from '../core/breakdown.js';
import { isNotice } from '../core/escalation.js';
import type { PromptVars } from '../core/prompt.js';
import { routeFor } from '../core/routing.js';
import { isStatusComment } from '../core/status-comment.js';
import { editedNote, findPlan, formatThread, PLAN_MARKER, selectThread, type ThreadSelection } from '../core/thread.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';

/** Writers' (and agentloop's) comments made before the trigger applied at `at`, and not edited since. */
async function threadOf(rc: RunContext, item: LoadedItem, at: string): Promise<ThreadSelection> {
  const trusted = new Set<string>();
  for (const c of item.comments) {
    const login = c.author.login.toLowerCase();
    if (!trusted.has(login) && (await rc.trust.trusted('author', c.author))) trusted.add(login);
  }
  return selectThread(item.comments, {
    writers: trusted,
    before: at,
    exclude: (c) => isStatusComment(c.body) || isNotice(c.body) || c.body.includes(PLAN_MARKER) || c.body.includes(PROPOSAL_MARKER),
    maxComments: 50,
  });
}

/** The approval a transition records when it claims the item: the decision's, with its discussion's digest. */
export async function approvalRecord(rc: RunContext, item: LoadedItem, approve: Approval): Promise<Approval> {
  return { ...approve, thread: threadDigest((await threadOf(rc, item, approve.at)).comments) };
}

/**
 * `triggerAt`: when the trigger label was applied. Once an approval is on record (the claim writes it),
 * the discussion is cut at the time of the approved trigger: a requeue or a fix-ci run reads what the
 * writer approved, not what was said later.
 */
export async function issueVars(rc: RunContext, item: LoadedItem, triggerAt: string, requester: string): Promise<PromptVars> {
  const thread = await threadOf(rc, item, item.status.state.approved?.at ?? triggerAt);
  const note = editedNote(thread.edited);
  const discussion = formatThread(thread.comments);
  // The plan agentloop posted: by its own login, or by its plan lane's (which runs on the workflow token).
  const plan = findPlan(item.comments, PLAN_MARKER, { from: (c) => rc.trust.ownComment('plan', c.author) });
  return {
    'issue.number': item.data.number,
    'issue.title': item.data.title,
    'issue.body': item.data.body,
    'issue.url': item.data.htmlUrl,
    thread: note ? { text: discussion, note } : discussion,
    ...(plan ? { plan } : {}),
    repo: `${rc.env.owner}/${rc.env.repo}`,
    default_branch: rc.defaultBranch,
    // Whoever approved the work on record (a requeue or a fix-ci run has no trigger label of its own).
    requester: `@${item.status.state.approved?.by ?? requester}`,
    appendix: routeFor(rc.config, item.data.labels).appendix,
  };
}
