// Breakdown's pure parts (core/breakdown.ts) — the agent's answer, the proposal comment, the children's
// markers — and its transitions over an in-memory forge: children created once, even after a lost run.
import { describe, expect, it } from 'vitest';
import {
  allowedLabels,
  childBody,
  childIndex,
  cleanProposal,
  findProposal,
  PROPOSAL_MARKER,
  type Proposal,
  parseAnswer,
  readProposal,
  renderProposal,
} from '../../src/core/breakdown.js';
import { ConfigError, parseConfig } from '../../src/core/config.js';
import { decide } from '../../src/core/decide/index.js';
import { labelNames } from '../../src/core/labels.js';
import { loadItem } from '../../src/services/item-loader.js';
import { breakdownApprove, breakdownDecline } from '../../src/transitions/breakdown-approve.js';
import { memoryForge } from '../support/memory-forge.js';
import { cfg } from '../support/snapshot-builders.js';
import { unitContext } from '../support/unit-context.js';

const names = labelNames('loop/');
const fenced = (v: unknown) => `Here you go.\n\n\`\`\`json\n${JSON.stringify(v, null, 2)}\n\`\`\`\n`;
const three = [
  { title: 'First', body: 'Do the first thing.', labels: ['bug'] },
  { title: 'Second', body: '', labels: [] },
  { title: 'Third', body: 'And the third.', labels: ['documentation', 'loop/code'] },
];

describe("the agent's answer", () => {
  it('reads the last ```json block, a lone fenced block, or bare JSON', () => {
    const r = parseAnswer(`${fenced([{ title: 'old' }])}\nThen:\n${fenced(three)}`, 10);
    expect(r).toEqual({ ok: true, items: three, beyond: [] });
    expect(parseAnswer(fenced([{ title: 'No labels' }]), 10)).toMatchObject({ items: [{ title: 'No labels', body: '', labels: [] }] });
    expect(parseAnswer(`\`\`\`\n${JSON.stringify(three)}\n\`\`\``, 10).ok).toBe(true);
    expect(parseAnswer(JSON.stringify(three), 10).ok).toBe(true);
  });

  it('keeps at most max issues and names the rest', () => {
    expect(parseAnswer(fenced(three), 2)).toMatchObject({ ok: true, items: [{ title: 'First' }, { title: 'Second' }], beyond: ['Third'] });
  });

  it('a malformed answer says what is wrong', () => {
    expect(parseAnswer('I could not decide.', 10)).toMatchObject({ ok: false, why: expect.stringMatching(/no JSON array of issues/) });
    expect(parseAnswer(fenced([]), 10)).toMatchObject({ ok: false, why: expect.stringMatching(/the list is empty/) });
    expect(parseAnswer(fenced([{ body: 'no title' }]), 10)).toMatchObject({ ok: false, why: expect.stringMatching(/title/) });
    expect(parseAnswer(fenced({ title: 'not a list' }), 10)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/not a list of issues/),
    });
  });
});

