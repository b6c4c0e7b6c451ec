// Breakdown end to end, on GitHub and on Forgejo (DESIGN §3 "breakdown"): loop/breakdown → a read-only
// agent proposes child issues, posted as one checklist; loop/breakdown-approve by a writer → agentloop
// creates them, each once — approved twice, or with the run killed half-way, still once.
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Flavor, type Loop, startLoop, transitions } from '../support/loop.js';

const PROPOSAL = '<!-- agentloop:breakdown-proposal -->';
const STATUS = '<!-- agentloop:status -->';

/** The agent's answer: three issues, asking for labels it may not have (agentloop's own, one that does not exist). */
const ANSWER = [
  '```json',
  JSON.stringify([
    {
      title: 'Make add() return the sum',
      body: 'Return `a + b` in `src/add.js`.\n\nDone when: `node test.js` passes.',
      labels: ['bug', 'loop/code'],
    },
    { title: 'Accept numeric strings', body: 'Convert both arguments with `Number()`.', labels: ['automerge', 'made-up'] },
    { title: 'Document add()', body: 'Say what add() accepts and returns.' },
  ]),
  '```',
].join('\n');
const TITLES = ['Make add() return the sum', 'Accept numeric strings', 'Document add()'];

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

describe.each<Flavor>(['github', 'forgejo'])('breakdown on %s', (flavor) => {
  const self = flavor === 'github' ? 'github-actions[bot]' : 'agentloop-bot';
  const start = async (breakdown = ANSWER, runner: Parameters<typeof startLoop>[0] = {}) => {
    loop = await startLoop({ flavor, script: { ...SAMPLE_SCRIPT, breakdown }, ...runner });
    await loop.maria.createLabel({ name: 'bug', color: 'd73a4a', description: "Something isn't working" });
  };
  const spec = async () => {
    const issue = await loop.maria.createIssue('Spec: a calculator that adds', 'add() must add, strings too, and be documented.', []);
    await loop.maria.addLabels(issue.number, ['loop/breakdown']);
    await loop.settle();
    return issue.number;
  };
  const approve = async (n: number, by: 'maria' | 'tom' = 'maria') => {
    await loop[by].addLabels(n, ['loop/breakdown-approve']);
    await loop.settle();
  };
  /** agentloop's children of #n, oldest first. */
  const children = (n: number) =>
    loop.repo.issues
      .filter((i) => i.user === self && i.body.includes(`<!-- agentloop:breakdown-of #${n} `))
      .sort((a, b) => a.number - b.number);

  it('proposes as one checklist, a writer approves, the issues are created once; approving again creates nothing', async () => {
    await start();
    const n = await spec();
    expect(loop.labelsOf(n)).toEqual(['loop/breakdown-done']);
    const proposals = loop.comments(n, PROPOSAL);
    expect(proposals).toHaveLength(1);
    expect(proposals[0]!.user).toBe(self);
    const proposal = proposals[0]!.body;
    for (const title of TITLES) expect(proposal).toContain(`- [ ] **${title}**`);
    expect(proposal).toMatch(/Labels left out .*`loop\/code`.*`automerge`.*`made-up`/);
    expect(children(n)).toEqual([]);
    expect(await loop.agentRuns()).toBe(1);

    await approve(n);
    const kids = children(n);
    expect(kids.map((i) => i.title)).toEqual(TITLES);
    expect(kids.map((i) => loop.labelsOf(i.number))).toEqual([['bug'], [], []]);
    for (const kid of kids) expect(kid.body).toContain(`Part of #${n}.`);
    const linked = loop.comments(n, PROPOSAL)[0]!.body;
    for (const kid of kids) expect(linked).toContain(`- [x] #${kid.number} `);
    expect(loop.labelsOf(n)).toEqual(['loop/breakdown-done']);
    expect(loop.comments(n, STATUS)[0]!.body).toMatch(/Created 3 issue\(s\)/);

    await approve(n);
    expect(children(n)).toHaveLength(3);
    expect(loop.labelsOf(n)).toEqual(['loop/breakdown-done']);
    expect(loop.comments(n, STATUS)[0]!.body).toMatch(/already created/);
    expect(await loop.agentRuns()).toBe(1);
    expect(transitions(loop).filter((t) => t.startsWith('breakdown'))).toEqual(['breakdown', 'breakdown-approve', 'breakdown-decline']);
  });

  it('an approval with no proposal is taken off with a note that mentions the writer; nothing is created', async () => {
    await start();
    const issue = await loop.maria.createIssue('Spec', 'Details.', []);
    await approve(issue.number);
    expect(loop.labelsOf(issue.number)).toEqual([]);
    expect(
      loop
        .comments(issue.number)
        .map((c) => c.body)
        .join('\n'),
    ).toMatch(/@maria, there is no breakdown proposal on this issue to approve/);
    expect(loop.repo.issues.filter((i) => i.body.includes('agentloop:breakdown-of'))).toEqual([]);
    expect(await loop.agentRuns()).toBe(0);
  });

  // GitHub only: on Forgejo labelling takes write access (the plan-lane tests say the same).
  if (flavor === 'github')
    it("a triage-role user's approval → one polite refusal, the label off, nothing created", async () => {
      await start();
      const n = await spec();
      await approve(n, 'tom');
      expect(loop.labelsOf(n)).toEqual(['loop/breakdown-done']);
      expect(loop.comments(n).some((c) => /Hi @tom.*write access/s.test(c.body))).toBe(true);
      expect(children(n)).toEqual([]);
    });

  it('a malformed answer → NeedSupervisor saying why; nothing is posted or created', async () => {
    await start('I would split this into a few issues, roughly: the fix, the strings, the docs.');
    const n = await spec();
    expect(loop.labelsOf(n)).toEqual(['NeedSupervisor']);
    expect(loop.comments(n, PROPOSAL)).toEqual([]);
    expect(loop.comments(n, STATUS)[0]!.body).toMatch(/answer could not be used: its answer holds no JSON array of issues/);
    expect(loop.repo.issues.filter((i) => i.body.includes('agentloop:breakdown-of'))).toEqual([]);
  });

  it('a run killed after creating a child, before recording it → the sweep requeues it and the child is adopted: each issue once', async () => {
    const point = 'breakdown-approve/child-created';
    const fired = () => loop.runner.runs.some((r) => r.jobs.some((j) => j.log.includes(`crash point: ${point}`)));
    await start(ANSWER, { runner: { agentloopEnv: () => (fired() ? undefined : { AGENTLOOP_CRASH_AT: point }) } });
    const n = await spec();
    await approve(n);
    expect(fired()).toBe(true);
    // On Forgejo settle() fires the schedule, and the sweep has repaired it already.
    if (flavor === 'github') {
      expect(children(n)).toHaveLength(1);
      expect(loop.labelsOf(n)).toContain('loop/breakdown-in-process');
    }
    for (let sweeps = 0; sweeps < 2 && children(n).length < 3; sweeps++) {
      loop.runner.tickSchedule(loop.repo);
      await loop.settle();
    }
    expect(children(n).map((i) => i.title)).toEqual(TITLES);
    expect(loop.labelsOf(n)).toEqual(['loop/breakdown-done']);
    expect(loop.comments(n, PROPOSAL)[0]!.body).toMatch(/created these 3 issues/);
  }, 120_000);
});
