// PR reviews end to end: agentloop's own adapters (listReviews, listReviewComments, createReview,
// replyToReviewComment) as the clients of the embedded forge in GitHub and Forgejo mode, every request
// checked against the forge's API description (and every Forgejo answer against its swagger), and the
// review events starting the repository's workflows with each forge's rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmbeddedForge,
  git,
  type RepoState,
  validateForgejoRequest,
  validateForgejoResponse,
  validateRequest,
  WorkflowRunner,
} from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import type { Forge } from '../../src/forge/forge.js';
import { createForgejoForge } from '../../src/forge/forgejo.js';
import { createGitHubForge } from '../../src/forge/github.js';

type Flavor = 'github' | 'forgejo';

const job = (echo: string) => `jobs:\n  log:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${echo}"\n`;
const WORKFLOWS: Record<string, string> = {
  '.github/workflows/on-review.yml': `name: on review\non: pull_request_review\n${job(`event=\${{ github.event_name }} state=\${{ github.event.review.state }}`)}`,
  '.github/workflows/on-submitted.yml': `name: on submitted\non:\n  pull_request_review:\n    types: [submitted]\n${job('submitted')}`,
  '.github/workflows/on-review-comment.yml': `name: on review comment\non: pull_request_review_comment\n${job(`event=\${{ github.event_name }}`)}`,
};

interface Env {
  dir: string;
  forge: EmbeddedForge;
  repo: RepoState;
  runner: WorkflowRunner;
  client(login: string): Forge;
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    e.runner.stop();
    await e.forge.stop();
    await rm(e.dir, { recursive: true, force: true });
  }
});

async function setup(flavor: Flavor): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'agentloop-reviews-'));
  const forge = new EmbeddedForge({
    root: join(dir, 'forge'),
    ...(flavor === 'forgejo'
      ? { flavor, validate: validateForgejoRequest, validateResponse: validateForgejoResponse }
      : { validate: validateRequest }),
  });
  await forge.start();
  const repo = await forge.createRepo('acme', 'widget', { 'src/add.js': 'export const add = (a, b) => a - b;\n', ...WORKFLOWS });
  forge.addCollaborator(repo, 'maria', 'admin');
  // A reader may review on both forges.
  forge.addCollaborator(repo, 'tom', 'read');
  const runner = new WorkflowRunner(forge, { flavor, actionDir: join(dir, 'action'), workRoot: join(dir, 'work') });
  runner.start();
  const where = { token: '', owner: 'acme', repo: 'widget', baseUrl: forge.urls.api, retryAfterBaseMs: 1 };
  const client = (login: string): Forge =>
    flavor === 'forgejo'
      ? createForgejoForge({ ...where, token: forge.token(login), conflictRecheckMs: 0 })
      : createGitHubForge({ ...where, token: forge.token(login), spaceWrites: false });
  const env = { dir, forge, repo, runner, client };
  envs.push(env);
  return env;
}

/** maria's PR: `add` made to add. */
async function openPull(e: Env) {
  await git.commitFiles(e.repo.gitDir, 'fix-add', { 'src/add.js': 'export const add = (a, b) => a + b;\n' }, 'Make add add', {
    from: 'main',
  });
  return e.client('maria').createPull({ title: 'Fix add', body: 'Closes #1', head: 'fix-add', base: 'main' });
}

/** The runs started since the first `from` ones: workflow and event. */
const runsBy = (e: Env, from = 0) =>
  e.runner.runs
    .slice(from)
    .map((r) => `${r.workflow.name}: ${r.event.name}`)
    .sort();