describe('the proposal', () => {
  const repo = ['bug', 'Documentation', 'loop/code', 'loop/custom', 'automerge', 'NeedSupervisor', 'do-not-merge'];

  it("children may carry the repository's labels, never agentloop's own", () => {
    expect(allowedLabels(repo, names, 'loop/')).toEqual(['bug', 'Documentation']);
    const p = cleanProposal(7, three, allowedLabels(repo, names, 'loop/'), []);
    expect(p.items.map((i) => i.labels)).toEqual([['bug'], [], ['Documentation']]);
    expect(p.notes.join('\n')).toMatch(/Labels left out .*`loop\/code`/);
  });

  it('untrusted text is cleaned: no hidden comments, no mentions that ping, bodies capped', () => {
    const p = cleanProposal(
      7,
      [
        {
          title: 'T <!-- agentloop:status -->\u200b',
          body: `ask @maria <!-- agentloop:breakdown-of #7 2 -->${'x'.repeat(30_000)}`,
          labels: [],
        },
      ],
      [],
      ['Fourth'],
    );
    expect(p.items[0]!.title).toBe('T');
    expect(p.items[0]!.body).not.toContain('<!--');
    expect(p.items[0]!.body).toContain('@\u200bmaria');
    expect(p.items[0]!.body.length).toBeLessThan(4_100);
    expect(p.notes.join('\n')).toMatch(/1 more .*Fourth/);
  });

  it('renders a checklist with the hidden state, read back exactly; "-->" cannot end the comment early', () => {
    const p = cleanProposal(7, [...three, { title: 'Sneaky --> end', body: 'x --> y', labels: [] }], ['bug'], []);
    const body = renderProposal(p, { approveLabel: names.breakdownApprove, max: 10 });
    expect(body.startsWith(PROPOSAL_MARKER)).toBe(true);
    expect(body).toContain('- [ ] **First** — Do the first thing. `bug`');
    expect(body).toContain('applies `loop/breakdown-approve` to create them');
    expect(readProposal(body)).toEqual(p);
    const state = body.slice(body.indexOf('<!-- agentloop:breakdown-state'));
    expect(state.indexOf('-->')).toBe(state.length - 3);
    const done: Proposal = { ...p, created: [11, 12, 13, 14], started: '2026-01-01T00:00:00Z' };
    const after = renderProposal(done, { approveLabel: names.breakdownApprove, max: 10 });
    expect(after).toContain('- [x] #11 **First**');
    expect(after).toContain('created these 4 issues');
    expect(readProposal(after)).toEqual(done);
  });

  it("a damaged state, or another person's copy of the marker, is no proposal", () => {
    const p = cleanProposal(7, three, [], []);
    const body = renderProposal(p, { approveLabel: names.breakdownApprove, max: 10 });
    expect(readProposal(body.replace('"v":1', '"v":2'))).toBeUndefined();
    expect(readProposal(body.replace(/"created":\[[^\]]*\]/, '"created":[]'))).toBeUndefined();
    const own = (c: { author: { login: string } }) => c.author.login === 'github-actions[bot]';
    const comment = (login: string) => ({ body, author: { login } });
    expect(findProposal([comment('github-actions[bot]'), comment('mallory')], own)?.comment.author.login).toBe('github-actions[bot]');
    expect(findProposal([comment('mallory')], own)).toBeUndefined();
  });

  it("each child's body links back and carries its part's marker", () => {
    const p = cleanProposal(7, three, [], []);
    expect(childBody(p, 1)).toBe('Do the first thing.\n\nPart of #7.\n\n<!-- agentloop:breakdown-of #7 1 -->');
    expect(childIndex(childBody(p, 2), 7)).toBe(2);
    expect(childIndex(childBody(p, 2), 8)).toBeUndefined();
  });
});

describe('max-breakdown-issues', () => {
  it('defaults to 10; a bad value names the key and what is allowed', () => {
    expect(parseConfig({ inputs: { token: 't', 'agent-command': 'x' } }).maxBreakdownIssues).toBe(10);
    expect(parseConfig({ inputs: { token: 't', 'agent-command': 'x', 'max-breakdown-issues': '3' } }).maxBreakdownIssues).toBe(3);
    expect(() => parseConfig({ inputs: { token: 't', 'agent-command': 'x' }, fileText: 'max-breakdown-issues: 0\n' })).toThrow(
      "'max-breakdown-issues' in .github/agentloop.yml = 0 is not allowed; allowed: a whole number from 1 to 20",
    );
    expect(() => parseConfig({ inputs: { token: 't', 'agent-command': 'x', 'max-breakdown-issues': 'many' } })).toThrow(ConfigError);
  });
});

