// The request budgets `npm run bench` checks — and `.ci/run`, in its quick mode. For each step of the
// walk (scripts/bench-requests.ts): the requests the step must make, by reason, on each forge; the
// extras it makes beyond them and why; and its budget, 1.5× the minimum. Counts are deterministic (the
// embedded forge, a scripted agent), so a count over budget is a change, never noise. Wall times are
// reported, never checked.

export type BenchForge = 'github' | 'forgejo';
type Count = number | Partial<Record<BenchForge, number>>;
export interface Need {
  what: string;
  n: Count;
}

/** Budget = ⌊FACTOR × minimum⌋. */
export const FACTOR = 1.5;

const EVERY_RUN: Need[] = [
  { what: 'the configuration file', n: 1 },
  { what: 'who agentloop is (Forgejo: GET /user; the GitHub workflow token needs no request)', n: { forgejo: 1 } },
];
const LABEL_IDS: Need = { what: 'label ids for label writes (Forgejo takes ids)', n: { forgejo: 1 } };
const CI: Need = { what: "the PR head's CI (GitHub: check runs + statuses; Forgejo: combined status)", n: { github: 2, forgejo: 1 } };
const CLAIM: Need = { what: 'claim: status comment (owner), in-process label on, trigger label off', n: 3 };
const CHAIN: Need = { what: 'chain: dispatch the next code-lane run', n: 1 };

/** What each step must request. */
export const MINIMUM: Record<string, Need[]> = {
  plan: [
    ...EVERY_RUN,
    { what: 'the prompt override', n: 1 },
    { what: 'the issue, its comments (status, thread), the labeler’s permission', n: 3 },
    CLAIM,
    LABEL_IDS,
    { what: 'the plan comment', n: 1 },
    { what: 'done: plan-done on, in-process off, status comment', n: 3 },
  ],
  code: [
    ...EVERY_RUN,
    { what: 'the prompt override', n: 1 },
    { what: 'the event’s issue, its comments (status, approval), the labeler’s permission', n: 3 },
    { what: 'open PRs (max-open-prs; an existing PR to adopt)', n: 1 },
    { what: 'the queue: one page of loop/code issues, oldest first (an older waiting issue goes first)', n: 1 },
    CLAIM,
    LABEL_IDS,
    { what: 'still wanted? the issue and its label timeline, right before the push (still-wanted.ts)', n: 2 },
    { what: 'open the PR', n: 1 },
    { what: 'done: ci-pending on, in-process off, status comment', n: 3 },
    CHAIN,
  ],
  'fix-ci': [
    ...EVERY_RUN,
    { what: 'the prompt override', n: 1 },
    { what: 'open PRs', n: 1 },
    CI,
    { what: 'the PR’s issue and its status comment (fix attempts, approval)', n: 2 },
    { what: 'the failing job and its log tail (Forgejo serves neither)', n: { github: 2 } },
    CLAIM,
    LABEL_IDS,
    { what: 'still wanted? the PR (head, state) and the issue, right before the push', n: 2 },
    { what: 'done: ci-pending on, in-process off, status comment', n: 3 },
    CHAIN,
  ],
  'idle: no CI yet': [
    ...EVERY_RUN,
    { what: 'open PRs', n: 1 },
    CI,
    { what: 'the PR’s issue and its status comment (when the head was pushed: ci-timeout-minutes)', n: 2 },
  ],
  'idle: CI running': [
    ...EVERY_RUN,
    { what: 'open PRs', n: 1 },
    CI,
    { what: 'the PR’s issue (closed under its open PR? NeedSupervisor?); while CI runs nothing else decides', n: 1 },
  ],
  'ci-green': [
    ...EVERY_RUN,
    { what: 'open PRs', n: 1 },
    CI,
    { what: 'the PR’s issue and its status comment', n: 2 },
    LABEL_IDS,
    { what: 'code-done and merge on, ci-pending off, status comment', n: 3 },
    CHAIN,
  ],
  merge: [
    ...EVERY_RUN,
    { what: 'open PRs', n: 1 },
    CI,
    { what: 'the PR’s issue, its status comment, who applied merge (label timeline)', n: 3 },
    { what: 'the PR (mergeability)', n: 1 },
    { what: 'its reviews (a writer’s unanswered request for changes holds the merge)', n: 1 },
    CLAIM,
    LABEL_IDS,
    { what: 'still wanted? the issue and its label timeline, right before the merge', n: 2 },
    { what: 'the merge (Forgejo answers empty: the PR read after it)', n: { github: 1, forgejo: 2 } },
    { what: 'done: merge-done on, in-process, merge, code-done off, status comment', n: 4 },
    { what: 'close the issue, delete the branch', n: 2 },
    CHAIN,
  ],
  sweep: [
    ...EVERY_RUN,
    {
      what: 'the loop items, ci-failure and dashboard issues (GitHub: search for any of their labels, issues and PRs apart, and what changed in the last ten minutes; Forgejo: the label list, one list for all)',
      n: { github: 3, forgejo: 2 },
    },
    { what: 'wrap-up look: open PRs, closed items with a PR stage label (2 labels)', n: 3 },
    { what: 'default-branch CI: completed runs', n: 1 },
    { what: 'dashboard: label check, open it (GitHub: its label added apart)', n: { github: 3, forgejo: 2 } },
  ],
  'idle: nothing to do': [...EVERY_RUN, { what: 'open PRs', n: 1 }, { what: 'the queue: one page of loop/code issues', n: 1 }],
  'code: next in the queue': [
    ...EVERY_RUN,
    { what: 'the prompt override', n: 1 },
    { what: 'open PRs, the queue (one page of loop/code issues, oldest first)', n: 2 },
    { what: 'the oldest issue’s comments, who labeled it (timeline), their permission', n: 3 },
    CLAIM,
    LABEL_IDS,
    { what: 'still wanted? the issue and its label timeline, right before the push', n: 2 },
    { what: 'open the PR', n: 1 },
    { what: 'done: ci-pending on, in-process off, status comment', n: 3 },
    CHAIN,
  ],
};

