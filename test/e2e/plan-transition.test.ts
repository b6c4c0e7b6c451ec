// The plan transition in-process (same code as dist, faster knobs): timeouts and API errors.
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, openIssue, startHarness } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';
import { issueLabeledPayload } from '../support/webhooks.js';

const PLANNER = resolve('test/fixtures/agents/planner.mjs');
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expect(h.forge.violations).toEqual([]);
  await h.stop();
});

async function tickPlan(number: number, mode: string, over: { agentTimeoutMinutes?: number } = {}) {
  const issue = h.repo.issues.find((i) => i.number === number)!;
  issue.labels.push('loop/plan');
  h.repo.events.push({
    id: h.forge.state.id(),
    issue: number,
    event: 'labeled',
    label: 'loop/plan',
    actor: 'maria',
    createdAt: h.forge.state.now(),
  });
  const payload = issueLabeledPayload({ owner: 'acme', repo: 'widget', number, label: 'loop/plan', sender: 'maria' });
  return tickInProcess(h, {
    eventName: 'issues',
    payload,
    inputs: { lane: 'plan', 'agent-command': `node ${PLANNER} ${h.shared}/log ${mode}` },
    config: over,
  });
}

const labelsOf = (n: number) => [...h.repo.issues.find((i) => i.number === n)!.labels].sort();
const statusOf = (n: number) => h.repo.comments.find((c) => c.issue === n && c.body.includes('<!-- agentloop:status -->'))?.body ?? '';

describe('plan transition failures', () => {
  it('an agent that exceeds agent-timeout-minutes is stopped; NeedSupervisor and a comment say so', async () => {
    const issue = openIssue(h, 'Slow', 'x');
    const report = await tickPlan(issue.number, 'hang', { agentTimeoutMinutes: 0.01 });
    expect(report.result?.outcome).toBe('failed');
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(issue.number)).toMatch(/did not finish within 0.01 minutes/);
    // The status comment is edited in place; one new comment tells the labeler.
    const notices = h.repo.comments.filter((c) => c.issue === issue.number && c.body.includes('<!-- agentloop:escalation'));
    expect(notices.map((c) => c.body.split('\n')[1])).toEqual([
      '@maria agentloop stopped here and needs a human: The agent did not finish within 0.01 minutes (agent-timeout-minutes) and was stopped.',
    ]);
  });

  it('an API error while posting the plan leaves NeedSupervisor, not a claimed item', async () => {
    const issue = openIssue(h, 'Flaky', 'x');
    let failed = 0;
    h.forge.faults.push((req) => {
      if (
        req.method === 'POST' &&
        req.path.endsWith(`/issues/${issue.number}/comments`) &&
        h.repo.comments.some((c) => c.issue === issue.number)
      ) {
        failed++;
        return { status: 502, message: 'Bad Gateway' };
      }
      return undefined;
    });
    await expect(tickPlan(issue.number, 'ok')).rejects.toThrow();
    // A create is never blindly retried: the plan was tried once, then the notice to the labeler (refused too).
    const creates = h.forge.requests
      .filter((q) => q.method === 'POST' && q.path.endsWith(`/issues/${issue.number}/comments`))
      .map((q) => (q.body as { body: string }).body);
    expect(creates.filter((b) => b.includes('<!-- agentloop:plan -->'))).toHaveLength(1);
    expect(creates.filter((b) => b.includes('<!-- agentloop:escalation 1 -->'))).toHaveLength(1);
    expect(failed).toBe(2);
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(issue.number)).toMatch(/agentloop hit an error/);
    expect(statusOf(issue.number)).toMatch(/remove `NeedSupervisor` and apply `loop\/plan` again to let agentloop try again/);
  });
});
