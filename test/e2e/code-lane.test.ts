// The code lane's transitions in-process on the embedded forge (real git, real pushes, scripted agent),
// once per forge: code → PR → red CI → fix → green → merge, and each refusal and failure path before the
// merge. Merging, conflicts and branch updates are in code-lane-merge.test.ts; the setup is shared
// (test/support/code-lane.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '@agentloop/embedded-forge';
import { describe, expect, it } from 'vitest';
import { NO_LOGS } from '../../src/transitions/ci-logs.js';
import { AGENT, FIXED, useCodeLane } from '../support/code-lane.js';
import { type Flavor, openIssue } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';

describe.each<Flavor>(['github', 'forgejo'])('code lane on %s', (flavor) => {
  const lane = useCodeLane(flavor);
  const { tick, labelsOf, statusOf, issueOf, label, onlyPull } = lane;

  it('issue → PR → red CI → fix → green → merged, with the labels and comments a maintainer sees', async () => {
    const { h } = lane;
    const issue = openIssue(h, 'add() subtracts', 'add(2, 2) returns 0.');
    await label(issue.number, 'loop/code');

    const coded = await tick();
    expect(coded.decision.transition).toMatchObject({ kind: 'code', issue: issue.number });
    expect(coded.result?.outcome).toBe('done');
    expect(labelsOf(issue.number)).toEqual(['loop/code-ci-pending']);
    const pull = onlyPull();
    const firstHead = pull.headSha;
    expect(pull.head).toBe(`agentloop/issue-${issue.number}`);
    expect(pull.draft).toBe(false);
    const prIssue = issueOf(pull.number);
    expect(prIssue.user).toBe(lane.self);
    expect(prIssue.title).not.toMatch(/^WIP:/);
    expect(prIssue.body).toMatch(new RegExp(`^Closes #${issue.number}`));
    expect(prIssue.body).toContain('Make add() add.');
    const commit = await git.commitInfo(h.repo.gitDir, pull.headSha);
    expect(commit?.authorName).toBe('agentloop');
    expect(commit?.message).toContain('Co-authored-by: maria');
    expect(await git.readFile(h.repo.gitDir, pull.headSha, 'src/add.js')).toContain('a + b + 0');
    expect(coded.chain?.dispatched).toBe(false); // not in a workflow: nothing to dispatch

    // CI is red on the head: the agent gets what the forge tells of the failure and pushes a fix.
    const log = 'AssertionError: expected add(2, 2) to be 4, got 4.000001\n';
    const failing = lane.ci(firstHead, 'failure', { log });
    const fixed = await tick();
    expect(fixed.decision.transition).toMatchObject({ kind: 'fix-ci', attempt: 1, failing: [failing] });
    expect(fixed.result?.outcome).toBe('done');
    const fixPrompt = lane.agentLog().find((r) => r.transition === 'fix-ci')!.prompt;
    if (flavor === 'github') {
      expect(fixPrompt).toContain(log.trim());
      expect(fixPrompt).not.toContain(NO_LOGS);
    } else {
      // Forgejo serves no jobs or logs: the prompt names the failing status and its page, and says so.
      const status = h.repo.statuses.find((s) => s.sha === firstHead)!;
      expect(failing).toBe('CI / test (pull_request)');
      expect(fixPrompt).toContain(`- ${failing} (${status.targetUrl})`);
      expect(fixPrompt).toContain(NO_LOGS);
      expect(fixPrompt).not.toContain('AssertionError');
    }
    const newHead = (await lane.headOf(pull.head))!;
    expect(newHead).not.toBe(firstHead);
    expect(await git.readFile(h.repo.gitDir, newHead, 'src/add.js')).toBe(FIXED);
    expect(labelsOf(issue.number)).toEqual(['loop/code-ci-pending']);
    expect(statusOf(issue.number)).toMatch(/fix attempt 1 of 2/);

    // Nothing to do while CI runs on the new head.
    expect((await tick()).decision.transition.kind).toBe('none');

    lane.ci(newHead, 'success');
    const green = await tick({ 'auto-merge': 'true' });
    expect(green.decision.transition).toMatchObject({ kind: 'ci-green', addMerge: true });
    expect(labelsOf(issue.number)).toEqual(['loop/code-done', 'loop/merge']);

    const merged = await tick({ 'auto-merge': 'true' });
    expect(merged.decision.transition).toMatchObject({ kind: 'merge', headSha: newHead });
    expect(merged.result?.outcome).toBe('done');
    expect(h.repo.pulls.get(pull.number)!.merged).toBe(true);
    expect(h.repo.pulls.get(pull.number)!.mergedBy).toBe(lane.self);
    // Pinned to the head the decision saw, in each forge's words.
    expect(lane.merges().map((q) => q.body)).toEqual([
      flavor === 'github' ? { sha: newHead, merge_method: 'squash' } : { Do: 'squash', head_commit_id: newHead },
    ]);
    expect(issueOf(issue.number).state).toBe('closed');
    expect(labelsOf(issue.number)).toEqual(['loop/merge-done']);
    expect(await lane.headOf(pull.head)).toBeNull();
    const deletes = h.forge.requests.filter((q) => q.method === 'DELETE' && decodeURIComponent(q.path).endsWith(`/${pull.head}`));
    expect(deletes.map((q) => [decodeURIComponent(q.path), q.status])).toEqual([
      [flavor === 'github' ? `/repos/acme/widget/git/refs/heads/${pull.head}` : `/repos/acme/widget/branches/${pull.head}`, 204],
    ]);
    expect(await git.readFile(h.repo.gitDir, 'main', 'src/add.js')).toBe(FIXED);
    expect(statusOf(issue.number)).toMatch(/- \[x\] Merged/);
    // Every comment is agentloop's, by its own login (no one else commented here).
    expect(new Set(h.repo.comments.map((c) => c.user))).toEqual(new Set([lane.self]));
    expect(lane.agentRuns()).toBe(2);
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('a diff touching a protected path is refused and nothing is pushed', async () => {
    lane.writeScript({ code: { files: { '.github/workflows/ci.yml': 'on: push\n', 'src/add.js': FIXED }, summary: 'x' } });
    const issue = openIssue(lane.h, 'Sneaky', 'x');
    await label(issue.number, 'loop/code');
    const r = await tick();
    expect(r.result?.outcome).toBe('failed');
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(issue.number)).toMatch(/protected paths.*\.github\/workflows\/ci\.yml/);
    expect(await lane.headOf(`agentloop/issue-${issue.number}`)).toBeNull();
    expect(lane.h.repo.pulls.size).toBe(0);
  });

  it('an empty diff → NeedSupervisor with the agent’s last message; a diff over max-diff-lines is refused', async () => {
    lane.writeScript({ code: { files: {}, summary: 'I could not find the bug.' } });
    const a = openIssue(lane.h, 'Vague', 'x');
    await label(a.number, 'loop/code');
    await tick();
    expect(labelsOf(a.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(a.number)).toMatch(/changed no file[\s\S]*I could not find the bug/);

    lane.writeScript({ code: { files: { 'big.txt': 'x\n'.repeat(50) }, summary: 'big' } });
    const b = openIssue(lane.h, 'Big', 'x');
    await label(b.number, 'loop/code');
    await tick({ 'max-diff-lines': '10' });
    expect(labelsOf(b.number)).toEqual(['NeedSupervisor']);
    expect(statusOf(b.number)).toMatch(/50 changed lines, more than max-diff-lines \(10\)/);
    expect(lane.h.repo.pulls.size).toBe(0);
  });

  it('red CI never fixed → NeedSupervisor after max-fix-attempts, with a summary of each attempt', async () => {
    lane.writeScript({
      code: { files: { 'src/add.js': 'broken 1\n' } },
      'fix-ci': [
        { files: { 'src/add.js': 'broken 2\n' }, summary: 'try two' },
        { files: { 'src/add.js': 'broken 3\n' }, summary: 'try three' },
      ],
    });
    const issue = openIssue(lane.h, 'Hard', 'x');
    await label(issue.number, 'loop/code');
    await tick();
    for (let i = 0; i < 2; i++) {
      lane.ci(onlyPull().headSha, 'failure');
      expect((await tick()).decision.transition).toMatchObject({ kind: 'fix-ci', attempt: i + 1 });
      await lane.h.forge.refreshPullHeads(lane.h.repo); // the fix's push, settled
    }
    lane.ci(onlyPull().headSha, 'failure');
    const last = await tick();
    expect(last.decision.transition, JSON.stringify(last.decision.notes)).toMatchObject({ kind: 'escalate' });
    expect(labelsOf(issue.number)).toEqual(['NeedSupervisor', 'loop/code-ci-pending']);
    expect(statusOf(issue.number)).toMatch(/fix attempt 1 .*try two/);
    expect(statusOf(issue.number)).toMatch(/fix attempt 2 .*try three/);
    expect((await tick()).decision.transition.kind).toBe('none');
  });

  it('two issues labeled together → two PRs, one after the other (max-open-prs 1)', async () => {
    const a = openIssue(lane.h, 'First', 'x');
    const b = openIssue(lane.h, 'Second', 'y');
    await label(a.number, 'loop/code');
    await label(b.number, 'loop/code');
    lane.writeScript({ code: { files: { 'a.txt': 'a\n' }, summary: 'a' } });
    expect((await tick()).decision.transition).toMatchObject({ kind: 'code', issue: a.number });
    const waiting = await tick();
    expect(waiting.decision.transition.kind).toBe('none');
    expect(waiting.decision.notes.join()).toMatch(/max-open-prs/);
    lane.ci(onlyPull().headSha, 'success');
    await label(a.number, 'loop/merge');
    await tick(); // merge a
    lane.writeScript({ code: { files: { 'b.txt': 'b\n' }, summary: 'b' } });
    expect((await tick()).decision.transition).toMatchObject({ kind: 'code', issue: b.number });
    expect([...lane.h.repo.pulls.values()].map((p) => p.head)).toEqual([`agentloop/issue-${a.number}`, `agentloop/issue-${b.number}`]);
  });

  it('no CI on the PR head after ci-timeout-minutes → one comment saying what to check on this forge, then quiet', async () => {
    const { h } = lane;
    const issue = openIssue(h, 'Quiet CI', 'x');
    await label(issue.number, 'loop/code');
    await tick();
    const pull = onlyPull();
    const late = () => tickInProcess(h, { inputs: lane.inputs(), config: { ciTimeoutMinutes: 0 } });
    const r = await late();
    expect(r.decision.transition).toMatchObject({ kind: 'ci-missing', pull: pull.number });
    const explained = () => h.repo.comments.filter((c) => c.issue === pull.number && /No CI has reported/.test(c.body));
    expect(explained()).toHaveLength(1);
    expect(explained()[0]!.user).toBe(lane.self);
    const text = explained()[0]!.body;
    if (flavor === 'github') {
      // GitHub: writes made with the workflow token start no workflow runs.
      expect(text).toMatch(/start no workflow runs/);
      expect(text).toMatch(/AGENTLOOP_TOKEN/);
    } else {
      // Forgejo: agentloop writes with the bot user's token, whose pushes do start runs; the advice is Forgejo's.
      expect(text).not.toMatch(/GitHub App|fine-grained PAT|start no workflow runs/);
      expect(text).toMatch(/runner/);
      expect(text).toMatch(/runs-on/);
    }
    expect(text).toMatch(/push an empty commit/);
    expect((await late()).decision.transition.kind).toBe('none');
    expect(explained()).toHaveLength(1);
  });

  it('dry-run: the code lane decides and stops where the agent would run; nothing is written or pushed', async () => {
    const issue = openIssue(lane.h, 'Dry', 'x');
    await label(issue.number, 'loop/code');
    const from = lane.h.forge.requests.length;
    const r = await tick({ 'dry-run': 'true' });
    expect(r.decision.transition.kind).toBe('code');
    expect(r.result?.outcome).toBe('skipped');
    expect(lane.h.forge.requests.slice(from).filter((q) => q.method !== 'GET')).toEqual([]);
    expect(labelsOf(issue.number)).toEqual(['loop/code']);
    expect(lane.agentRuns()).toBe(0);
    expect(await lane.headOf(`agentloop/issue-${issue.number}`)).toBeNull();
  });

  it('routing: an issue labeled security goes to the routed agent with the prompt appendix', async () => {
    const { h } = lane;
    const routed = join(h.shared, 'routed.json');
    writeFileSync(routed, JSON.stringify({ code: { files: { 'SECURITY.md': 'fixed\n' }, summary: 'routed' } }));
    await git.commitFiles(
      h.repo.gitDir,
      'main',
      {
        '.github/agentloop.yml': `routes:\n  - labels: [security]\n    agent-command: node ${AGENT} ${routed}\n    appendix: "Treat this as a security fix: add a regression test."\n`,
      },
      'route security issues',
    );
    const issue = openIssue(h, 'XSS in the form', 'x');
    await label(issue.number, 'security');
    await label(issue.number, 'loop/code');
    const r = await tick();
    expect(r.result?.outcome).toBe('done');
    expect(lane.agentRuns()).toBe(0); // the default agent did not run
    const runs = lane.agentLog(routed);
    expect(runs.map((l) => l.transition)).toEqual(['code']);
    expect(runs[0]!.prompt).toContain('Treat this as a security fix: add a regression test.');
  });
});
