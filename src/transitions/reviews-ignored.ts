// reviews-ignored: reviews on an agentloop PR by people who may not ask for changes (no write access)
// start nothing. Said once in the status comment, so the reviewer and the maintainers can see why.
import type { Transition } from '../core/transition.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { codeSteps } from './claim.js';
import type { TransitionResult } from './result.js';

export async function reviewsIgnored(
  _rc: RunContext,
  t: Extract<Transition, { kind: 'reviews-ignored' }>,
  cs: CodeSnapshot,
): Promise<TransitionResult> {
  const item = cs.items.get(t.issue)!;
  const state = item.status.state;
  const who = [
    ...new Set(
      (cs.snapshot.pulls.find((p) => p.number === t.pull)?.reviews ?? [])
        .filter((r) => t.reviews.includes(r.id))
        .map((r) => `@${r.author.login}`),
    ),
  ];
  const message = `A review on PR #${t.pull} by ${who.join(', ') || 'someone'} was not acted on: only people with write access can ask agentloop for changes. A maintainer can ask for the same changes in a review of their own.`;
  await item.status.write(
    { title: 'waiting', steps: codeSteps(3), message },
    { ...state, review: { rounds: 0, addressed: [], ...state.review, ignored: [...(state.review?.ignored ?? []), ...t.reviews] } },
  );
  return { outcome: 'done', item: t.issue, message: `ignored review(s) ${t.reviews.join(', ')} on PR #${t.pull}` };
}
