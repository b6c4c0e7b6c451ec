// Someone is told (DESIGN §1.4, §9), in-process on the embedded forge, once per forge: an escalation to
// NeedSupervisor posts one new comment that mentions the supervisors — once per escalation, however often
// the event comes — and a refusal on an item agentloop already talks on is a new comment to the labeler.
import { git } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { parseState } from '../../src/core/status-comment.js';
import { useCodeLane } from '../support/code-lane.js';
import { type Flavor, openIssue } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';

describe.each<Flavor>(['github', 'forgejo'])('supervisors are told on %s', (flavor) => {
  const lane = useCodeLane(flavor);
  const { labelsOf, statusOf, label } = lane;
  const commentsOn = (n: number) => lane.h.repo.comments.filter((c) => c.issue === n);
  const notices = (n: number) => commentsOn(n).filter((c) => c.body.includes('<!-- agentloop:escalation'));
  /** A run woken by the label event itself (the same event may be delivered more than once). */
  const onEvent = (event: { eventName: string; payload: unknown }) =>
    tickInProcess(lane.h, { eventName: event.eventName, payload: event.payload as Record<string, unknown>, inputs: lane.inputs() });
  const failingAgent = () =>
    lane.writeScript({
      fail: { code: { exitCode: 3, stderr: 'model API answered 500 for @someone-else\n', stdout: 'gave up: ask @someone-else' } },
    });

  it('an agent failure → NeedSupervisor and one new comment mentioning the labeler; the same event again says nothing more', async () => {
    failingAgent();
    const issue = openIssue(lane.h, 'add() subtracts', 'add(2, 2) returns 0.');
    const event = await label(issue.number, 'loop/code');

    const first = await onEvent(event);
    expect(first.decision.transition).toMatchObject({ kind: 'code', issue: issue.number });
    expect(first.result?.outcome).toBe('failed');
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    // The status comment (created by the claim) and the notice: a new comment, by agentloop, after it.
    const comments = commentsOn(issue.number);
    expect(comments).toHaveLength(2);
    const [status, notice] = comments;
    expect(status!.body).toContain('<!-- agentloop:status -->');
    expect(notice!.user).toBe(lane.self);
    expect(notice!.body).toMatch(/^@maria agentloop stopped here and needs a human: The agent exited with code 3\./m);
    expect(notice!.body).toMatch(/\*\*What to do:\*\* remove `NeedSupervisor` and apply `loop\/code` again to retry\./);
    expect(notice!.body).toMatch(/\[run log\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/widget\/actions\/runs\/\d+\)/);
    expect(notice!.body).toMatch(/\[status comment\]\(http:\/\/127\.0\.0\.1:\d+\/acme\/widget\/issues\/\d+#issuecomment-\d+\)/);
    // Mentions come from agentloop's own choice only: what the agent printed pings nobody.
    expect(notice!.body).toContain('ask @\u200bsomeone-else');
    expect(notice!.body.match(/@(?=[A-Za-z0-9])/g)).toEqual(['@']);
    expect(statusOf(issue.number)).toMatch(/agentloop asked `@maria` to look, in a new comment below/);
    expect(parseState(statusOf(issue.number)).escalation).toMatchObject({ n: 1, told: ['maria'] });

    // The same event delivered again, and a dispatch: NeedSupervisor holds the item; no second notice.
    expect((await onEvent(event)).decision.transition.kind).toBe('none');
    expect((await lane.tick()).decision.transition.kind).toBe('none');
    expect(notices(issue.number)).toHaveLength(1);

    // A human removes NeedSupervisor and applies the label again; the agent fails again: a new escalation, told again.
    await lane.unlabel(issue.number, 'NeedSupervisor');
    await onEvent(await label(issue.number, 'loop/code'));
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(notices(issue.number)).toHaveLength(2);
    expect(notices(issue.number)[1]!.body).toContain('<!-- agentloop:escalation 2 -->');
    expect(commentsOn(issue.number).filter((c) => c.body.includes('<!-- agentloop:status -->'))).toHaveLength(1);
  });

  it('supervisors: [a, b] in .github/agentloop.yml → both are mentioned, not the labeler', async () => {
    await git.commitFiles(lane.h.repo.gitDir, 'main', { '.github/agentloop.yml': 'supervisors: [lead, "@ops-team"]\n' }, 'supervisors');
    failingAgent();
    const issue = openIssue(lane.h, 'Hard', 'x');
    await label(issue.number, 'loop/code');
    await lane.tick();
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(notices(issue.number)).toHaveLength(1);
    expect(notices(issue.number)[0]!.body).toMatch(/^@lead @ops-team agentloop stopped here/m);
    expect(notices(issue.number)[0]!.body).not.toContain('@maria');
    expect(statusOf(issue.number)).toMatch(/agentloop asked `@lead`, `@ops-team` to look/);
  });

  it('fix attempts exhausted → one notice on the issue, mentioning who applied loop/code (its label long gone)', async () => {
    lane.writeScript({ code: { files: { 'src/add.js': 'broken\n' } } });
    const issue = openIssue(lane.h, 'Red', 'x');
    await label(issue.number, 'loop/code');
    await lane.tick();
    lane.ci(lane.onlyPull().headSha, 'failure');
    const r = await lane.tick({ 'max-fix-attempts': '0' });
    expect(r.decision.transition).toMatchObject({ kind: 'escalate', item: issue.number });
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor', 'loop/code-ci-pending']);
    expect(notices(issue.number)).toHaveLength(1);
    expect(notices(issue.number)[0]!.body).toMatch(
      /^@maria agentloop stopped here and needs a human: CI is still red after 0 fix attempt/m,
    );
    expect(notices(issue.number)[0]!.body).toMatch(/push a fix to the PR branch yourself, then remove `NeedSupervisor`/);
    expect((await lane.tick({ 'max-fix-attempts': '0' })).decision.transition.kind).toBe('none');
    expect(notices(issue.number)).toHaveLength(1);
  });

  // On Forgejo labelling takes write access, so nobody agentloop would refuse can label.
  if (flavor === 'github')
    it('a refusal on an item agentloop already talks on is a new comment to the labeler; the status comment only records it', async () => {
      const issue = openIssue(lane.h, 'add() subtracts', 'x');
      await label(issue.number, 'loop/code');
      await lane.tick();
      const before = statusOf(issue.number);
      const count = commentsOn(issue.number).length;
      await label(issue.number, 'loop/merge', 'tom');
      const r = await lane.tick();
      expect(r.result?.message).toMatch(/refused loop\/merge from @tom/);
      expect(labelsOf(issue.number)).toEqual(['loop/code-ci-pending']);
      const added = commentsOn(issue.number).slice(count);
      expect(added).toHaveLength(1);
      expect(added[0]!.body).toMatch(/^Hi @tom, thanks for the nudge.*write access/ms);
      expect(added[0]!.body).not.toContain('agentloop:escalation'); // no supervisor is pinged for a refusal
      // The status comment's text stays; its state remembers the refusal, so it is said once.
      const strip = (s: string) => s.replace(/<!-- agentloop:state .* -->/, '');
      expect(strip(statusOf(issue.number))).toBe(strip(before));
      expect(parseState(statusOf(issue.number)).refused).toBe('loop/merge@tom');
      await label(issue.number, 'loop/merge', 'tom');
      await lane.tick();
      expect(commentsOn(issue.number).slice(count)).toHaveLength(1);
    });
});
