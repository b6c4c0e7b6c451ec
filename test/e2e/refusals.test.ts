// Refusals cost once, and every run works within its request budget (operations-per-run), in-process on
// the embedded forge: a triage user who applies loop/code to many issues gets one refusal comment per
// issue and the label taken off, and no later run pays to read those issues again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tick } from '../../src/run/tick.js';
import { type Harness, openIssue, startHarness } from '../support/harness.js';
import { inProcessContext, tickInProcess } from '../support/inprocess.js';
import { issueLabeledPayload } from '../support/webhooks.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expect(h.forge.violations, 'requests GitHub would reject').toEqual([]);
  await h.stop();
});

const issueOf = (n: number) => h.repo.issues.find((i) => i.number === n)!;
const commentsOn = (n: number) => h.repo.comments.filter((c) => c.issue === n);

function labelIssue(n: number, label: string, by: string) {
  issueOf(n).labels.push(label);
  h.repo.events.push({ id: h.forge.state.id(), issue: n, event: 'labeled', label, actor: by, createdAt: h.forge.state.now() });
}

/** One code-lane run, as a dispatch would start it; returns its report and the requests it sent. */
async function codeRun(inputs: Record<string, string> = {}) {
  const rc = await inProcessContext(h, { inputs: { lane: 'code', 'agent-command': 'node -e 0', ...inputs } });
  const report = await tick(rc, { kind: 'dispatch', lane: 'code', chain: 0 });
  return { report, requests: rc.forge.stats().requests, budget: rc.budget };
}

describe('refusals cost once; runs stay within operations-per-run', () => {
  it('a triage user labels 30 issues loop/code: each is refused once, its label removed, every run bounded', async () => {
    const COUNT = 30;
    const BUDGET = 60;
    const numbers: number[] = [];
    for (let i = 1; i <= COUNT; i++) {
      const issue = openIssue(h, `Issue ${i}`, 'Please do it.', 'tom');
      labelIssue(issue.number, 'loop/code', 'tom');
      numbers.push(issue.number);
    }

    const perRun: number[] = [];
    for (let run = 0; run < 15 && numbers.some((n) => issueOf(n).labels.includes('loop/code')); run++) {
      const { requests, report } = await codeRun({ 'operations-per-run': String(BUDGET) });
      perRun.push(requests);
      expect(report.decision.transition.kind).toBe('none');
    }
    // Every run stopped at its budget (one item's reads and its refusal may run past it).
    expect(Math.max(...perRun), `requests per run: ${perRun.join(', ')}`).toBeLessThanOrEqual(BUDGET + 6);
    for (const n of numbers) {
      expect(issueOf(n).labels, `#${n}`).not.toContain('loop/code');
      const comments = commentsOn(n);
      expect(comments, `#${n}`).toHaveLength(1);
      expect(comments[0]!.body).toMatch(/@tom/);
    }
    // Each issue cost a bounded number of requests, once: about its reads and its refusal.
    const total = perRun.reduce((a, b) => a + b, 0);
    expect(total, `requests per run: ${perRun.join(', ')}`).toBeLessThanOrEqual(COUNT * 6 + perRun.length * 12);

    // Refused issues are not read again: an idle run costs its lists only.
    const idle = await codeRun();
    expect(idle.requests).toBeLessThanOrEqual(10);
    expect(idle.report.decision.transition).toMatchObject({ kind: 'none' });

    // A writer applying the label again starts work normally (dry run: the decision, nothing written).
    labelIssue(numbers[0]!, 'loop/code', 'maria');
    const again = await codeRun({ 'dry-run': 'true' });
    expect(again.report.decision.transition).toMatchObject({ kind: 'code', issue: numbers[0], requester: 'maria' });
  });

  it('a run whose budget is spent stops before claiming, says so, and leaves labels as they were', async () => {
    const issue = openIssue(h, 'Do it', 'Please.');
    labelIssue(issue.number, 'loop/code', 'maria');
    // 50 is the smallest budget allowed; spend it before the run decides.
    const rc = await inProcessContext(h, { inputs: { lane: 'code', 'agent-command': 'node -e 0', 'operations-per-run': '50' } });
    for (let i = 0; i < 50; i++) await rc.forge.getRepo();
    const report = await tick(rc, { kind: 'dispatch', lane: 'code', chain: 0 });
    expect(report.budget).toMatch(/operations-per-run/);
    expect(report.result).toBeUndefined();
    expect(issueOf(issue.number).labels).toEqual(['loop/code']);
    expect(commentsOn(issue.number)).toEqual([]);
  });
});

describe('a plan run cannot be widened by agent-args', () => {
  it('agent-args that widen the read-only run stop it before anything is written', async () => {
    const issue = openIssue(h, 'Plan it', 'Please.');
    labelIssue(issue.number, 'loop/plan', 'maria');
    const payload = issueLabeledPayload({ owner: 'acme', repo: 'widget', number: issue.number, label: 'loop/plan', sender: 'maria' });
    const run = tickInProcess(h, {
      eventName: 'issues',
      payload,
      inputs: { lane: 'plan', agent: 'claude', 'agent-args': '--verbose --tools Bash' },
    });
    await expect(run).rejects.toThrow(/'agent-args' = "--verbose --tools Bash" would widen claude's read-only plan run \(--tools\)/);
    expect(commentsOn(issue.number)).toEqual([]);
    expect(issueOf(issue.number).labels).toEqual(['loop/plan']);
  });
});