describe.each(['github', 'forgejo'] as const)('reviews on %s', (flavor) => {
  it("refuses the author's own approval, submits a reader's review with line comments, lists and answers them", async () => {
    const e = await setup(flavor);
    const pull = await openPull(e);
    const maria = e.client('maria');
    const tom = e.client('tom');

    // Its author may not approve it or request changes on it; a comment review is fine.
    const own = { body: 'Looks right to me.', commitSha: pull.headSha, comments: [] };
    await expect(maria.createReview(pull.number, { ...own, event: 'approve' })).rejects.toMatchObject({ status: 422 });
    await expect(maria.createReview(pull.number, { ...own, event: 'request_changes' })).rejects.toMatchObject({ status: 422 });

    const changes = await tom.createReview(pull.number, {
      event: 'request_changes',
      body: 'Almost.',
      commitSha: pull.headSha,
      comments: [{ path: 'src/add.js', line: 1, body: 'Name the parameters.\nAlso: a test?' }],
    });
    expect(changes).toMatchObject({ author: { login: 'tom' }, state: 'changes_requested', body: 'Almost.', commitSha: pull.headSha });
    await e.runner.idle();
    // GitHub: pull_request_review submitted, and pull_request_review_comment for the line comment. Forgejo:
    // the pull_request_review_rejected hook runs pull_request_review workflows only.
    expect(runsBy(e)).toEqual(
      flavor === 'github'
        ? ['on review comment: pull_request_review_comment', 'on review: pull_request_review', 'on submitted: pull_request_review']
        : ['on review: pull_request_review', 'on submitted: pull_request_review'],
    );
    const log = e.runner.runs.find((r) => r.workflow.name === 'on review')!.jobs[0]!.log;
    // Forgejo's payload has no review.state (its `review` is {type, content}).
    expect(log).toContain(flavor === 'github' ? 'event=pull_request_review state=changes_requested' : 'event=pull_request_review state=');

    let since = e.runner.runs.length;
    await tom.createReview(pull.number, {
      event: 'comment',
      body: '',
      commitSha: pull.headSha,
      comments: [{ path: 'src/add.js', line: 1, body: 'Nit: a trailing comma.' }],
    });
    await e.runner.idle();
    // Forgejo's pull_request_review_comment hook runs both events' workflows, but `reviewed` counts as
    // created/edited there, so `types: [submitted]` does not match (modules/actions/workflows.go).
    expect(runsBy(e, since)).toEqual(
      flavor === 'github'
        ? ['on review comment: pull_request_review_comment', 'on review: pull_request_review', 'on submitted: pull_request_review']
        : ['on review comment: pull_request_review_comment', 'on review: pull_request_review'],
    );

    expect((await maria.listReviews(pull.number)).map((r) => [r.author.login, r.state])).toEqual([
      ['tom', 'changes_requested'],
      ['tom', 'commented'],
    ]);
    const comments = await maria.listReviewComments(pull.number);
    expect(comments).toMatchObject([
      { author: { login: 'tom' }, path: 'src/add.js', line: 1, reviewId: changes.id, body: 'Name the parameters.\nAlso: a test?' },
      { author: { login: 'tom' }, path: 'src/add.js', line: 1, body: 'Nit: a trailing comma.' },
    ]);
    // A new review comment starts a thread on GitHub; Forgejo has one conversation per file and line.
    if (flavor === 'github') expect(comments[1]).not.toHaveProperty('inReplyTo');
    else expect(comments[1]!.inReplyTo).toBe(comments[0]!.id);
    if (flavor === 'forgejo') expect(comments[0]!.resolved).toBe(false);
    else expect(comments[0]).not.toHaveProperty('resolved');

    since = e.runner.runs.length;
    await maria.replyToReviewComment(pull.number, comments[1]!, 'Done: named them.');
    await e.runner.idle();
    if (flavor === 'github') {
      // Into the thread, as a new COMMENTED review: both review events again.
      const after = await maria.listReviewComments(pull.number);
      expect(after.at(-1)).toMatchObject({ author: { login: 'maria' }, body: 'Done: named them.', inReplyTo: comments[1]!.id });
      expect((await maria.listReviews(pull.number)).at(-1)).toMatchObject({ author: { login: 'maria' }, state: 'commented' });
      expect(runsBy(e, since)).toEqual([
        'on review comment: pull_request_review_comment',
        'on review: pull_request_review',
        'on submitted: pull_request_review',
      ]);
    } else {
      // No reply in Forgejo's API: a PR comment that quotes the thread.
      expect((await maria.listComments(pull.number)).map((c) => c.body)).toEqual([
        `> [\`src/add.js:1\`](${comments[1]!.htmlUrl}): Nit: a trailing comma.\n\nDone: named them.`,
      ]);
      expect(await maria.listReviewComments(pull.number)).toHaveLength(2);
      expect(runsBy(e, since)).toEqual([]);
    }
    expect(e.forge.violations).toEqual([]);
  });
});
