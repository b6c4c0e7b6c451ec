// code (DESIGN §3): branch agentloop/issue-N from the default branch, the agent implements the issue,
// trusted code checks the diff, then commit, push and open the PR "Closes #N".
// loop/code → loop/code-in-process → loop/code-ci-pending (or NeedSupervisor).

import { loopBranch } from '../core/branches.js';
import { checkDiff } from '../core/diff-policy.js';
import { outcomeOf } from '../core/outcomes.js';
import { renderPrompt } from '../core/prompt.js';
import { redactSecrets } from '../core/redact.js';
import { capitalize, lastLine } from '../core/text.js';
import type { Transition } from '../core/transition.js';
import { checkoutFresh, fetchBranch } from '../git/repo.js';
import { commitTree } from '../git/tree.js';
import { agentChange } from '../services/agent-change.js';
import type { CodeSnapshot } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import { loadPrompt } from '../services/prompts.js';
import { secretValues } from '../services/secrets.js';
import { coAuthor, openWorkspace } from '../services/workspace.js';
import { describeAgentFailure, notStartedStop, runAgentStep } from './agent-step.js';
import { Claim, codeSteps } from './claim.js';
import { approvalRecord, issueVars } from './prompt-vars.js';
import type { TransitionResult } from './result.js';
import { notWantedAnyMore } from './still-wanted.js';

type CodeTransition = Extract<Transition, { kind: 'code' }>;

export async function code(rc: RunContext, t: CodeTransition, cs: CodeSnapshot): Promise<TransitionResult> {
  const names = rc.config.labelNames;
  const outcome = outcomeOf('code', names);
  const item = cs.items.get(t.issue)!;
  const before = item.data.labels;

  if (t.existingPull !== undefined) {
    // A PR for this issue exists (a run died after opening it, or a human re-applied loop/code): adopt it.
    const labels = await rc.labels.apply(t.issue, before, {
      add: outcome.success.add,
      remove: [...outcome.claim.remove, ...outcome.success.remove],
    });
    await item.status.write(
      {
        title: 'waiting for CI',
        steps: codeSteps(3),
        message: `PR #${t.existingPull} already implements this issue; agentloop follows it instead of opening another.`,
      },
      { ...item.status.state, pull: t.existingPull, ...(t.approve ? { approved: await approvalRecord(rc, item, t.approve) } : {}) },
    );
    return { outcome: 'done', item: t.issue, labelsBefore: before, labelsAfter: labels, message: `adopted PR #${t.existingPull}` };
  }

  const template = await loadPrompt(rc, 'code'); // a broken override fails before any write
  const claim = await Claim.take(
    rc,
    { transition: 'code', lane: 'code', item, outcome, errorTitle: 'code failed', approve: t.approve },
    { title: 'coding', steps: codeSteps(1), message: `Implementing this issue, requested by @${t.requester}.` },
  );
  const todo = `remove \`${names.needSupervisor}\` and apply \`${names.code}\` again to retry`;
  const fail = (title: string, message: string, details: string[] = []) =>
    claim.fail(
      {
        title,
        steps: codeSteps(1, true),
        message: `${message} agentloop stopped and added \`${names.needSupervisor}\`; ${todo}.`,
        details,
      },
      { message, todo },
    );

  const withdrawn = (why: string) => {
    const again = why.endsWith('was closed')
      ? `Reopen it and apply \`${names.code}\` to start again.`
      : why.includes(`\`${names.needSupervisor}\``)
        ? `Remove \`${names.needSupervisor}\` and apply \`${names.code}\` again to start over.`
        : `Apply \`${names.code}\` again to start over.`;
    const message = `${capitalize(why)} while the agent worked, so the request is withdrawn: nothing was pushed and no PR was opened. ${again}`;
    return claim.release(
      { title: 'stopped', steps: codeSteps(1, true), message },
      { message: `withdrawn: ${why}`, note: 'withdrawn', change: { add: [], remove: outcome.claim.add } },
    );
  };

  return claim.run(async () => {
    const ws = await openWorkspace(rc);
    const branch = loopBranch(t.issue);
    const leftover = await fetchBranch(ws, branch); // from a run that died before opening the PR
    const base = await fetchBranch(ws, rc.defaultBranch);
    if (!base) throw new Error(`could not fetch ${rc.defaultBranch}`);
    await checkoutFresh(ws, branch, base);

    const triggerAt = item.snapshot.triggers.code?.at ?? item.data.createdAt;
    const vars = { ...(await issueVars(rc, item, triggerAt, t.requester)), branch };
    const prompt = renderPrompt(template, vars, { name: 'code' });
    const change = await agentChange(rc, ws, base, (session) => runAgentStep(rc, session, 'code', 'write', prompt, item.data.labels));
    const { result } = change;
    rc.steps.reached('agent-done');
    if (result.notStarted) return notStartedStop(t.issue, claim.labels, before);
    // People act while the agent works: a closed issue, NeedSupervisor, or the request taken back means
    // nothing is pushed and no PR opened. A label deleted in the settings takes nothing back.
    const gone = await notWantedAnyMore(rc, t.issue, { stops: [names.needSupervisor], watch: [names.code, names.codeInProcess] });
    if (gone) return withdrawn(gone);
    if (!result.ok || !change.tree) {
      return fail(
        'code failed',
        describeAgentFailure(result, rc.config.agentTimeoutMinutes),
        result.stderrTail ? [`last output: \`${lastLine(result.stderrTail)}\``] : [],
      );
    }
    // Against the commit the branch starts from: whatever the agent committed, amended or left behind.
    const verdict = checkDiff(change.changes, rc.config);
    if (!verdict.ok) {
      const said = result.finalMessage.trim() ? [`the agent said: ${lastLine(result.finalMessage)}`] : [];
      return fail(verdict.reason === 'empty' ? 'nothing to push' : 'change refused', `Nothing was pushed: ${verdict.message}.`, said);
    }

    const summary = redactSecrets(result.finalMessage.trim(), secretValues(rc.processEnv, [rc.config.token]));
    const title = item.data.title.replace(/\s+/g, ' ').trim();
    const message = `${title} (#${t.issue})\n\n${summary.slice(0, 4000)}\n\nCloses #${t.issue}\n\n${coAuthor(rc, t.requester)}`;
    const sha = await commitTree(ws, change.tree, base, message);
    await rc.git.push(ws, branch, leftover);
    rc.steps.reached('pushed');
    const pr = await rc.forge.createPull({
      title,
      head: branch,
      base: rc.defaultBranch,
      body: `Closes #${t.issue}\n\n${summary}\n\n---\n<sub>Opened by agentloop for @${t.requester} · ${verdict.files} file(s), ${verdict.lines} line(s) · [run](${rc.env.runUrl})</sub>`,
    });
    rc.steps.reached('pr-opened');
    return claim.done(
      {
        title: 'waiting for CI',
        steps: codeSteps(3),
        message: `Opened PR #${pr.number} (${verdict.files} file(s), ${verdict.lines} changed line(s)); waiting for CI on ${sha.slice(0, 7)}.`,
      },
      {
        message: `opened PR #${pr.number}`,
        state: { pull: pr.number, headSha: sha, pushedAt: rc.now().toISOString(), fixAttempts: 0 },
        links: [{ label: 'pull request', url: pr.htmlUrl }],
        agent: { durationMs: result.durationMs, ...(result.usage ?? {}) },
      },
    );
  });
}
