// People finish an agentloop PR's story around agentloop: they merge the PR themselves, close it, delete
// its branch (the forge then closes it), or close the issue while the PR is open. No event of these wakes
// agentloop (the templates listen to labels and CI), so any code-lane run — and the sweep, which looks for
// them (decide/sweep.ts) — notices from what it reads, and wraps the item up in one transition
// (docs/design-decisions.md, "People acting while a run works").
import type { ItemSnapshot, PullSnapshot } from '../snapshot.js';
import type { Transition } from '../transition.js';
import { type Ctx, inProcess, leftAlone } from './context.js';

/** Labels that say an issue has an agentloop PR in flight (the claim labels are handled by their runs and the sweep). */
export const STAGE_KEYS = ['codeCiPending', 'codeDone'] as const;

export interface WrapUpCandidate {
  transition: Extract<Transition, { kind: 'wrap-up' }>;
  at: string;
  number: number;
}

/** The agentloop PR open for issue `n`, if one was read. */
export function openLoopPull(pulls: readonly PullSnapshot[], n: number): PullSnapshot | undefined {
  return pulls.find((p) => p.state === 'open' && !p.merged && p.sameRepo && p.issueNumber === n);
}

export function wrapUpCandidates(ctx: Ctx, notes: string[]): WrapUpCandidate[] {
  const out: WrapUpCandidate[] = [];
  for (const issue of ctx.snap.issues) {
    const c = wrapUp(ctx, issue, notes);
    if (c) out.push(c);
  }
  return out;
}

function wrapUp(ctx: Ctx, issue: ItemSnapshot, notes: string[]): WrapUpCandidate | undefined {
  if (issue.isPull) return undefined;
  const n = issue.number;
  const open = openLoopPull(ctx.snap.pulls, n);
  const staged = STAGE_KEYS.some((k) => ctx.has(issue, k));
  if (!open && !staged) return undefined;
  if (issue.state === 'open' && open) return undefined; // the normal case
  const held = (why: string) => {
    notes.push(`#${n}: ${why}; not wrapped up`);
    return undefined;
  };
  if (ctx.has(issue, 'needSupervisor') || ctx.has(open, 'needSupervisor')) return held(`has ${ctx.names.needSupervisor}`);
  const alone = leftAlone(issue);
  if (alone) return held(alone);
  if (inProcess(ctx, issue) || inProcess(ctx, open)) return held('owned by another run');
  const at = issue.triggers.code?.at ?? issue.createdAt;
  if (open) {
    return {
      at,
      number: n,
      transition: {
        kind: 'wrap-up',
        issue: n,
        pull: open.number,
        cause: 'issue-closed',
        reason: `#${n} was closed while its PR #${open.number} was open`,
      },
    };
  }
  // No open PR, yet a stage label: the PR agentloop recorded was merged or closed by someone else.
  const recorded = issue.loop.pull;
  const pull = recorded !== undefined ? ctx.snap.pulls.find((p) => p.number === recorded) : undefined;
  // A closed issue whose PR is not on record: nothing is left to do but its labels. Held, the sweep would
  // name it first on every tick and starve every other wrap-up (the Forgejo soak found one, seed 404).
  if (!pull && recorded === undefined && issue.state === 'closed')
    return {
      at,
      number: n,
      transition: { kind: 'wrap-up', issue: n, cause: 'closed-unrecorded', reason: `#${n} is closed; its PR is not on record` },
    };
  if (!pull || pull.state === 'open') return held('its PR is not open, and which PR it was is not known');
  const by = pull.mergedBy ? { by: pull.mergedBy } : {};
  return {
    at,
    number: n,
    transition: pull.merged
      ? { kind: 'wrap-up', issue: n, pull: pull.number, cause: 'pull-merged', ...by, reason: `PR #${pull.number} was merged` }
      : { kind: 'wrap-up', issue: n, pull: pull.number, cause: 'pull-closed', reason: `PR #${pull.number} was closed without merging` },
  };
}
