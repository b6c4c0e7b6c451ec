// People acting while a run works ("Never stuck, never twice", item 3), on the embedded forge with
// GitHub's semantics and with Forgejo's. Each scenario's expected outcome is written down in
// docs/design-decisions.md, "People acting while a run works".
//
// "While the agent works" is exact: the scripted agent pauses (`pause` in its script) until the test
// creates a release file, so the person acts after the run claimed the item and before anything it
// produces is pushed. "Between a decision and its effect" uses a `humanEdits` fault on a request the run
// makes after deciding (the claim's first write, the merge's re-read of the PR).
import { readFile, writeFile } from 'node:fs/promises';
import {
  convertToDraftAsHuman,
  deleteLabelAsHuman,
  type FaultRequest,
  git,
  humanEdits,
  renameLabelAsHuman,
} from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Flavor, type Loop, startLoop, transitions } from '../support/loop.js';

const STATUS = '<!-- agentloop:status -->';
const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';
/** An agent whose first change is green: no fix-ci round. */
const GREEN = { code: { files: { 'src/add.js': FIXED }, summary: 'add() adds numbers and numeric strings.' } };
/** The way a person fixes it instead. */
const HUMAN_FIX = '// Adds.\nexport const add = (a, b) => +a + +b;\n';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

const pulls = () => [...loop.repo.pulls.values()];
const branchOf = (n: number) => `agentloop/issue-${n}`;
const branchSha = (n: number) => git.revParse(loop.repo.gitDir, `refs/heads/${branchOf(n)}`);
/** The code lane's status comment on an item (agentloop-bot's; the plan lane may keep its own). */
const status = (n: number) =>
  loop
    .comments(n, STATUS)
    .filter((c) => c.user === 'agentloop-bot')
    .map((c) => c.body.replace(/<!--[\s\S]*?-->/g, ''))
    .join('\n');