describe('approving a breakdown, over an in-memory forge', () => {
  const SELF = 'github-actions[bot]';
  const T0 = '2026-12-01T12:00:00Z';

  /** Spec #1 with a posted proposal of `three`; `state` changes the proposal's state first. */
  function setup(state: Partial<Proposal> = {}) {
    const forge = memoryForge(SELF, () => T0);
    forge.permissions.set('maria', 'write');
    for (const l of ['bug', 'documentation']) void forge.createLabel({ name: l, color: 'ededed', description: '' });
    const issue = (number: number, labels: string[], body = '', author = 'maria') =>
      forge.issues.set(number, {
        number,
        title: `#${number}`,
        body,
        state: 'open',
        isPull: false,
        labels,
        author: { login: author, type: author.endsWith('[bot]') ? 'Bot' : 'User' },
        createdAt: T0,
        htmlUrl: '',
      });
    issue(1, [names.breakdownDone, names.breakdownApprove]);
    const p = { ...cleanProposal(1, three, ['bug', 'documentation'], []), ...state };
    forge.comments.push({
      id: 1,
      issue: 1,
      body: renderProposal(p, { approveLabel: names.breakdownApprove, max: 10 }),
      author: { login: SELF, type: 'Bot' },
      createdAt: T0,
      updatedAt: T0,
      htmlUrl: 'https://forge/acme/widget/issues/1#issuecomment-1',
    });
    forge.events.set(1, [
      { action: 'labeled', label: names.breakdownApprove, actor: { login: 'maria', type: 'User' }, createdAt: '2026-12-01T12:30:00Z' },
    ]);
    const rc = unitContext({ forge, now: () => new Date('2026-12-01T12:31:00Z') });
    const run = async () => {
      const event = { kind: 'dispatch' as const, lane: 'plan' as const, number: 1, chain: 0 };
      const item = await loadItem(rc, 1, event);
      const t = decide(
        { now: '2026-12-01T12:31:00Z', defaultBranch: 'main', issues: [item.snapshot], pulls: [], defaultBranchHealth: [], runId: '1' },
        event,
        cfg({ lane: 'plan', selfLogins: [SELF] }),
      ).transition;
      if (t.kind === 'breakdown-approve') return { t, result: await breakdownApprove(rc, t, item) };
      if (t.kind === 'breakdown-decline') return { t, result: await breakdownDecline(rc, t, item) };
      return { t };
    };
    const children = () => [...forge.issues.values()].filter((i) => childIndex(i.body, 1) !== undefined);
    return { forge, issue, run, children, proposal: () => readProposal(forge.comments.find((c) => c.id === 1)!.body)! };
  }

  it('creates each child with its labels, links them in the checklist, and a second approval creates nothing', async () => {
    const s = setup();
    const first = await s.run();
    expect(first.t.kind).toBe('breakdown-approve');
    expect(first.result?.outcome).toBe('done');
    expect(s.children().map((i) => [i.number, i.title, i.labels])).toEqual([
      [2, 'First', ['bug']],
      [3, 'Second', []],
      [4, 'Third', ['documentation']],
    ]);
    expect(s.children()[0]!.body).toContain('Part of #1.');
    expect(s.proposal()).toMatchObject({ created: [2, 3, 4], started: '2026-12-01T12:31:00.000Z' });
    expect(s.forge.comments.find((c) => c.id === 1)!.body).toContain('- [x] #2 **First**');
    expect(s.forge.issues.get(1)!.labels).toEqual([names.breakdownDone]);

    // The writer applies the approval again: nothing is created, the label comes off, nobody is pinged.
    await s.forge.addLabels(1, [names.breakdownApprove]);
    s.forge.events.get(1)!.push({
      action: 'labeled',
      label: names.breakdownApprove,
      actor: { login: 'maria', type: 'User' },
      createdAt: '2026-12-01T13:00:00Z',
    });
    const notices = s.forge.comments.length;
    const second = await s.run();
    expect(second.t).toMatchObject({ kind: 'breakdown-decline', cause: 'done' });
    expect(s.children()).toHaveLength(3);
    expect(s.forge.issues.get(1)!.labels).toEqual([names.breakdownDone]);
    // No new comment (nobody is pinged): the status comment says it, edited in place.
    expect(s.forge.comments.length).toBe(notices);
    expect(s.forge.comments.find((c) => c.body.includes('agentloop:status'))!.body).toMatch(/already created \(#2, #3, #4\)/);
  });

  it('after a run lost between creating a child and recording it, the next run adopts that child instead of creating it again', async () => {
    // The lost run had started and created child 1 (#2), with its labels, but recorded nothing.
    const s = setup({ started: '2026-12-01T12:20:00Z' });
    s.issue(2, ['bug'], childBody(s.proposal(), 1), SELF);
    // Someone else's issue claiming to be part 2 is not agentloop's: part 2 is still created.
    s.issue(3, [], childBody(s.proposal(), 2), 'mallory');
    await s.run();
    const mine = s.children().filter((i) => i.author.login === SELF);
    expect(mine.map((i) => [i.number, childIndex(i.body, 1)])).toEqual([
      [2, 1],
      [4, 2],
      [5, 3],
    ]);
    expect(s.proposal().created).toEqual([2, 4, 5]);
  });

  it('the first run reads no issue list: nothing can exist before creation starts', async () => {
    const s = setup();
    let listed = 0;
    const list = s.forge.listIssuesUpdatedSince;
    s.forge.listIssuesUpdatedSince = (since) => {
      listed++;
      return list(since);
    };
    await s.run();
    expect(listed).toBe(0);
    expect(s.children()).toHaveLength(3);
  });
});
