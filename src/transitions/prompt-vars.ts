// Prompt variables every transition shares: the issue, the writers' discussion before the trigger,
// the plan agentloop posted.
import type { PromptVars } from '../core/prompt.js';
import { routeFor } from '../core/routing.js';
import { isStatusComment } from '../core/status-comment.js';
import { findPlan, formatThread, PLAN_MARKER, selectThread } from '../core/thread.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';

export async function issueVars(rc: RunContext, item: LoadedItem, triggerAt: string, requester: string): Promise<PromptVars> {
  const trusted = new Set<string>();
  for (const c of item.comments) {
    const login = c.author.login.toLowerCase();
    if (!trusted.has(login) && (await rc.trust.trusted('author', c.author))) trusted.add(login);
  }
  const thread = selectThread(item.comments, {
    writers: trusted,
    before: triggerAt,
    exclude: (c) => isStatusComment(c.body) || c.body.includes(PLAN_MARKER),
    maxComments: 50,
  });
  // agentloop posts as the automatic token's bot, an App's bot (allowed-bots) or a PAT's user (a writer).
  const plan = findPlan(item.comments, PLAN_MARKER, { from: (c) => trusted.has(c.author.login.toLowerCase()) });
  return {
    'issue.number': item.data.number,
    'issue.title': item.data.title,
    'issue.body': item.data.body,
    'issue.url': item.data.htmlUrl,
    thread: formatThread(thread),
    ...(plan ? { plan } : {}),
    repo: `${rc.env.owner}/${rc.env.repo}`,
    default_branch: rc.defaultBranch,
    requester: `@${requester}`,
    appendix: routeFor(rc.config, item.data.labels).appendix,
  };
}
