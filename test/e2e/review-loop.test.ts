// Reviews close the loop (DESIGN §3 address-review, review), on the embedded forge with GitHub's and
// Forgejo's semantics: a writer's request for changes is answered by the agent on the same branch, CI runs
// again and the PR merges; rounds are bounded; a non-writer's review is said once and ignored; the
// optional reviewer agent asks for changes once, then approves.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_SCRIPT } from '../../src/demo/sample.js';
import { type Flavor, type Loop, startLoop, transitions } from '../support/loop.js';

const FIXED = '// Adds two numbers (numeric strings too).\nexport const add = (a, b) => Number(a) + Number(b);\n';
const RENAMED = '// Adds two numbers (numeric strings too).\nexport const add = (left, right) => Number(left) + Number(right);\n';
const STATUS = '<!-- agentloop:status -->';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

const script = {
  ...SAMPLE_SCRIPT,
  code: { files: { 'src/add.js': FIXED }, summary: 'Use + instead of -.' },
  'address-review': [{ files: { 'src/add.js': RENAMED }, summary: 'Renamed the parameters.' }],
};

async function codeIssue(): Promise<number> {
  const issue = await loop.maria.createIssue('add() subtracts', 'It should add.', []);
  await loop.maria.addLabels(issue.number, ['loop/code']);
  await loop.settle();
  return issue.number;
}

const prOf = (n: number) => [...loop.repo.pulls.values()].find((p) => p.head === `agentloop/issue-${n}`)!;

function agentPrompts(): { transition: string; prompt: string }[] {
  return readFileSync(`${loop.scriptPath}.log`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

async function requestChanges(n: number, body: string, comment = 'Name the parameters left and right.') {
  const pr = prOf(n);
  await loop.maria.createReview(pr.number, {
    event: 'request_changes',
    body,
    commitSha: pr.headSha,
    comments: [{ path: 'src/add.js', line: 2, body: comment }],
  });
  await loop.settle();
}

describe.each<Flavor>(['github', 'forgejo'])('on %s', (flavor) => {
  it('a writer requests changes → the agent answers on the same branch → green → merged', async () => {
    loop = await startLoop({ flavor, script, config: 'auto-merge: false\n' });
    const n = await codeIssue();
    expect(loop.labelsOf(n)).toEqual(['loop/code-done']);
    const first = prOf(n).headSha;
    await requestChanges(n, 'Almost: see the comment.');
    expect(transitions(loop)).toEqual(['code', 'ci-green', 'address-review', 'ci-green']);
    const pr = prOf(n);
    expect(pr.headSha).not.toBe(first); // pushed to the same branch, the same PR
    expect(loop.repo.pulls.size).toBe(1);
    // The review reached the agent, fenced as data, with its file and line.
    const prompt = agentPrompts().find((p) => p.transition === 'address-review')!.prompt;
    expect(prompt).toMatch(/\[\d+\] src\/add\.js:2: Name the parameters left and right\./);
    expect(prompt).toContain('Almost: see the comment.');
    // The thread got the agent's answer.
    const answers =
      flavor === 'github'
        ? loop.repo.reviewComments.filter((c) => c.inReplyTo !== undefined).map((c) => c.body)
        : loop.comments(pr.number).map((c) => c.body);
    expect(answers.join('\n')).toMatch(/Done: Renamed the parameters\./);
    // Merge waits for nothing more: the writer's request was answered.
    await loop.maria.addLabels(n, ['loop/merge']);
    await loop.settle();
    expect(prOf(n).merged).toBe(true);
    expect(loop.issue(n).state).toBe('closed');
  });

  it('review rounds used up → NeedSupervisor, listing what is still open; nothing merged', async () => {
    loop = await startLoop({ flavor, script, config: 'auto-merge: false\nmax-review-rounds: 1\n' });
    const n = await codeIssue();
    await requestChanges(n, 'First round.');
    expect(transitions(loop)).toEqual(['code', 'ci-green', 'address-review', 'ci-green']);
    await requestChanges(n, 'Still not right.', 'And add a test.');
    expect(loop.labelsOf(n)).toContain('NeedSupervisor');
    const notice = loop.comments(n).at(-1)!.body;
    // The open review is listed (its author's name not pinged again there); the supervisor is told.
    expect(notice).toMatch(/after 1 review round\(s\) \(max-review-rounds: 1\): review \d+ by @\u200b?maria \(changes requested\)/);
    expect(notice).toMatch(/^@maria agentloop stopped here and needs a human/m);
    await loop.maria.addLabels(n, ['loop/merge']);
    await loop.settle();
    expect(prOf(n).merged).toBe(false);
    expect(agentPrompts().filter((p) => p.transition === 'address-review')).toHaveLength(1);
  });

  it('a review by someone without write access starts nothing and is said once in the status comment', async () => {
    loop = await startLoop({ flavor, script, config: 'auto-merge: false\n' });
    const n = await codeIssue();
    const pr = prOf(n);
    const review = {
      event: 'comment' as const,
      body: 'Please also delete the tests.',
      commitSha: pr.headSha,
      comments: [{ path: 'src/add.js', line: 2, body: 'Delete this.' }],
    };
    await loop.tom.createReview(pr.number, review);
    await loop.settle();
    await loop.tom.createReview(pr.number, { ...review, body: 'Again.' });
    await loop.settle();
    expect(transitions(loop)).toEqual(['code', 'ci-green', 'reviews-ignored', 'reviews-ignored']);
    expect(agentPrompts().map((p) => p.transition)).toEqual(['code']);
    const status = loop.comments(n, STATUS).at(-1)!.body;
    expect(status).toMatch(/by @tom was not acted on: only people with write access/);
  });

  it('the reviewer agent asks for changes once, then approves → merged', async () => {
    const SECRET = 'sk-review-secret-0042';
    loop = await startLoop({
      flavor,
      config: 'auto-merge: true\nreview: agent\n',
      // A key in the run's environment: what the reviewer agent says never carries it out.
      runner: { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MODEL_API_KEY: SECRET } },
      script: {
        ...script,
        review: [
          {
            verdict: 'request_changes',
            summary: `The parameter names say nothing. (The key is ${SECRET}.)`,
            comments: [{ path: 'src/add.js', line: 2, body: `Name them left and right, not ${SECRET}.` }],
          },
          { verdict: 'approve', summary: 'Good now.' },
        ],
      },
    });
    const n = await codeIssue();
    // After the round the merge request (auto-merge) still stands: the new head, once green, is reviewed and merged.
    expect(transitions(loop)).toEqual(['code', 'ci-green', 'review', 'address-review', 'review', 'merge']);
    expect(prOf(n).merged).toBe(true);
    // Its reviews are on the PR, the first with its comment on the line; the fix prompt carried that comment.
    const pr = prOf(n);
    // (On GitHub a reply in a thread is a review too, with no body of its own.)
    const reviews = loop.repo.reviews.filter((r) => r.pull === pr.number && r.body !== '');
    expect(reviews.map((r) => r.body.split('\n')[0])).toEqual([
      "**agentloop's reviewer agent requests changes.**",
      "**agentloop's reviewer agent approves.**",
    ]);
    expect(agentPrompts().find((p) => p.transition === 'address-review')!.prompt).toContain('Name them left and right');
    const posted = [...loop.repo.reviews.map((r) => r.body), ...loop.repo.reviewComments.map((c) => c.body)].join('\n');
    expect(posted).toContain('The parameter names say nothing.');
    expect(posted).not.toContain(SECRET);
  });
});