/** Merge requests agentloop sent (a person's merge is not agentloop's). */
const agentloopMerges = () =>
  loop.forge.requests.filter((r) => r.login !== 'maria' && r.status < 400 && /\/pulls\/\d+\/merge$/.test(r.path) && r.method !== 'GET');

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the runs:\n${runLog()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function openAndLabel(title: string, ...labels: string[]): Promise<number> {
  const issue = await loop.maria.createIssue(title, 'Details.', []);
  for (const label of labels) await loop.maria.addLabels(issue.number, [label]);
  return issue.number;
}

// ---- the agent, paused ----

const releaseFile = () => `${loop.scriptPath}.release`;
/** The agent waits at `transition` until released (the file lives in the directory agents may read). */
async function pauseAgentAt(transition: 'code' | 'fix-ci', script: object = GREEN): Promise<void> {
  await writeFile(loop.scriptPath, JSON.stringify({ ...script, pause: { [transition]: releaseFile() } }));
}
async function agentStarted(transition: string): Promise<boolean> {
  const log = await readFile(`${loop.scriptPath}.log`, 'utf8').catch(() => '');
  return log
    .split('\n')
    .filter(Boolean)
    .some((l) => (JSON.parse(l) as { transition: string }).transition === transition);
}
/** Wait until the agent works on `transition`, let the person act, then let the agent finish. */
async function whileAgentWorks(transition: 'code' | 'fix-ci', act: () => Promise<unknown>): Promise<void> {
  await until(() => agentStarted(transition), `the ${transition} agent to start`);
  await act();
  await writeFile(releaseFile(), '');
}

// ---- a person, through the forge's own API (what the web UI sends) ----

async function asMaria(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${loop.forge.urls.api}/repos/acme/calc${path}`, {
    method,
    headers: { authorization: `token ${loop.forge.token('maria')}`, 'content-type': 'application/json', accept: 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}
/** Close or reopen an issue or a pull request (PATCH …/issues/N works for both, on both forges). */
const setState = (n: number, state: 'open' | 'closed') => asMaria('PATCH', `/issues/${n}`, { state });
const setTitle = (n: number, title: string) => asMaria('PATCH', `/issues/${n}`, { title });

const mariaToken = () => loop.forge.state.tokens.get(loop.forge.token('maria'));
/** A person's commit on top of the branch, pushed (push and pull_request synchronize follow). */
async function humanPush(branch: string, files: Record<string, string>): Promise<string> {
  const before = (await git.revParse(loop.repo.gitDir, `refs/heads/${branch}`))!;
  const after = await git.commitFiles(loop.repo.gitDir, branch, files, 'A person fixes it');
  await loop.forge.afterPush(loop.repo, [{ ref: `refs/heads/${branch}`, before, after }], mariaToken());
  return after;
}
/** A person rewrites the branch: one commit on main, force-pushed over whatever the branch held. */
async function humanForcePush(branch: string, files: Record<string, string>): Promise<string> {
  const before = (await git.revParse(loop.repo.gitDir, `refs/heads/${branch}`))!;
  const scratch = `scratch-${Date.now()}`;
  const after = await git.commitFiles(loop.repo.gitDir, scratch, files, 'A person rewrites it', { from: 'main' });
  await git.updateRef(loop.repo.gitDir, `refs/heads/${branch}`, after);
  await git.deleteRef(loop.repo.gitDir, `refs/heads/${scratch}`);
  await loop.forge.afterPush(loop.repo, [{ ref: `refs/heads/${branch}`, before, after }], mariaToken());
  return after;
}

/** The schedule fires, as the cron would (on GitHub settle() does not fire it). */
async function sweep(): Promise<void> {
  loop.runner.tickSchedule(loop.repo);
  await loop.settle();
}

/** The agentloop runs, one line each (for assertion messages). */
const runLog = () =>
  loop.runner.runs
    .filter((r) => r.workflow.name.startsWith('agentloop'))
    .map(
      (r) =>
        `${r.id} ${r.workflow.name} ${r.event.name}${r.event.action ? `/${r.event.action}` : ''} ${r.conclusion}: ${JSON.stringify(r.outputs)}${r.conclusion === 'failure' ? ` ${r.jobs.map((j) => j.error ?? j.log.slice(-1500)).join('')}` : ''}`,
    )
    .join('\n');
const codeRuns = () => loop.runner.runs.filter((r) => r.outputs.transition === 'code');

describe.each<Flavor>(['github', 'forgejo'])('people acting mid-run on %s', (flavor) => {
  const start = (opts: Parameters<typeof startLoop>[0] = {}) => startLoop({ ...opts, flavor });
  const issuePath = (n: number) => new RegExp(`/issues/${n}/comments$`);
  const pullGet = /\/pulls\/\d+$/;
  const claimedForMerge = () => loop.repo.issues.some((i) => loop.labelsOf(i.number).includes('loop/merge-in-process'));

  describe('the request withdrawn', () => {
    it('loop/code-in-process removed while the agent works → nothing pushed, no PR, the item as the person left it', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', () => loop.maria.removeLabel(n, 'loop/code-in-process'));
      await loop.settle();
      expect(pulls()).toEqual([]);
      expect(await branchSha(n)).toBeNull();
      expect(loop.labelsOf(n)).toEqual([]);
      expect(status(n)).toMatch(/withdrawn/);
      expect(await loop.agentRuns()).toBe(1);
      expect(codeRuns().map((r) => r.outputs.outcome)).toEqual(['skipped']);
    });

    it('loop/code removed between the decision and the claim → nothing pushed, no PR', async () => {
      loop = await start();
      let n = 0;
      // The claim's first write is the owner in the status comment; the person's removal lands just before it.
      const withdraw = humanEdits({
        when: (req: FaultRequest) => req.method === 'POST' && req.login === 'agentloop-bot' && issuePath(n).test(req.path),
        edit: () => loop.maria.removeLabel(n, 'loop/code'),
      });
      loop.forge.faults.push(withdraw);
      const issue = await loop.maria.createIssue('add() subtracts', 'Details.', []);
      n = issue.number;
      await loop.maria.addLabels(n, ['loop/code']);
      await loop.settle();
      await withdraw.settled();
      expect(withdraw.fired()).toBe(1);
      expect(pulls()).toEqual([]);
      expect(await branchSha(n)).toBeNull();
      expect(loop.labelsOf(n)).toEqual([]);
      expect(status(n)).toMatch(/withdrawn/);
    });

    it('the issue closed while the agent works → nothing pushed, no PR, no loop state left on it', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', () => setState(n, 'closed'));
      await loop.settle();
      await sweep();
      expect(pulls()).toEqual([]);
      expect(await branchSha(n)).toBeNull();
      expect(loop.issue(n).state).toBe('closed');
      expect(loop.labelsOf(n)).toEqual([]);
      expect(status(n)).toMatch(/closed/);
    });

    it('the issue closed and reopened while the agent works → the run carries on: one PR, merged', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', async () => {
        await setState(n, 'closed');
        await setState(n, 'open');
      });
      await loop.settle();
      expect(pulls()).toHaveLength(1);
      expect(pulls()[0]!.merged).toBe(true);
      expect(loop.issue(n).state).toBe('closed');
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    });

    it('the issue closed while its PR waits → the PR closed with a comment, the branch deleted; reopened and labelled again → a new PR, merged', async () => {
      loop = await start({ config: 'auto-merge: false\n', script: GREEN });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      expect(loop.labelsOf(n)).toEqual(['loop/code-done']);
      const [first] = pulls();
      await setState(n, 'closed');
      await sweep();
      expect(loop.issue(first!.number).state).toBe('closed');
      expect(first!.merged).toBe(false);
      expect(await branchSha(n)).toBeNull();
      expect(loop.labelsOf(n)).toEqual([]);
      expect(loop.comments(first!.number).some((c) => c.user === 'agentloop-bot' && new RegExp(`#${n} was closed`).test(c.body))).toBe(
        true,
      );
      // Nothing starts by itself when the issue is reopened; a writer's loop/code starts it afresh.
      await setState(n, 'open');
      await sweep();
      expect(pulls()).toHaveLength(1);
      await loop.maria.addLabels(n, ['loop/code']);
      await loop.maria.addLabels(n, ['loop/merge']);
      await loop.settle();
      const [, second] = pulls();
      expect(second?.merged).toBe(true);
      expect(first!.merged).toBe(false);
      expect(loop.issue(n).state).toBe('closed');
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    }, 120_000);
  });

  describe('stop signs', () => {
    it('NeedSupervisor added while the agent works → nothing pushed; removing it starts nothing until loop/code is applied again', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', () => loop.maria.addLabels(n, ['NeedSupervisor']));
      await loop.settle();
      expect(pulls()).toEqual([]);
      expect(await branchSha(n)).toBeNull();
      expect(loop.labelsOf(n)).toEqual(['NeedSupervisor']);
      expect(status(n)).toMatch(/NeedSupervisor/);
      await loop.maria.removeLabel(n, 'NeedSupervisor');
      await sweep();
      expect(pulls()).toEqual([]);
      expect(loop.labelsOf(n)).toEqual([]);
      await loop.maria.addLabels(n, ['loop/code']);
      await loop.settle();
      expect(pulls()).toHaveLength(1);
      expect(pulls()[0]!.merged).toBe(true);
    }, 120_000);

    it('NeedSupervisor added between the merge decision and the merge call → not merged; removed → merged', async () => {
      loop = await start({ script: GREEN });
      let n = 0;
      const stop = humanEdits({
        when: (req) => req.method === 'GET' && pullGet.test(req.path) && claimedForMerge(),
        edit: () => loop.maria.addLabels(n, ['NeedSupervisor']),
      });
      loop.forge.faults.push(stop);
      n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      await stop.settled();
      expect(stop.fired()).toBe(1);
      expect(agentloopMerges()).toEqual([]);
      expect(pulls()[0]!.merged).toBe(false);
      expect(loop.labelsOf(n)).toEqual(['NeedSupervisor', 'loop/code-done', 'loop/merge']);
      await loop.maria.removeLabel(n, 'NeedSupervisor');
      await sweep();
      expect(pulls()[0]!.merged).toBe(true);
      expect(agentloopMerges()).toHaveLength(1);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    }, 120_000);

    it('do-not-merge added between the merge decision and the merge call → never merged', async () => {
      loop = await start({ script: GREEN });
      let n = 0;
      const stop = humanEdits({
        when: (req) => req.method === 'GET' && pullGet.test(req.path) && claimedForMerge(),
        edit: () => loop.maria.addLabels(n, ['do-not-merge']),
      });
      loop.forge.faults.push(stop);
      n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      await sweep();
      expect(stop.fired()).toBe(1);
      expect(agentloopMerges()).toEqual([]);
      expect(pulls()[0]!.merged).toBe(false);
      expect(loop.labelsOf(n)).toEqual(['do-not-merge', 'loop/code-done', 'loop/merge']);
      expect(status(n)).toMatch(/do-not-merge/);
    });

    it('do-not-merge added while the agent works → the PR is opened and turns green, never merged', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', () => loop.maria.addLabels(n, ['do-not-merge']));
      await loop.settle();
      await sweep();
      expect(pulls()).toHaveLength(1);
      expect(pulls()[0]!.merged).toBe(false);
      expect(agentloopMerges()).toEqual([]);
      expect(loop.labelsOf(n)).toEqual(['do-not-merge', 'loop/code-done']);
    });
  });

  describe('the loop branch', () => {
    it('a person pushes to the loop branch while the fix-ci agent works → the fix is dropped, merged at the person’s head', async () => {
      loop = await start();
      await pauseAgentAt('fix-ci', SAMPLE_SCRIPT);
      const n = await openAndLabel('add() subtracts', 'loop/code');
      let human = '';
      await whileAgentWorks('fix-ci', async () => {
        human = await humanPush(branchOf(n), { 'src/add.js': HUMAN_FIX });
      });
      await loop.settle();
      const [pr] = pulls();
      expect(pr!.merged).toBe(true);
      expect(pr!.headSha).toBe(human);
      expect(
        agentloopMerges().map(
          (m) => (m.body as { sha?: string; head_commit_id?: string }).sha ?? (m.body as { head_commit_id?: string }).head_commit_id,
        ),
      ).toEqual([human]);
      expect(await git.readFile(loop.repo.gitDir, 'main', 'src/add.js')).toBe(HUMAN_FIX);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
      expect(loop.runner.runs.filter((r) => r.outputs.transition === 'fix-ci').map((r) => r.outputs.outcome)).toEqual(['skipped']);
    });

    it('a person force-pushes the loop branch between the merge decision and the merge → merged at the rewrite, never at the old head', async () => {
      loop = await start({ script: GREEN });
      let agentHead = '';
      let rewrite = '';
      const push = humanEdits({
        when: (req) => req.method === 'GET' && pullGet.test(req.path) && claimedForMerge(),
        edit: async () => {
          const pr = pulls()[0]!;
          agentHead = pr.headSha;
          rewrite = await humanForcePush(pr.head, { 'src/add.js': HUMAN_FIX, 'NOTES.md': 'rewritten by a person\n' });
        },
      });
      loop.forge.faults.push(push);
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      await push.settled();
      expect(push.fired()).toBe(1);
      const [pr] = pulls();
      expect(pr!.merged).toBe(true);
      expect(pr!.headSha).toBe(rewrite);
      expect(rewrite).not.toBe(agentHead);
      expect(loop.merges().map((m) => m.sha)).toEqual([rewrite]);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    });

    it('a person deletes the loop branch while the PR waits → the forge closes the PR; agentloop stops the item and says so', async () => {
      loop = await start({ config: 'auto-merge: false\n', script: GREEN });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      const [pr] = pulls();
      await loop.maria.deleteBranch(branchOf(n));
      expect(loop.issue(pr!.number).state).toBe('closed'); // both forges close a PR whose head branch is deleted
      await sweep();
      expect(pulls()).toHaveLength(1);
      expect(pr!.merged).toBe(false);
      expect(loop.labelsOf(n), runLog()).toEqual([]);
      expect(status(n)).toMatch(new RegExp(`PR #${pr!.number} was closed without merging`));
      expect(await loop.agentRuns()).toBe(1);
    });
  });

  describe('the pull request', () => {
    it('closed without merge by a person → the item stops (labels cleared, branch deleted, said in the status); loop/code again → a new PR, merged', async () => {
      loop = await start({ config: 'auto-merge: false\n', script: GREEN });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      const [first] = pulls();
      await setState(first!.number, 'closed');
      await sweep();
      expect(loop.labelsOf(n)).toEqual([]);
      expect(await branchSha(n)).toBeNull();
      expect(status(n)).toMatch(new RegExp(`PR #${first!.number} was closed without merging`));
      expect(pulls()).toHaveLength(1);
      await loop.maria.addLabels(n, ['loop/code']);
      await loop.maria.addLabels(n, ['loop/merge']);
      await loop.settle();
      const [, second] = pulls();
      expect(first!.merged).toBe(false);
      expect(second?.merged).toBe(true);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    }, 120_000);

    it('merged by a person → done: loop/merge-done, the issue closed, the branch deleted, no merge by agentloop', async () => {
      loop = await start({ config: 'auto-merge: false\n', script: GREEN });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      const [pr] = pulls();
      const merged = await loop.maria.mergePull(pr!.number, pr!.headSha, 'squash');
      expect(merged.merged).toBe(true);
      // "Closes #N" in the PR body: both forges close the issue when the PR merges into the default branch.
      await setState(n, 'closed');
      await sweep();
      expect(agentloopMerges()).toEqual([]);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
      expect(loop.issue(n).state).toBe('closed');
      expect(await branchSha(n)).toBeNull();
      expect(status(n)).toContain(`PR #${pr!.number} was merged by \`maria\``);
    });

    it('merged by a person between agentloop’s merge decision and its merge call → done, no second merge', async () => {
      loop = await start({ script: GREEN });
      let n = 0;
      const human = humanEdits({
        when: (req) => req.method === 'GET' && pullGet.test(req.path) && claimedForMerge(),
        edit: async () => {
          const pr = pulls()[0]!;
          await loop.maria.mergePull(pr.number, pr.headSha, 'merge');
        },
      });
      loop.forge.faults.push(human);
      n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      await human.settled();
      expect(human.fired()).toBe(1);
      expect(pulls()[0]!.merged).toBe(true);
      expect(agentloopMerges()).toEqual([]);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
      expect(loop.issue(n).state).toBe('closed');
      expect(await branchSha(n)).toBeNull();
    });

    if (flavor === 'github')
      it('converted to draft before the merge → not merged while a draft; ready for review → merged', async () => {
        loop = await start({ config: 'auto-merge: false\n', script: GREEN });
        const n = await openAndLabel('add() subtracts', 'loop/code');
        await loop.settle();
        const [pr] = pulls();
        await convertToDraftAsHuman(loop.forge, loop.repo, pr!.number, 'maria');
        await loop.maria.addLabels(n, ['loop/merge']);
        await loop.settle();
        expect(agentloopMerges()).toEqual([]);
        expect(pr!.merged).toBe(false);
        expect(loop.labelsOf(n)).toEqual(['loop/code-done', 'loop/merge']);
        pr!.draft = false; // "Ready for review" (web UI / GraphQL only)
        await sweep();
        expect(pr!.merged).toBe(true);
      });

    if (flavor === 'forgejo')
      // Forgejo has no draft flag: a pull request is a draft ("work in progress") while its title starts with WIP:.
      it('given a WIP: title before the merge → not merged while WIP; title back → merged', async () => {
        loop = await start({ config: 'auto-merge: false\n', script: GREEN });
        const n = await openAndLabel('add() subtracts', 'loop/code');
        await loop.settle();
        const [pr] = pulls();
        const title = loop.issue(pr!.number).title;
        await setTitle(pr!.number, `WIP: ${title}`);
        await loop.maria.addLabels(n, ['loop/merge']);
        await loop.settle();
        expect(agentloopMerges()).toEqual([]);
        expect(pr!.merged).toBe(false);
        expect(loop.labelsOf(n)).toEqual(['loop/code-done', 'loop/merge']);
        await setTitle(pr!.number, title);
        await sweep();
        expect(pr!.merged).toBe(true);
      });
  });

  describe('labels changed in the repository settings', () => {
    it('loop/code-in-process deleted while the agent works → the run finishes, the labels come back, merged', async () => {
      loop = await start();
      await pauseAgentAt('code');
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await whileAgentWorks('code', async () => deleteLabelAsHuman(loop.forge, loop.repo, 'loop/code-in-process'));
      await loop.settle();
      expect(pulls()).toHaveLength(1);
      expect(pulls()[0]!.merged).toBe(true);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done']);
    });

    it('loop/code-ci-pending renamed while the PR waits for CI → agentloop carries the PR on; merged', async () => {
      loop = await start();
      await pauseAgentAt('fix-ci', SAMPLE_SCRIPT);
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await until(() => agentStarted('fix-ci'), 'the fix');
      await writeFile(releaseFile(), '');
      // Rename while the fix's CI runs: the fix run left loop/code-ci-pending.
      await until(() => loop.labelsOf(n).includes('loop/code-ci-pending'), 'loop/code-ci-pending after the fix');
      renameLabelAsHuman(loop.forge, loop.repo, 'loop/code-ci-pending', 'waiting-for-ci');
      await loop.settle();
      expect(pulls()[0]!.merged).toBe(true);
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done', 'waiting-for-ci']);
    });

    it('loop/code deleted while an issue waits its turn → that request is gone; the other issue is merged', async () => {
      loop = await start({ config: 'auto-merge: true\nmax-open-prs: 1\n' });
      await pauseAgentAt('code');
      const a = await openAndLabel('First', 'loop/code');
      const b = await openAndLabel('Second', 'loop/code');
      await whileAgentWorks('code', async () => deleteLabelAsHuman(loop.forge, loop.repo, 'loop/code'));
      await loop.settle();
      await sweep();
      expect(pulls().map((p) => p.head)).toEqual([branchOf(a)]);
      expect(pulls()[0]!.merged).toBe(true);
      expect(loop.labelsOf(b)).toEqual([]);
      expect(transitions(loop).filter((t) => t === 'code')).toHaveLength(1);
    });
  });
});