/** Requests a step makes beyond its minimum, and why (the bench prints any it cannot explain). */
export const EXTRA: Record<string, Need[]> = {
  plan: [{ what: 'label catalog check before adding labels (GitHub; Forgejo needs the list for ids)', n: { github: 1 } }],
  code: [{ what: 'label catalog check (GitHub)', n: { github: 1 } }],
  'fix-ci': [{ what: 'label catalog check (GitHub)', n: { github: 1 } }],
  'ci-green': [{ what: 'label catalog check (GitHub)', n: { github: 1 } }],
  merge: [
    { what: 'label catalog check (GitHub)', n: { github: 1 } },
    { what: 'the PR read again right after the claim (head moved? merged meanwhile?)', n: 1 },
    { what: 'the PR read again after a successful merge (its page for the result)', n: 1 },
  ],
  'code: next in the queue': [{ what: 'label catalog check (GitHub)', n: { github: 1 } }],
};

export function total(needs: readonly Need[] | undefined, forge: BenchForge): number {
  return (needs ?? []).reduce((sum, need) => sum + (typeof need.n === 'number' ? need.n : (need.n[forge] ?? 0)), 0);
}

export function minimumOf(step: string, forge: BenchForge): number | undefined {
  return MINIMUM[step] ? total(MINIMUM[step], forge) : undefined;
}

export function budgetOf(step: string, forge: BenchForge): number | undefined {
  const min = minimumOf(step, forge);
  return min === undefined ? undefined : Math.floor(min * FACTOR);
}

/** The sweep at scale (scripts/bench-scale.ts): the repository, and what its one sweep may cost. */
export const SCALE = { openIssues: 10_000, loopItems: 100, operationsPerRun: 300 };

/**
 * List requests that find the loop items, at most: Forgejo filters by any of several labels (its label
 * list, then pages of 50, a last empty page when full); GitHub searches for any of them (a page per 100
 * issues, one for PRs) and lists what changed in the last ten minutes (one page), which the search
 * index may not hold yet (forge/github.ts: listOpenItemsWithAnyLabel).
 */
export function itemListBound(forge: BenchForge, loopItems: number): number {
  return forge === 'forgejo' ? 2 + Math.ceil(loopItems / 50) : 2 + Math.ceil(loopItems / 100);
}

/** Backlog of waiting loop/code issues the quick and full benches add; a code-lane run must cost the same. */
export const BACKLOG = { quick: 200, full: 1000 };

/**
 * What the heavy path may load (KiB, dist/chunks/action.js and the chunks it imports on GitHub): loading
 * is most of its start-up (docs/performance.md, Start-up). Deterministic like the request counts; a
 * dependency that grows it past this is a decision to make, not a drift to find later.
 */
export const HEAVY_PATH_KIB = 720;
