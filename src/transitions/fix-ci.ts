// fix-ci (DESIGN §3): CI is red on an agentloop PR's head. The agent gets the failing jobs and their
// log tails on the PR branch; the fix is checked, committed and pushed with a lease on the head it saw.
// loop/code-ci-pending → loop/code-in-process → loop/code-ci-pending; no change → NeedSupervisor.

import { loopBranch } from '../core/branches.js';
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { capitalize, lastLine } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, fetchBranch } from '../git/repo.js';
import { commitTree } from '../git/tree.js';
import { agentChange } from '../services/agent-change.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPrompt } from '../services/prompts.js';
import { openWorkspace } from '../services/workspace.js';
import { describeAgentFailure, notStartedStop, runAgentStep } from './agent-step.js';
import { failingJobs } from './ci-logs.js';
import { Claim, codeSteps } from './claim.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';
import { notWantedAnyMore } from './still-wanted.js';

type FixTransition = Extract<Transition, { kind: 'fix-ci' }>;

export async function fixCi(rc: RunContext, t: FixTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('fix-ci', names);
  const item = cs.items.get(t.issue)!;
  const pull = cs.pulls.get(t.pull)!;
  const before = item.data.labels;
  const template = await loadPrompt(rc, 'fix-ci');
  const attemptNote = `fix attempt ${t.attempt} of ${rc.config.maxFixAttempts}`;
  const spec = { transition: 'fix-ci', lane: 'code', item, outcome, errorTitle: 'fix failed' } as const;
  const claim = await Claim.take(rc, spec, {
    title: 'fixing CI',
    steps: codeSteps(3),
    message: `CI is red on PR #${t.pull} (${t.failing.join(', ')}); ${attemptNote}.`,
    details: fixHistory(item.status.state),
  });
  const state = claim.state;

  /** The attempt recorded in the history (replacing the generic entry) so the next decision counts it. */
  const record = (summary: string) => ({
    fixAttempts: t.attempt,
    history: [...state.history, { transition: 'fix-ci', runId: rc.env.runId, at: rc.now().toISOString(), outcome: summary.slice(0, 200) }],
  });
  const failed = (title: string, message: string, summary: string) => {
    const after = { ...state, ...record(summary) };
    const todo = `look at the PR, then remove \`${names.needSupervisor}\` to let agentloop continue`;
    return claim.fail(
      {
        title,
        steps: codeSteps(3, true),
        message: `${message} agentloop stopped and added \`${names.needSupervisor}\`; ${todo}.`,
        details: fixHistory(after),
      },
      { message, state: record(summary), todo },
    );
  };

  /** Nothing pushed; the item goes back to waiting for CI, and the next run decides on what it finds. */
  const stand = (message: string, note: string) =>
    claim.release(
      { title: 'waiting for CI', steps: codeSteps(3), message },
      { message, note, change: { add: outcome.success.add, remove: outcome.claim.add } },
    );
  // Someone pushed since the decision (or while the agent worked): the next run decides on the new head.
  const moved = (remote: string | null) =>
    stand(`The PR head moved to ${remote?.slice(0, 7) ?? '(deleted)'} while agentloop prepared a fix; nothing was pushed.`, 'head moved');

  return claim.run(async () => {
    const ws = await openWorkspace(rc);
    const branch = loopBranch(t.issue);
    const remote = await fetchBranch(ws, branch);
    if (remote !== t.headSha) return moved(remote);
    await checkoutFresh(ws, branch, remote);
    const jobs = await failingJobs(rc, t.headSha, t.failing, cs.checks.get(t.headSha));
    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const vars = {
      ...(await issueVars(rc, item, triggerAt, item.snapshot.triggers.code?.actor.login ?? item.data.author.login)),
      branch,
      'pr.number': t.pull,
      'pr.url': pull.htmlUrl,
      'ci.failing': jobs.failing,
      'ci.logs': jobs.logs,
      attempt: t.attempt,
      max_attempts: rc.config.maxFixAttempts,
    };
    const prompt = renderPrompt(template, vars, { name: 'fix-ci' });
    const extraEnv = { AGENTLOOP_ATTEMPT: String(t.attempt) };
    const change = await agentChange(rc, ws, remote, (session) =>
      runAgentStep(rc, session, 'fix-ci', 'write', prompt, item.data.labels, extraEnv),
    );
    const { result } = change;
    rc.steps.reached('agent-done');
    if (result.notStarted) return notStartedStop(t.issue, claim.labels, before);
    // People act while the agent works: a person's push, a closed PR or issue, NeedSupervisor — the fix
    // is not pushed over them (docs/design-decisions.md, "People acting while a run works").
    const now = await rc.forge.getPull(t.pull);
    if (now.state !== 'open')
      return stand(
        `PR #${t.pull} was ${now.merged ? 'merged' : 'closed'} while the agent worked on a fix; nothing was pushed.`,
        'pull closed',
      );
    if (now.headSha !== t.headSha) return moved(now.headSha);
    const gone = await notWantedAnyMore(rc, t.issue, { stops: [names.needSupervisor], alsoLabels: now.labels });
    if (gone) return stand(`${capitalize(gone)} while the agent worked on a fix; nothing was pushed.`, 'withdrawn');
    if (!result.ok || !change.tree)
      return failed('fix failed', `${attemptNote}: ${describeAgentFailure(result, rc.config.agentTimeoutMinutes)}`, 'agent failed');
    // Against the PR head the agent's copy started from: exactly what this push adds.
    const verdict = checkDiff(change.changes, rc.config);
    if (!verdict.ok) {
      return failed(
        verdict.reason === 'empty' ? 'no fix found' : 'fix refused',
        `${attemptNote}: nothing was pushed: ${verdict.message}.${result.finalMessage.trim() ? ` The agent said: ${lastLine(result.finalMessage)}` : ''}`,
        verdict.message,
      );
    }
    const sha = await commitTree(
      ws,
      change.tree,
      remote,
      `Fix CI for #${t.issue} (attempt ${t.attempt})\n\n${result.finalMessage.trim().slice(0, 2000)}`,
    );
    try {
      await rc.git.push(ws, branch, t.headSha);
    } catch (err) {
      // The lease refused the push: a person pushed in the moment since the read above. Theirs stands.
      const after = await rc.forge.getPull(t.pull).catch(() => undefined);
      if (after && after.headSha !== t.headSha) return moved(after.headSha);
      throw err;
    }
    rc.steps.reached('pushed');
    const message = `Pushed ${attemptNote} as ${sha.slice(0, 7)}: ${lastLine(result.finalMessage) || 'fix'}; waiting for CI.`;
    const after = { ...record(lastLine(result.finalMessage) || 'pushed a fix'), headSha: sha, pushedAt: rc.now().toISOString() };
    return claim.done(
      { title: 'waiting for CI', steps: codeSteps(3), message, details: fixHistory({ ...state, ...after }) },
      { message, state: after },
    );
  });
}

/** One line per earlier attempt, for the status comment. */
export function fixHistory(state: { history: { transition: string; at: string; outcome: string }[] }): string[] {
  return state.history
    .filter((h) => h.transition === 'fix-ci')
    .map((h, i) => `fix attempt ${i + 1} (${h.at.slice(0, 16).replace('T', ' ')}): ${h.outcome}`);
}
