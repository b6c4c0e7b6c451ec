// Loop branches are named from the issue number only (DESIGN §8): no text of the issue reaches a ref.
export const LOOP_BRANCH_PREFIX = 'agentloop/issue-';

export function loopBranch(issue: number): string {
  return `${LOOP_BRANCH_PREFIX}${issue}`;
}

/** The issue a loop branch implements; undefined for any other branch. */
export function issueOfBranch(ref: string): number | undefined {
  const m = /^agentloop\/issue-(\d+)$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}
