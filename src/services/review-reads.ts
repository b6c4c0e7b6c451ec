// The reviews of a loop PR as the code lane decides on them (core/decide/review.ts): the submitted
// reviews, how many line comments each carries (only when one by someone else is a plain comment
// review), and each reviewer's permission — writers' reviews count, others' are ignored.
import type { ReviewSnapshot } from '../core/snapshot.js';
import { isBot, isSelf } from '../core/trust.js';
import type { RunContext } from './context.js';

export async function readReviews(rc: RunContext, pull: number): Promise<ReviewSnapshot[]> {
  const reviews = (await rc.forge.listReviews(pull)).filter((r) => r.state !== 'pending' && r.state !== 'dismissed');
  const facts = rc.trust.facts;
  const others = reviews.filter((r) => !isSelf(r.author, facts));
  const counts = new Map<number, number>();
  if (others.some((r) => r.state === 'commented'))
    for (const c of await rc.forge.listReviewComments(pull))
      if (c.reviewId !== null) counts.set(c.reviewId, (counts.get(c.reviewId) ?? 0) + 1);
  const out: ReviewSnapshot[] = [];
  for (const r of reviews) {
    // An allow-listed bot (allowed-bots) reviews as a writer; another bot's review is ignored.
    const allowed = facts.allowedBots.some((b) => b.toLowerCase() === r.author.login.toLowerCase());
    const permission = allowed
      ? 'write'
      : isSelf(r.author, facts) || isBot(r.author)
        ? 'none'
        : await rc.trust.permissions.of(r.author.login);
    out.push({
      id: r.id,
      author: r.author,
      permission,
      state: r.state,
      commitSha: r.commitSha,
      submittedAt: r.submittedAt,
      comments: counts.get(r.id) ?? 0,
    });
  }
  return out;
}
