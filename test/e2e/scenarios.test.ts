// Whole-loop scenarios on the embedded forge, once with GitHub's semantics and once with Forgejo's:
// workflows as a user installs them (each forge's templates), real git, real CI, dist/index.js run by
// the workflow runner, a scripted agent. On Forgejo, CI completion reaches agentloop only through the
// scheduled sweep (no workflow_run), so `settle()` also fires the schedule until nothing is left to do.

import { eventFaults, failOn, git, humanEdits } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { NO_LOGS } from '../../src/transitions/ci-logs.js';
import { type Flavor, type Loop, startLoop, transitions } from '../support/loop.js';

const PLAN = '<!-- agentloop:plan -->';
const STATUS = '<!-- agentloop:status -->';
const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

async function openAndLabel(title: string, ...labels: string[]) {
  const issue = await loop.maria.createIssue(title, 'Details.', []);
  for (const label of labels) await loop.maria.addLabels(issue.number, [label]);
  return issue.number;
}

const pulls = () => [...loop.repo.pulls.values()];
const merges = () => loop.merges();

describe.each<Flavor>(['github', 'forgejo'])('on %s', (flavor) => {
  const start = (opts: Parameters<typeof startLoop>[0] = {}) => startLoop({ ...opts, flavor });
  /** The label-added action: GitHub's `labeled`, Forgejo's `label_updated`. */
  const LABELED = flavor === 'github' ? 'labeled' : 'label_updated';

  describe('plan lane', () => {
    it('a duplicated labeled event yields one plan comment', async () => {
      loop = await start({
        runner: { deliver: eventFaults({ seed: 1, duplicate: 1, match: (e) => e.name === 'issues' && e.action === LABELED }) },
      });
      const n = await openAndLabel('add() subtracts', 'loop/plan');
      await loop.settle();
      expect(loop.comments(n, PLAN)).toHaveLength(1);
      expect(loop.labelsOf(n)).toEqual(['loop/plan-done']);
      expect(await loop.agentRuns()).toBe(1);
      const planRuns = loop.runner.runs.filter((r) => r.workflow.name === 'agentloop plan' && r.event.label === 'loop/plan');
      expect(planRuns.length).toBeGreaterThanOrEqual(2); // the duplicate ran too, and did nothing
    });

    it('a burst of loop/plan labels on ten issues → ten plans, runs concurrent across issues', async () => {
      loop = await start();
      const numbers = [];
      for (let i = 0; i < 10; i++) numbers.push(await openAndLabel(`Issue ${i}`, 'loop/plan'));
      await loop.settle();
      const runsOf = (n: number) =>
        loop.runner.runs
          .filter((r) => r.event.item === n)
          .map(
            (r) =>
              `${r.workflow.name}: ${r.conclusion} ${JSON.stringify(r.outputs)} ${r.jobs.map((j) => j.error ?? j.log?.slice(-600)).join(' | ')}`,
          );
      for (const n of numbers) expect(loop.comments(n, PLAN), `#${n}\n${runsOf(n).join('\n')}`).toHaveLength(1);
      const groups = new Set(loop.runner.runs.filter((r) => r.outputs.transition === 'plan').map((r) => r.concurrencyGroup));
      expect(groups.size).toBe(10);
      expect(loop.runner.runs.filter((r) => r.cancelledByConcurrency && r.workflow.name === 'agentloop plan')).toEqual([]);
    });

    if (flavor === 'github')
      it('a triage-role user’s label → one polite refusal, the label taken off, no agent run', async () => {
        loop = await start();
        const issue = await loop.tom.createIssue('Please do this', 'x', []);
        await loop.tom.addLabels(issue.number, ['loop/plan']);
        await loop.settle();
        expect(await loop.agentRuns()).toBe(0);
        expect(loop.labelsOf(issue.number)).toEqual([]);
        const comments = loop.comments(issue.number);
        expect(comments).toHaveLength(1);
        expect(comments[0]!.body).toMatch(/@tom.*write access/s);
      });

    if (flavor === 'forgejo')
      // Forgejo has no triage role: labelling takes write access to issues, so a reader is stopped by the
      // forge itself (routers/api/v1/repo/issue_label.go), and nothing runs.
      it('a read-access user cannot apply loop/plan: the forge refuses, no run, no agent', async () => {
        loop = await start();
        await loop.maria.createLabel({ name: 'loop/plan', color: 'ededed', description: '' });
        const issue = await loop.tom.createIssue('Please do this', 'x', []);
        await expect(loop.tom.addLabels(issue.number, ['loop/plan'])).rejects.toThrow(/403|write access/);
        await loop.settle();
        expect(await loop.agentRuns()).toBe(0);
        expect(loop.labelsOf(issue.number)).toEqual([]);
        expect(loop.comments(issue.number)).toEqual([]);
        expect(loop.agentloopRuns().filter((r) => r.outputs.transition === 'plan')).toEqual([]);
      });
  });

  describe('code lane', () => {
    it('happy path: plan → code → PR → red CI → fix → green → merged', async () => {
      loop = await start();
      const n = await openAndLabel('add() subtracts', 'loop/plan');
      await loop.settle();
      await loop.maria.addLabels(n, ['loop/code']);
      await loop.settle();
      expect(transitions(loop)).toEqual(['plan', 'code', 'fix-ci', 'ci-green', 'merge']);
      const [pr] = pulls();
      expect(pr!.merged).toBe(true);
      expect(loop.issue(n).state).toBe('closed');
      expect(loop.labelsOf(n)).toEqual(['loop/merge-done', 'loop/plan-done']);
      expect(await git.readFile(loop.repo.gitDir, 'main', 'src/add.js')).toBe(FIXED);
      const ci = loop.runner.runs.filter((r) => r.workflow.name === 'CI');
      expect(ci.map((r) => r.conclusion)).toEqual(['failure', 'success', 'success']); // PR red, PR green, main after merge
      // One status comment per identity: the plan lane runs on the workflow token only, the code lane on the PAT.
      // One status comment per identity. GitHub: the plan lane runs on the workflow token only, the code
      // lane on the PAT. Forgejo: every lane runs as the bot user.
      expect(loop.comments(n, STATUS).map((c) => c.user)).toEqual(
        flavor === 'github' ? ['github-actions[bot]', 'agentloop-bot'] : ['agentloop-bot'],
      );
      // The plan the plan lane posted reached the code prompt.
      const log = (await import('node:fs'))
        .readFileSync(`${loop.scriptPath}.log`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { transition: string; prompt: string });
      expect(log.map((l) => l.transition)).toEqual(['plan', 'code', 'fix-ci']);
      expect(log[1]!.prompt).toContain('Replace `a - b` with a sum'); // the plan, in the code prompt
      if (flavor === 'github')
        expect(log[2]!.prompt).toContain("add('2', '3')"); // the failing test's log tail, in the fix prompt
      else {
        // Forgejo serves no job logs: the prompt names the failing status with its run page, and says so.
        expect(log[2]!.prompt).toMatch(/- CI \/ test \(pull_request\) \(http:\/\/[^)]+\/actions\/runs\/\d+/);
        expect(log[2]!.prompt).toContain(NO_LOGS);
      }
    });

    it('red CI never fixed → NeedSupervisor after max-fix-attempts; nothing merged', async () => {
      loop = await start({
        script: {
          ...SAMPLE_SCRIPT,
          'fix-ci': [
            { files: { 'src/add.js': 'export const add = (a, b) => a + b + 1;\n' } },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source for the fixture file, with its own template literal
            { files: { 'src/add.js': 'export const add = (a, b) => `${a}${b}`;\n' } },
          ],
        },
      });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      expect(transitions(loop)).toEqual(['code', 'fix-ci', 'fix-ci', 'escalate']);
      expect(loop.labelsOf(n)).toContain('NeedSupervisor');
      expect(pulls()[0]!.merged).toBe(false);
      expect(merges()).toEqual([]);
      expect(loop.comments(n, STATUS)[0]!.body).toMatch(/fix attempt 2/);
    });

    it('a conflicting commit lands on main while the PR waits → rebase → CI → merge', async () => {
      loop = await start({
        config: 'auto-merge: false\n',
        script: { ...SAMPLE_SCRIPT, code: { files: { 'src/add.js': FIXED } }, rebase: { resolve: 'theirs' } },
      });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      expect(loop.labelsOf(n)).toEqual(['loop/code-done']);
      await git.commitFiles(
        loop.repo.gitDir,
        'main',
        { 'src/add.js': '// Adds.\nexport const add = (a, b) => +a + +b;\n' },
        'A maintainer fixes it differently',
      );
      await loop.forge.afterPush(
        loop.repo,
        [{ ref: 'refs/heads/main', before: '0'.repeat(40), after: (await git.revParse(loop.repo.gitDir, 'main'))! }],
        loop.forge.state.tokens.get(loop.forge.token('maria')),
      );
      await loop.maria.addLabels(n, ['loop/merge']);
      await loop.settle();
      expect(transitions(loop)).toEqual(['code', 'ci-green', 'rebase', 'merge']);
      expect(pulls()[0]!.merged).toBe(true);
    });

    it('do-not-merge added at any point → never merged', async () => {
      loop = await start();
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.maria.addLabels(n, ['do-not-merge']);
      await loop.settle();
      expect(pulls()[0]!.merged).toBe(false);
      expect(merges()).toEqual([]);
      expect(loop.labelsOf(n)).toEqual(['do-not-merge', 'loop/code-done']);
    });

    it('mergeable: null for three reads → waits, then merges', async () => {
      loop = await start({ mergeableNullReads: 3 });
      await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      expect(pulls()[0]!.merged).toBe(true);
      expect(merges()).toHaveLength(1);
      if (flavor === 'github') {
        const waited = loop.runner.runs.filter((r) => r.outputs.transition === 'none' && /waiting/.test(r.outputs.reason ?? ''));
        expect(waited.length).toBeGreaterThan(0);
      } else {
        // Forgejo answers `mergeable: false` while it checks: read as "not known yet", never as a conflict.
        expect(transitions(loop)).not.toContain('rebase');
        expect(await loop.agentRuns()).toBe(2); // code and one fix, no rebase agent
      }
    });

    it('two issues labeled loop/code together → two PRs, one after the other, both merged', async () => {
      loop = await start({ script: { code: [{ files: { 'src/add.js': FIXED } }, { files: { 'CHANGELOG.md': '- add() adds\n' } }] } });
      const a = await openAndLabel('First', 'loop/code');
      const b = await openAndLabel('Second', 'loop/code');
      await loop.settle();
      const prs = pulls();
      expect(prs.map((p) => p.head)).toEqual([`agentloop/issue-${a}`, `agentloop/issue-${b}`]);
      expect(prs.every((p) => p.merged)).toBe(true);
      // The second PR was opened only after the first merged (max-open-prs: 1).
      const events = loop.repo.events.filter((e) => e.event === 'merged');
      expect(events).toHaveLength(2);
      expect(loop.repo.issues.find((i) => i.number === prs[1]!.number)!.createdAt >= events[0]!.createdAt).toBe(true);
    });

    it('a 5xx on the merge call → NeedSupervisor and exactly one merge request', async () => {
      loop = await start();
      const n = await openAndLabel('add() subtracts', 'loop/code');
      loop.forge.faults.push(failOn({ method: flavor === 'github' ? 'PUT' : 'POST', path: /\/merge$/, status: 502 }));
      await loop.settle();
      expect(merges()).toHaveLength(1);
      expect(pulls()[0]!.merged).toBe(false);
      expect(loop.labelsOf(n)).toContain('NeedSupervisor');
    });

    it('a head pushed by a human between decision and merge → no merge in that run', async () => {
      loop = await start();
      await openAndLabel('add() subtracts', 'loop/code');
      const claimed = () => loop.repo.issues.some((i) => loop.labelsOf(i.number).includes('loop/merge-in-process'));
      let agentHead = '';
      const push = humanEdits({
        when: (req) => req.method === 'GET' && /\/pulls\/\d+$/.test(req.path) && claimed(),
        edit: async () => {
          const pr = pulls()[0]!;
          agentHead = pr.headSha;
          // A real push: GitHub sends push and pull_request synchronize, so CI runs on the human's head.
          const after = await git.commitFiles(loop.repo.gitDir, pr.head, { 'NOTES.md': 'a human note\n' }, 'human note');
          await loop.forge.afterPush(
            loop.repo,
            [{ ref: `refs/heads/${pr.head}`, before: agentHead, after }],
            loop.forge.state.tokens.get(loop.forge.token('maria')),
          );
        },
      });
      loop.forge.faults.push(push);
      await loop.settle();
      await push.settled();
      expect(push.fired()).toBe(1);
      const mergeRuns = loop.runner.runs.filter((r) => r.outputs.transition === 'merge');
      expect(mergeRuns[0]!.outputs.outcome).toBe('skipped');
      // CI runs on the human's head; the PR merges at that head, never at the old one.
      const pr = pulls()[0]!;
      expect(pr.merged).toBe(true);
      expect(pr.headSha).not.toBe(agentHead);
      expect(merges().map((m) => m.sha)).toEqual([pr.headSha]);
    });

    it('a protected path in the diff → nothing pushed', async () => {
      loop = await start({
        script: { code: { files: { '.github/workflows/ci.yml': 'name: CI\non: push\njobs: {}\n', 'src/add.js': FIXED } } },
      });
      const n = await openAndLabel('add() subtracts', 'loop/code');
      await loop.settle();
      expect(pulls()).toEqual([]);
      expect(await git.revParse(loop.repo.gitDir, `refs/heads/agentloop/issue-${n}`)).toBeNull();
      expect(loop.labelsOf(n)).toEqual(['NeedSupervisor']);
    });
  });
});
