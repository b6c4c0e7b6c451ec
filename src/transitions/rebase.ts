// rebase (DESIGN §3): a PR to be merged is behind or conflicts. Behind: the forge's update-branch API.
// Conflicts (agentloop branches only): git rebase, the agent resolves each stop, push --force-with-lease.
// Never merges: CI re-runs on the new head and a later run decides.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueOfBranch } from '../core/branches.js';
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import type { Transition } from '../core/transition.js';
import { abortRebase, branchChanges, continueRebase, filesWithMarkers, startRebase } from '../git/rebase.js';
import { checkoutFresh, fetchBranch, git, type Workspace } from '../git/repo.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPrompt } from '../services/prompts.js';
import { initAgentRepo, openWorkspace } from '../services/workspace.js';
import { describeAgentFailure, notStartedStop, runAgentStep } from './agent-step.js';
import { Claim, codeSteps } from './claim.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type RebaseTransition = Extract<Transition, { kind: 'rebase' }>;
const MAX_STOPS = 20;

export async function rebase(rc: RunContext, t: RebaseTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('rebase', names);
  const target = t.issue ?? t.pull;
  const item = cs.items.get(target)!;
  const pull = cs.pulls.get(t.pull)!;
  const before = item.data.labels;
  const spec = { transition: 'rebase', lane: 'code', item, outcome, errorTitle: 'rebase failed' } as const;

  if (t.mode === 'update-branch') {
    const claim = await Claim.take(
      rc,
      { ...spec, errorTitle: 'update failed' },
      { title: 'updating', steps: codeSteps(3), message: `Bringing PR #${t.pull} up to date with ${pull.baseRef}.` },
    );
    return claim.run(async () => {
      await rc.forge.updatePullBranch(t.pull, t.headSha);
      return claim.done(
        {
          title: 'updated; waiting for CI',
          steps: codeSteps(3),
          message: `PR #${t.pull} was behind ${pull.baseRef}; agentloop brought it up to date. It merges after CI passes on the new head.`,
        },
        { message: `updated PR #${t.pull} from ${pull.baseRef}`, note: 'updated' },
      );
    });
  }

  if (issueOfBranch(pull.headRef) === undefined)
    throw new Error(`refusing to rebase ${pull.headRef}: only agentloop branches are rewritten`);
  const template = await loadPrompt(rc, 'rebase');
  const claim = await Claim.take(rc, spec, {
    title: 'rebasing',
    steps: codeSteps(3),
    message: `PR #${t.pull} conflicts with ${pull.baseRef}; rebasing it.`,
  });
  const fail = (message: string) =>
    claim.fail(
      {
        title: 'rebase failed',
        steps: codeSteps(3, true),
        message: `${message} Nothing was pushed. agentloop added \`${names.needSupervisor}\`; resolve the conflicts on \`${pull.headRef}\`, then remove it.`,
      },
      { message },
    );

  return claim.run(async () => {
    const ws = await openWorkspace(rc);
    const head = await fetchBranch(ws, pull.headRef);
    const base = await fetchBranch(ws, pull.baseRef);
    if (head !== t.headSha || !base) {
      return claim.release(
        {
          title: 'waiting',
          steps: codeSteps(3),
          message: 'The PR head moved while agentloop prepared the rebase; the next run decides again.',
        },
        { message: 'the PR head moved; nothing pushed', note: 'head moved', change: outcome.success },
      );
    }
    await checkoutFresh(ws, pull.headRef, head);
    let step = await startRebase(ws, base);
    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const baseVars = {
      ...(await issueVars(rc, item, triggerAt, item.snapshot.triggers.code?.actor.login ?? item.data.author.login)),
      branch: pull.headRef,
      'pr.number': t.pull,
      'pr.url': pull.htmlUrl,
    };
    for (let stops = 0; !step.done; stops++) {
      if (stops >= MAX_STOPS) {
        await abortRebase(ws);
        return fail(`The rebase stopped more than ${MAX_STOPS} times.`);
      }
      const conflicts = step.conflicts;
      const prompt = renderPrompt(template, { ...baseVars, conflicts: await describeConflicts(ws, conflicts) }, { name: 'rebase' });
      // The agent edits a copy of the stopped rebase; only the conflicted files come back, as data.
      const session = await rc.agent.open(ws.dir, (dir) => initAgentRepo(dir, ws.home));
      try {
        const result = await runAgentStep(rc, session, 'rebase', 'write', prompt, item.data.labels);
        if (result.notStarted) {
          await abortRebase(ws);
          return notStartedStop(target, claim.labels, before);
        }
        const unresolved = result.ok ? await filesWithMarkers(session.dir, conflicts) : [];
        if (!result.ok || unresolved.length) {
          await abortRebase(ws);
          return fail(
            !result.ok
              ? describeAgentFailure(result, rc.config.agentTimeoutMinutes)
              : `Conflict markers remain in ${unresolved.join(', ')}.`,
          );
        }
        step = await continueRebase(ws, session.dir, conflicts);
      } finally {
        await session.close();
      }
    }
    const verdict = checkDiff(await branchChanges(ws, base), { ...rc.config, maxDiffLines: Number.MAX_SAFE_INTEGER });
    if (!verdict.ok && verdict.reason === 'empty')
      return fail(
        `After the rebase the branch changes nothing relative to ${pull.baseRef} (the conflict resolution dropped the PR's change).`,
      );
    if (!verdict.ok) return fail(`After the rebase, ${verdict.message}.`);
    await rc.git.push(ws, pull.headRef, t.headSha);
    const sha = (await git(ws, ['rev-parse', 'HEAD'])).stdout.trim();
    return claim.done(
      {
        title: 'rebased; waiting for CI',
        steps: codeSteps(3),
        message: `Rebased PR #${t.pull} onto ${pull.baseRef} (${sha.slice(0, 7)}). It merges after CI passes on the new head.`,
      },
      { message: `rebased PR #${t.pull} onto ${pull.baseRef}`, note: 'rebased', state: { headSha: sha, pushedAt: rc.now().toISOString() } },
    );
  });
}

/** The conflicted files as they stand, markers included, for the rebase prompt. */
async function describeConflicts(ws: Workspace, files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) parts.push(`- \`${f}\`\n\n${await readFile(join(ws.dir, f), 'utf8').catch(() => '(unreadable)')}`);
  return parts.join('\n\n');
}
