// rebase (DESIGN §3): a PR to be merged is behind or conflicts. Behind: the forge's update-branch API,
// which answers 202 and works asynchronously — recorded as requested, never as done. Conflicts (agentloop
// branches only): git rebase, the agent resolves each stop, push --force-with-lease. Never merges: CI
// re-runs on the new head and a later run decides. A push or update refused for the `workflows`
// permission (the base changed a workflow file) escalates with what to grant.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueOfBranch } from '../core/branches.js';
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import type { Transition } from '../core/transition.js';
import { type RefusedChange, workflowsGrantText, workflowsRefusal } from '../core/workflows-permission.js';
import { abortRebase, branchChanges, continueRebase, filesWithMarkers, startRebase } from '../git/rebase.js';
import { checkoutFresh, fetchBranch, GitError, git, type Workspace } from '../git/repo.js';
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

  const change = (action: RefusedChange['action']): RefusedChange => ({
    action,
    branch: pull.headRef,
    base: pull.baseRef,
    label: names.needSupervisor,
  });

  if (t.mode === 'update-branch') {
    const claim = await Claim.take(
      rc,
      { ...spec, errorTitle: 'update failed' },
      { title: 'updating', steps: codeSteps(3), message: `Bringing PR #${t.pull} up to date with ${pull.baseRef}.` },
    );
    return claim.run(async () => {
      const answer = await rc.forge.updatePullBranch(t.pull, t.headSha);
      rc.steps.reached('rebased');
      if (answer.requested)
        return claim.done(
          {
            title: 'update requested; waiting for the new head',
            steps: codeSteps(3),
            message: `PR #${t.pull} was behind ${pull.baseRef}; agentloop asked GitHub to merge ${pull.baseRef} into it, which GitHub does in the background. A later run decides on the new head once CI has run on it.`,
          },
          {
            message: `requested an update of PR #${t.pull} from ${pull.baseRef}`,
            note: 'update requested',
            state: { updateRequested: { sha: t.headSha, at: rc.now().toISOString() } },
          },
        );
      const refusal = workflowsRefusal(answer.message);
      if (refusal) return refused(claim, workflowsGrantText(refusal, change('update-branch')), grantTodo(names.needSupervisor));
      if (answer.status === 422 && /expected[_ ]head[_ ]sha|head (ref|sha)/i.test(answer.message))
        return claim.release(
          {
            title: 'waiting',
            steps: codeSteps(3),
            message: `The head of PR #${t.pull} moved before the update; the next run decides on it.`,
          },
          { message: 'the PR head moved; no update requested', note: 'head moved' },
        );
      return refused(
        claim,
        `GitHub refused to bring PR #${t.pull} up to date with ${pull.baseRef} (HTTP ${answer.status}: ${answer.message}). agentloop added \`${names.needSupervisor}\`; update the branch yourself, then remove it.`,
        `update the branch yourself, then remove \`${names.needSupervisor}\``,
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
  const todo = `resolve the conflicts on \`${pull.headRef}\`, then remove \`${names.needSupervisor}\``;
  const fail = (message: string) =>
    claim.fail(
      {
        title: 'rebase failed',
        steps: codeSteps(3, true),
        message: `${message} Nothing was pushed. agentloop added \`${names.needSupervisor}\`; ${todo}.`,
      },
      { message, todo },
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
    rc.steps.reached('rebased');
    const verdict = checkDiff(await branchChanges(ws, base), { ...rc.config, maxDiffLines: Number.MAX_SAFE_INTEGER });
    if (!verdict.ok && verdict.reason === 'empty')
      return fail(
        `After the rebase the branch changes nothing relative to ${pull.baseRef} (the conflict resolution dropped the PR's change).`,
      );
    if (!verdict.ok) return fail(`After the rebase, ${verdict.message}.`);
    try {
      await rc.git.push(ws, pull.headRef, t.headSha);
    } catch (err) {
      // The rebased branch carries the base's change to a workflow file: GitHub refuses it without `workflows`.
      const refusal = err instanceof GitError ? workflowsRefusal(err.stderr) : undefined;
      if (!refusal) throw err;
      return refused(claim, workflowsGrantText(refusal, change('push')), grantTodo(names.needSupervisor));
    }
    rc.steps.reached('pushed');
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

/** GitHub refused the change: hand the item to a human with `message` (what happened, what to grant or do). */
function refused(claim: Claim, message: string, todo: string): Promise<TransitionResult> {
  return claim.fail(
    { title: 'refused by GitHub', steps: codeSteps(3, true), message },
    { message: message.split('\n')[0]!, note: 'refused', todo },
  );
}

const grantTodo = (label: string) =>
  `grant the token what the status comment names (or update the branch yourself), then remove \`${label}\``;

/** The conflicted files as they stand, markers included, for the rebase prompt. */
async function describeConflicts(ws: Workspace, files: string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) parts.push(`- \`${f}\`\n\n${await readFile(join(ws.dir, f), 'utf8').catch(() => '(unreadable)')}`);
  return parts.join('\n\n');
}
