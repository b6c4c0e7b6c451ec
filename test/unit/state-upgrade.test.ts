// Upgrades: a status comment exactly as the first release writes it (test/fixtures/status-comment-v1.md,
// captured from an in-process code-lane run: issue #1 after one fix attempt, PR #2 waiting for CI) is
// read by this version and the loop continues from it; a state a newer agentloop wrote is left alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/decide/index.js';
import { parseState, readState, replaceState } from '../../src/core/status-comment.js';
import { decideConfig, tick } from '../../src/run/tick.js';
import { loadCodeSnapshot } from '../../src/services/code-snapshot.js';
import { type MemoryForge, memoryForge } from '../support/memory-forge.js';
import { unitContext } from '../support/unit-context.js';

const FIXTURE = readFileSync('test/fixtures/status-comment-v1.md', 'utf8');
const HEAD = '642818c7b0607487ffbf30c4069b60a96ea04d5a';
const SELF = 'github-actions[bot]';

/** The forge as the fixture's run left it: #1 waiting for CI on PR #2, the status comment, maria's label. */
function world(status = FIXTURE): MemoryForge {
  const forge = memoryForge(SELF);
  const issue = { title: 'add() subtracts', body: 'add(2, 2) returns 0.', state: 'open' as const, htmlUrl: '' };
  forge.issues.set(1, {
    ...issue,
    number: 1,
    isPull: false,
    labels: ['loop/code-ci-pending'],
    author: { login: 'maria', type: 'User' },
    createdAt: '2026-11-30T14:36:37Z',
  });
  forge.issues.set(2, {
    ...issue,
    body: 'Closes #1',
    number: 2,
    isPull: true,
    labels: [],
    author: { login: SELF, type: 'Bot' },
    createdAt: '2026-11-30T14:36:38Z',
  });
  forge.pulls.set(2, {
    number: 2,
    title: issue.title,
    body: 'Closes #1',
    state: 'open',
    merged: false,
    draft: false,
    labels: [],
    author: { login: SELF, type: 'Bot' },
    headRef: 'agentloop/issue-1',
    headSha: HEAD,
    headRepoFullName: 'acme/widget',
    baseRef: 'main',
    mergeable: true,
    mergeableState: 'clean',
    createdAt: '2026-11-30T14:36:38Z',
    updatedAt: '2026-11-30T14:36:39Z',
    htmlUrl: 'https://forge/acme/widget/pull/2',
  });
  forge.comments.push({
    id: 1008,
    issue: 1,
    body: status,
    author: { login: SELF, type: 'Bot' },
    createdAt: '2026-11-30T14:36:37Z',
    updatedAt: '2026-11-30T14:36:39Z',
    htmlUrl: 'https://forge/acme/widget/issues/1#issuecomment-1008',
  });
  forge.events.set(1, [
    { action: 'labeled', label: 'loop/code', actor: { login: 'maria', type: 'User' }, createdAt: '2026-11-30T14:36:37Z' },
  ]);
  forge.permissions.set('maria', 'write');
  return forge;
}

const ci = (forge: MemoryForge, conclusion: 'success' | 'failure') =>
  forge.checks.set(HEAD, [{ name: 'CI / test', conclusion, source: 'check-run', url: 'https://forge/checks/1' }]);

let runs = 900;
function run(forge: MemoryForge, inputs: Record<string, string> = {}) {
  const runId = String(runs++);
  const rc = unitContext({
    forge,
    inputs: { lane: 'code', ...inputs },
    env: { runId, runUrl: `https://forge/acme/widget/actions/runs/${runId}` },
    now: () => new Date('2026-12-01T12:00:00Z'),
  });
  return { rc, report: () => tick(rc, { kind: 'dispatch', lane: 'code', chain: 0 }) };
}

const statusBody = (forge: MemoryForge) => forge.comments.find((c) => c.id === 1008)!.body;
const notices = (forge: MemoryForge) => forge.comments.filter((c) => c.body.includes('agentloop:escalation'));

