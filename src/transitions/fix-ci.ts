// fix-ci (DESIGN §3): CI is red on an agentloop PR's head. The agent gets the failing jobs and their
// log tails on the PR branch; the fix is checked, committed and pushed with a lease on the head it saw.
// loop/code-ci-pending → loop/code-in-process → loop/code-ci-pending; no change → NeedSupervisor.
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, commit, fetchBranch, push, stageAll } from '../git/workspace.js';
import { loopBranch, type CodeSnapshot } from '../runtime/code-snapshot.js';
import { loadPrompt } from '../runtime/prompts.js';
import type { RunContext } from '../runtime/run-context.js';
import { workspaceOf } from '../runtime/workspace.js';
import { describeAgentFailure, dryRunStop, runAgentStep } from './agent-step.js';
import { failingJobs } from './ci-logs.js';
import { lastLine } from './code.js';
import { claim, codeSteps, owned, released, withClaim } from './lifecycle.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type FixTransition = Extract<Transition, { kind: 'fix-ci' }>;

export async function fixCi(rc: RunContext, t: FixTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('fix-ci', names);
  const item = cs.items.get(t.issue)!;
  const pull = cs.pulls.get(t.pull)!;
  const before = item.data.labels;
  const template = await loadPrompt(rc, 'fix-ci');
  let state = owned(rc, item.status.state, 'code');
  const attemptNote = `fix attempt ${t.attempt} of ${rc.config.maxFixAttempts}`;
  let labels = await claim(rc, item, outcome.claim, state, { title: 'fixing CI', steps: codeSteps(3), message: `CI is red on PR #${t.pull} (${t.failing.join(', ')}); ${attemptNote}.`, runUrl: rc.env.runUrl, details: fixHistory(state) });

  const finish = async (ok: boolean, title: string, message: string, extra: Partial<typeof state> = {}): Promise<TransitionResult> => {
    labels = await rc.labels.apply(t.issue, labels, ok ? outcome.success : outcome.failure);
    state = { ...released(rc, state, 'fix-ci', ok ? 'done' : 'failed'), ...extra };
    const tail = ok ? '' : ` agentloop stopped and added \`${names.needSupervisor}\`; remove it to let agentloop continue.`;
    await item.status.write({ title, steps: codeSteps(3, !ok), message: `${message}${tail}`, runUrl: rc.env.runUrl, details: fixHistory(state) }, state);
    return { outcome: ok ? 'done' : 'failed', item: t.issue, labelsBefore: before, labelsAfter: labels, message };
  };

  return withClaim(rc, item, outcome.failure, labels, 'fix failed', async () => {
    const ws = workspaceOf(rc);
    const branch = loopBranch(t.issue);
    const remote = await fetchBranch(ws, branch);
    if (remote !== t.headSha) {
      // Someone pushed since the decision: the next run decides on the new head.
      labels = await rc.labels.apply(t.issue, labels, { add: outcome.success.add, remove: outcome.claim.add });
      await item.status.write({ title: 'waiting for CI', steps: codeSteps(3), message: `The PR head moved to ${remote?.slice(0, 7) ?? '(deleted)'} while agentloop prepared a fix; waiting for CI on it.`, runUrl: rc.env.runUrl }, released(rc, state, 'fix-ci', 'head moved'));
      return { outcome: 'skipped', item: t.issue, labelsBefore: before, labelsAfter: labels, message: 'the PR head moved; nothing pushed' };
    }
    await checkoutFresh(ws, branch, remote);
    const jobs = await failingJobs(rc, t.headSha, t.failing);
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
    const result = await runAgentStep(rc, 'fix-ci', 'write', renderPrompt(template, vars, { name: 'fix-ci' }), item.data.labels, { AGENTLOOP_ATTEMPT: String(t.attempt) });
    if (rc.config.dryRun) return dryRunStop(rc, t.issue, labels, before);
    const record = (summary: string) => ({ fixAttempts: t.attempt, history: [...state.history, { transition: 'fix-ci', runId: rc.env.runId, at: rc.now().toISOString(), outcome: summary.slice(0, 200) }] });
    if (!result.ok) return finish(false, 'fix failed', `${attemptNote}: ${describeAgentFailure(result, rc.config.agentTimeoutMinutes)}`, record('agent failed'));
    const verdict = checkDiff(await stageAll(ws), rc.config);
    if (!verdict.ok) {
      return finish(false, verdict.reason === 'empty' ? 'no fix found' : 'fix refused', `${attemptNote}: nothing was pushed: ${verdict.message}.${result.finalMessage.trim() ? ` The agent said: ${lastLine(result.finalMessage)}` : ''}`, record(verdict.message));
    }
    const sha = await commit(ws, `Fix CI for #${t.issue} (attempt ${t.attempt})\n\n${result.finalMessage.trim().slice(0, 2000)}`);
    await push(ws, branch, t.headSha);
    return finish(true, 'waiting for CI', `Pushed ${attemptNote} as ${sha.slice(0, 7)}: ${lastLine(result.finalMessage) || 'fix'}; waiting for CI.`, { ...record(lastLine(result.finalMessage) || 'pushed a fix'), headSha: sha, pushedAt: rc.now().toISOString() });
  });
}

/** One line per earlier attempt, for the status comment. */
export function fixHistory(state: { history: { transition: string; at: string; outcome: string }[] }): string[] {
  return state.history.filter((h) => h.transition === 'fix-ci').map((h, i) => `fix attempt ${i + 1} (${h.at.slice(0, 16).replace('T', ' ')}): ${h.outcome}`);
}
