// code (DESIGN §3): branch agentloop/issue-N from the default branch, the agent implements the issue,
// trusted code checks the diff, then commit, push and open the PR "Closes #N".
// loop/code → loop/code-in-process → loop/code-ci-pending (or NeedSupervisor).
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { redactSecrets } from '../core/redact.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, commit, fetchBranch, push, stageAll } from '../git/workspace.js';
import { loopBranch, type CodeSnapshot } from '../runtime/code-snapshot.js';
import { loadPrompt } from '../runtime/prompts.js';
import type { RunContext } from '../runtime/run-context.js';
import { secretValues } from '../runtime/secrets.js';
import { coAuthor, workspaceOf } from '../runtime/workspace.js';
import { describeAgentFailure, dryRunStop, runAgentStep } from './agent-step.js';
import { claim, codeSteps, owned, released, withClaim } from './lifecycle.js';
import { issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';

type CodeTransition = Extract<Transition, { kind: 'code' }>;

export async function code(rc: RunContext, t: CodeTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('code', names);
  const item = cs.items.get(t.issue)!;
  const before = item.data.labels;

  if (t.existingPull !== undefined) {
    // A PR for this issue exists (a run died after opening it, or a human re-applied loop/code): adopt it.
    const labels = await rc.labels.apply(t.issue, before, { add: outcome.success.add, remove: [...outcome.claim.remove, ...outcome.success.remove] });
    await item.status.write(
      { title: 'waiting for CI', steps: codeSteps(3), message: `PR #${t.existingPull} already implements this issue; agentloop follows it instead of opening another.`, runUrl: rc.env.runUrl },
      { ...item.status.state, pull: t.existingPull },
    );
    return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `adopted PR #${t.existingPull}` };
  }

  const template = await loadPrompt(rc, 'code'); // a broken override fails before any write
  let state = owned(rc, item.status.state, 'code');
  let labels = await claim(rc, item, outcome.claim, state, { title: 'coding', steps: codeSteps(1), message: `Implementing this issue, requested by @${t.requester}.`, runUrl: rc.env.runUrl });
  const fail = async (title: string, message: string, details: string[] = []): Promise<TransitionResult> => {
    labels = await rc.labels.apply(t.issue, labels, outcome.failure);
    await item.status.write(
      { title, steps: codeSteps(1, true), message: `${message} agentloop stopped and added \`${names.needSupervisor}\`; remove it and apply \`${names.code}\` again to retry.`, runUrl: rc.env.runUrl, details },
      released(rc, state, 'code', 'failed'),
    );
    return { outcome: 'failed', item: t.issue, labelsBefore: before, labelsAfter: labels, message };
  };

  return withClaim(rc, item, outcome.failure, labels, 'code failed', async () => {
    const ws = workspaceOf(rc);
    const branch = loopBranch(t.issue);
    const leftover = await fetchBranch(ws, branch); // from a run that died before opening the PR
    const base = await fetchBranch(ws, rc.defaultBranch);
    if (!base) throw new Error(`could not fetch ${rc.defaultBranch}`);
    await checkoutFresh(ws, branch, base);

    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const vars = { ...(await issueVars(rc, item, triggerAt, t.requester)), branch };
    const result = await runAgentStep(rc, 'code', 'write', renderPrompt(template, vars, { name: 'code' }), item.data.labels);
    if (rc.config.dryRun) return dryRunStop(rc, t.issue, labels, before);
    if (!result.ok) {
      return fail('code failed', describeAgentFailure(result, rc.config.agentTimeoutMinutes), result.stderrTail ? [`last output: \`${lastLine(result.stderrTail)}\``] : []);
    }
    const verdict = checkDiff(await stageAll(ws), rc.config);
    if (!verdict.ok) {
      await checkoutFresh(ws, branch, base);
      const said = result.finalMessage.trim() ? [`the agent said: ${lastLine(result.finalMessage)}`] : [];
      return fail(verdict.reason === 'empty' ? 'nothing to push' : 'change refused', `Nothing was pushed: ${verdict.message}.`, said);
    }

    const summary = redactSecrets(result.finalMessage.trim(), secretValues(rc.processEnv, [rc.config.token]));
    const title = item.data.title.replace(/\s+/g, ' ').trim();
    const sha = await commit(ws, `${title} (#${t.issue})\n\n${summary.slice(0, 4000)}\n\nCloses #${t.issue}\n\n${coAuthor(rc, t.requester)}`);
    await push(ws, branch, leftover);
    const pr = await rc.forge.createPull({
      title,
      head: branch,
      base: rc.defaultBranch,
      body: `Closes #${t.issue}\n\n${summary}\n\n---\n<sub>Opened by agentloop for @${t.requester} · ${verdict.files} file(s), ${verdict.lines} line(s) · [run](${rc.env.runUrl})</sub>`,
    });
    labels = await rc.labels.apply(t.issue, labels, outcome.success);
    state = { ...released(rc, state, 'code', 'done'), pull: pr.number, headSha: sha, pushedAt: rc.now().toISOString(), fixAttempts: 0 };
    await item.status.write(
      { title: 'waiting for CI', steps: codeSteps(3), message: `Opened PR #${pr.number} (${verdict.files} file(s), ${verdict.lines} changed line(s)); waiting for CI on ${sha.slice(0, 7)}.`, runUrl: rc.env.runUrl },
      state,
    );
    return {
      outcome: 'done',
      item: t.issue,
      labelsBefore: before,
      labelsAfter: labels,
      message: `opened PR #${pr.number}`,
      links: [{ label: 'pull request', url: pr.htmlUrl }],
      agent: { durationMs: result.durationMs, ...(result.usage ?? {}) },
    };
  });
}

export function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? '').slice(0, 200).replace(/`/g, "'");
}