describe('a status comment as the first release writes it', () => {
  it('reads as version 1, field by field, and this version writes it back byte for byte', () => {
    const read = readState(FIXTURE);
    expect(read).toMatchObject({ kind: 'read', from: 1 });
    const state = parseState(FIXTURE);
    expect(state).toMatchObject({ v: 1, attempt: 0, fixAttempts: 1, pull: 2, headSha: HEAD, pushedAt: '2026-11-30T14:36:39.024Z' });
    expect(state.approved).toMatchObject({ label: 'loop/code', by: 'maria', at: '2026-11-30T14:36:37Z' });
    expect(state.history.map((h) => h.transition)).toEqual(['code', 'fix-ci']);
    expect(state.owner).toBeUndefined();
    expect(state.escalation).toBeUndefined();
    // Same format: recording the state read changes nothing in the comment.
    expect(replaceState(FIXTURE, state)).toBe(FIXTURE);
  });

  it('CI green on its head: ci-green continues the loop, and the state carries on', async () => {
    const forge = world();
    ci(forge, 'success');
    const { report } = run(forge);
    const r = await report();
    expect(r.decision.transition).toMatchObject({ kind: 'ci-green', issue: 1, pull: 2, headSha: HEAD });
    expect(forge.issues.get(1)!.labels).toEqual(['loop/code-done']);
    const after = parseState(statusBody(forge));
    expect(after).toMatchObject({ v: 1, fixAttempts: 1, pull: 2, headSha: HEAD, approved: parseState(FIXTURE).approved });
    expect(after.history).toEqual(parseState(FIXTURE).history);
    expect(statusBody(forge)).toMatch(/PR #2 is green on 642818c/);
  });

  it('CI red again: the second fix attempt is decided (the attempts on record count)', async () => {
    const forge = world();
    ci(forge, 'failure');
    const { rc } = run(forge);
    const cs = await loadCodeSnapshot(rc, { kind: 'dispatch', lane: 'code', chain: 0 });
    const decision = decide(cs.snapshot, { kind: 'dispatch', lane: 'code', chain: 0 }, decideConfig(rc));
    expect(decision.transition).toMatchObject({ kind: 'fix-ci', issue: 1, pull: 2, attempt: 2, failing: ['CI / test'] });
  });

  it('CI red with no attempts left: NeedSupervisor and one notice mentioning @maria; run again, nothing more is said', async () => {
    const forge = world();
    ci(forge, 'failure');
    const first = await run(forge, { 'max-fix-attempts': '1' }).report();
    expect(first.decision.transition).toMatchObject({ kind: 'escalate', item: 1 });
    expect(forge.issues.get(1)!.labels.sort()).toEqual(['NeedSupervisor', 'loop/code-ci-pending']);
    expect(notices(forge)).toHaveLength(1);
    const notice = notices(forge)[0]!;
    expect(notice.issue).toBe(1);
    // maria applied loop/code: the label is gone, the approval on record names her.
    expect(notice.body).toMatch(/^@maria agentloop stopped here and needs a human: CI is still red after 1 fix attempt/m);
    expect(notice.body).toMatch(/\*\*What to do:\*\* push a fix to the PR branch yourself, then remove `NeedSupervisor`\./);
    expect(notice.body).toContain('[status comment](https://forge/acme/widget/issues/1#issuecomment-1008)');
    expect(notice.body).toContain('[run log](https://forge/acme/widget/actions/runs/');
    const state = parseState(statusBody(forge));
    expect(state.escalation).toMatchObject({ n: 1, told: ['maria'] });
    expect(state.approved).toEqual(parseState(FIXTURE).approved);
    expect(statusBody(forge)).toMatch(/agentloop asked `@maria` to look/);

    // The same event again, or any later run: NeedSupervisor holds the item; nothing is said twice.
    const again = await run(forge, { 'max-fix-attempts': '1' }).report();
    expect(again.decision.transition.kind).toBe('none');
    expect(notices(forge)).toHaveLength(1);

    // A human removes NeedSupervisor without a fix: a new, separate escalation is announced again.
    forge.issues.get(1)!.labels = ['loop/code-ci-pending'];
    const later = await run(forge, { 'max-fix-attempts': '1' }).report();
    expect(later.decision.transition).toMatchObject({ kind: 'escalate' });
    expect(notices(forge)).toHaveLength(2);
    expect(notices(forge)[1]!.body).toContain('<!-- agentloop:escalation 2 -->');
    expect(parseState(statusBody(forge)).escalation).toMatchObject({ n: 2 });
  });

  it('supervisors in the configuration are mentioned instead of the labeler', async () => {
    const forge = world();
    ci(forge, 'failure');
    await run(forge, { 'max-fix-attempts': '1', supervisors: '@lead, ops-team' }).report();
    expect(notices(forge)).toHaveLength(1);
    expect(notices(forge)[0]!.body).toMatch(/^@lead @ops-team agentloop stopped here/m);
    expect(notices(forge)[0]!.body).not.toContain('@maria');
  });
});

describe('a state written by a newer agentloop', () => {
  it('is left alone: no decision on the item, nothing written, and the run says why', async () => {
    const forge = world(FIXTURE.replace('{"v":1,', '{"v":2,'));
    ci(forge, 'success');
    const r = await run(forge).report();
    expect(r.decision.transition.kind).toBe('none');
    expect(r.decision.notes.join('\n')).toMatch(
      /PR #2: its status comment was written by a newer agentloop \(state version 2\); left alone/,
    );
    expect(forge.writes).toEqual([]);
    expect(statusBody(forge)).toBe(FIXTURE.replace('{"v":1,', '{"v":2,'));
  });

  it('a state without a version (before it was recorded) reads with defaults', () => {
    const old = FIXTURE.replace('{"v":1,"attempt":0,', '{');
    expect(readState(old)).toMatchObject({ kind: 'read', from: 0 });
    expect(parseState(old)).toMatchObject({ v: 1, attempt: 0, fixAttempts: 1, pull: 2 });
  });
});

describe('one notice per escalation, even when the run fails half way', () => {
  it('a merge that fails (502), then a status write that fails: NeedSupervisor, one notice, and the error', async () => {
    const forge = world();
    ci(forge, 'success');
    forge.issues.get(1)!.labels = ['loop/code-done', 'loop/merge'];
    forge.events
      .get(1)!
      .push({ action: 'labeled', label: 'loop/merge', actor: { login: 'maria', type: 'User' }, createdAt: '2026-12-01T11:00:00Z' });
    forge.mergePull = async () => ({ merged: false, status: 502, message: 'Bad Gateway' });
    // The claim's status write goes through; every later one fails (the escalation's, then the error path's).
    const update = forge.updateComment;
    let updates = 0;
    forge.updateComment = async (id, body) => {
      if (++updates > 1) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
      return update(id, body);
    };
    await expect(run(forge).report()).rejects.toThrow(/Bad Gateway/);
    expect(forge.issues.get(1)!.labels).toContain('NeedSupervisor');
    expect(notices(forge)).toHaveLength(1);
    expect(notices(forge)[0]!.body).toMatch(
      /^@maria agentloop stopped here and needs a human: The merge call failed with HTTP 502 and PR #2 is not merged\./m,
    );
    expect(notices(forge)[0]!.body).toMatch(
      /\*\*What to do:\*\* check PR #2 and merge it yourself, or remove `NeedSupervisor` to let agentloop try again\./,
    );
    expect(updates).toBe(3); // the claim, the escalation, the error path: each tried once
  });
});

describe('the sweep escalates a run that keeps dying', () => {
  it('after the requeue limit: NeedSupervisor, and one notice saying to apply loop/code again (no PR yet)', async () => {
    const forge = memoryForge(SELF);
    const approved = { label: 'loop/code', at: '2026-12-01T09:00:00Z', by: 'maria', text: 'x' };
    const state = {
      v: 1,
      attempt: 2,
      fixAttempts: 0,
      history: [],
      approved,
      owner: { runId: '41', lane: 'code', since: '2026-12-01T09:00:00Z' },
    };
    forge.issues.set(5, {
      number: 5,
      title: 'Flaky',
      body: '',
      state: 'open',
      isPull: false,
      labels: ['loop/code-in-process'],
      author: { login: 'maria', type: 'User' },
      createdAt: '2026-12-01T09:00:00Z',
      htmlUrl: '',
    });
    forge.comments.push({
      id: 1,
      issue: 5,
      body: `<!-- agentloop:status -->\ncoding\n\n<!-- agentloop:state ${JSON.stringify(state)} -->`,
      author: { login: SELF, type: 'Bot' },
      createdAt: '2026-12-01T09:00:00Z',
      updatedAt: '2026-12-01T09:00:00Z',
      htmlUrl: 'https://forge/acme/widget/issues/5#issuecomment-1',
    });
    const rc = unitContext({ forge, inputs: { lane: 'sweep' }, env: { runId: '77' }, now: () => new Date('2026-12-01T12:00:00Z') });
    const r = await tick(rc, { kind: 'schedule' });
    expect(r.decision.transition.kind === 'sweep' && r.decision.transition.repairs[0]).toMatchObject({ kind: 'escalate', item: 5 });
    expect(forge.issues.get(5)!.labels).toEqual(['NeedSupervisor']);
    expect(notices(forge).map((c) => c.body.split('\n').slice(1).join('\n'))).toEqual([
      [
        '@maria agentloop stopped here and needs a human: Runs working on this keep stopping without finishing (run 41 that owned it is no longer running; already requeued 2 time(s)).',
        '',
        '**What to do:** look at the run logs, then remove `NeedSupervisor` and apply `loop/code` again to try again. Details: [status comment](https://forge/acme/widget/issues/5#issuecomment-1).',
      ].join('\n'),
    ]);
    // The next sweep: NeedSupervisor holds it; nothing is said again.
    await tick(unitContext({ forge, inputs: { lane: 'sweep' }, env: { runId: '78' } }), { kind: 'schedule' });
    expect(notices(forge)).toHaveLength(1);
  });
});
