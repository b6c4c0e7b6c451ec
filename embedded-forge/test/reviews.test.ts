// Pull request reviews in the embedded forge: GitHub's routes (answers checked against its OpenAPI
// description) and refusals, Forgejo's (requests and answers checked against its swagger), the events
// each sends, and how each forge's workflow `on:` matches them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ForgeEvent } from '../src/events.js';
import * as git from '../src/git-ops.js';
import { validateRequest, validateResponse } from '../src/openapi.js';
import { EmbeddedForge } from '../src/server.js';
import type { RepoState } from '../src/state.js';
import { validateForgejoRequest, validateForgejoResponse } from '../src/swagger.js';
import { matchesOn, parseWorkflowFile, planEvent, type TriggerEvent } from '../src/workflow-engine.js';

const BEFORE = 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\nline 10\n';
// Line 2 changes; lines 1–5 are in the hunk (three lines of context), 6–10 are not.
const AFTER = BEFORE.replace('line 2\n', 'line two\n');

interface Env {
  dir: string;
  forge: EmbeddedForge;
  repo: RepoState;
  events: ForgeEvent[];
  /** `method path` relative to the API root, as `login` (a classic PAT), or with a raw token. */
  // biome-ignore lint/suspicious/noExplicitAny: the answers have many shapes; each test reads what it checks.
  call(method: string, path: string, login: string | { token: string }, body?: unknown): Promise<{ status: number; json: any }>;
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    await e.forge.stop();
    await rm(e.dir, { recursive: true, force: true });
  }
});

async function setup(flavor: 'github' | 'forgejo'): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'embedded-reviews-'));
  const forge = new EmbeddedForge(
    flavor === 'forgejo'
      ? { root: dir, flavor, validate: validateForgejoRequest, validateResponse: validateForgejoResponse }
      : { root: dir, validate: validateRequest },
  );
  await forge.start();
  const repo = await forge.createRepo('acme', 'widget', { 'notes.txt': BEFORE });
  forge.addCollaborator(repo, 'maria', 'write');
  forge.addCollaborator(repo, 'tom', 'read');
  const events: ForgeEvent[] = [];
  forge.on((ev) => events.push(ev));
  const call: Env['call'] = async (method, path, who, body) => {
    const token = typeof who === 'string' ? forge.token(who) : who.token;
    const res = await fetch(`${forge.urls.api}${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const env = { dir, forge, repo, events, call };
  envs.push(env);
  return env;
}

/** maria's PR changing line 2 of notes.txt; returns its number and head. */
async function openPull(e: Env): Promise<{ number: number; head: string; first: string }> {
  const first = await git.commitFiles(e.repo.gitDir, 'edit', { 'notes.txt': AFTER }, 'edit line 2', { from: 'main' });
  const res = await e.call('POST', '/repos/acme/widget/pulls', 'maria', { title: 'Edit', body: '', head: 'edit', base: 'main' });
  expect(res.status).toBe(201);
  return { number: res.json.number, head: first, first };
}

/** Every GitHub answer below must be what GitHub's description declares. */
function githubShape(method: string, path: string, status: number, body: unknown): string[] {
  return validateResponse({ method, url: path, status, body });
}

describe('GitHub mode', () => {
  it('submits a review with line comments; answers and lists match the OpenAPI description', async () => {
    const e = await setup('github');
    const pr = await openPull(e);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    const res = await e.call('POST', path, 'tom', {
      event: 'REQUEST_CHANGES',
      body: 'Use digits.',
      commit_id: pr.head,
      comments: [{ path: 'notes.txt', line: 2, side: 'RIGHT', body: 'two → 2' }],
    });
    expect(res.status).toBe(200);
    expect(githubShape('POST', path, 200, res.json)).toEqual([]);
    expect(res.json).toMatchObject({ state: 'CHANGES_REQUESTED', user: { login: 'tom' }, commit_id: pr.head, body: 'Use digits.' });

    const reviews = await e.call('GET', path, 'maria');
    expect(githubShape('GET', path, 200, reviews.json)).toEqual([]);
    expect(reviews.json.map((r: { id: number }) => r.id)).toEqual([res.json.id]);
    const commentsPath = `/repos/acme/widget/pulls/${pr.number}/comments`;
    const comments = await e.call('GET', commentsPath, 'maria');
    expect(githubShape('GET', commentsPath, 200, comments.json)).toEqual([]);
    expect(comments.json).toMatchObject([
      { pull_request_review_id: res.json.id, path: 'notes.txt', line: 2, side: 'RIGHT', body: 'two → 2', commit_id: pr.head },
    ]);
    expect(comments.json[0].diff_hunk).toBe('@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two');

    // The author answers in the thread: a reply (201), itself a new COMMENTED review.
    const replyPath = `${commentsPath}/${comments.json[0].id}/replies`;
    const reply = await e.call('POST', replyPath, 'maria', { body: 'Done.' });
    expect(reply.status).toBe(201);
    expect(githubShape('POST', replyPath, 201, reply.json)).toEqual([]);
    expect(reply.json).toMatchObject({ in_reply_to_id: comments.json[0].id, path: 'notes.txt', line: 2, user: { login: 'maria' } });
    expect(
      (await e.call('GET', path, 'maria')).json.map((r: { state: string; user: { login: string } }) => [r.user.login, r.state]),
    ).toEqual([
      ['tom', 'CHANGES_REQUESTED'],
      ['maria', 'COMMENTED'],
    ]);
    // "Replies to replies are not supported": only the thread's first comment takes replies.
    expect((await e.call('POST', `${commentsPath}/${reply.json.id}/replies`, 'tom', { body: 'Thanks.' })).status).toBe(404);

    // Events: the review (state in lower case, as webhooks name it) and each line comment.
    const sent = e.events.filter((ev) => ev.name.startsWith('pull_request_review'));
    expect(sent.map((ev) => [ev.name, ev.action, ev.actor])).toEqual([
      ['pull_request_review', 'submitted', 'tom'],
      ['pull_request_review_comment', 'created', 'tom'],
      ['pull_request_review', 'submitted', 'maria'],
      ['pull_request_review_comment', 'created', 'maria'],
    ]);
    expect(sent[0]!.payload).toMatchObject({
      action: 'submitted',
      review: { state: 'changes_requested', user: { login: 'tom' }, commit_id: pr.head },
      pull_request: { number: pr.number, head: { sha: pr.head } },
      sender: { login: 'tom' },
    });
    expect(sent[0]).toMatchObject({ ref: `refs/pull/${pr.number}/merge`, sha: pr.head });
    expect(sent[3]!.payload).toMatchObject({ comment: { in_reply_to_id: comments.json[0].id }, pull_request: { number: pr.number } });
    expect(e.forge.violations).toEqual([]);
  });

  it("refuses the author's own approval and request for changes, and a line outside the diff (all or nothing)", async () => {
    const e = await setup('github');
    const pr = await openPull(e);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    const approve = await e.call('POST', path, 'maria', { event: 'APPROVE', commit_id: pr.head });
    expect(approve).toMatchObject({
      status: 422,
      json: { message: 'Unprocessable Entity', errors: ['Can not approve your own pull request'] },
    });
    const changes = await e.call('POST', path, 'maria', { event: 'REQUEST_CHANGES', body: 'hm', commit_id: pr.head });
    expect(changes.json.errors).toEqual(['Can not request changes on your own pull request']);
    expect((await e.call('POST', path, 'maria', { event: 'COMMENT', body: 'Note to self.', commit_id: pr.head })).status).toBe(200);
    // A body is required to request changes, and for a comment review without line comments.
    expect((await e.call('POST', path, 'tom', { event: 'REQUEST_CHANGES', body: '', commit_id: pr.head })).status).toBe(422);
    expect((await e.call('POST', path, 'tom', { event: 'COMMENT', commit_id: pr.head })).status).toBe(422);

    const outside = await e.call('POST', path, 'tom', {
      event: 'COMMENT',
      body: 'Two comments.',
      commit_id: pr.head,
      comments: [
        { path: 'notes.txt', line: 2, side: 'RIGHT', body: 'fine' },
        { path: 'notes.txt', line: 9, side: 'RIGHT', body: 'not in the diff' },
      ],
    });
    expect(outside.status).toBe(422);
    expect(outside.json.errors[0]).toMatch(/^Pull request review thread line must be part of the diff/);
    const unchanged = await e.call('POST', path, 'tom', {
      event: 'COMMENT',
      body: '',
      commit_id: pr.head,
      comments: [{ path: 'README.md', line: 1, side: 'RIGHT', body: 'no such file in the diff' }],
    });
    expect(unchanged.status).toBe(422);
    // Nothing of the refused reviews was kept.
    expect(e.repo.reviews.map((r) => r.user)).toEqual(['maria']);
    expect(e.repo.reviewComments).toEqual([]);
    expect(e.forge.violations).toEqual([]);
  });

  it('attaches a review to an older commit of the PR and checks its lines against that commit; refuses an unknown sha', async () => {
    const e = await setup('github');
    const pr = await openPull(e);
    const newer = await git.commitFiles(e.repo.gitDir, 'edit', { 'notes.txt': AFTER.replace('line 9\n', 'line nine\n') }, 'edit line 9');
    await e.forge.refreshPullHeads(e.repo);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    const nine = { path: 'notes.txt', line: 9, side: 'RIGHT', body: 'nine → 9' };
    // Line 9 is in the diff at the head, not at the first commit.
    expect((await e.call('POST', path, 'tom', { event: 'COMMENT', body: 'x', commit_id: pr.first, comments: [nine] })).status).toBe(422);
    const old = await e.call('POST', path, 'tom', { event: 'APPROVE', body: '', commit_id: pr.first });
    expect(old).toMatchObject({ status: 200, json: { state: 'APPROVED', commit_id: pr.first } });
    const head = await e.call('POST', path, 'tom', { event: 'COMMENT', body: '', comments: [nine] });
    expect(head.json.commit_id).toBe(newer); // no commit_id: the head
    const unknown = await e.call('POST', path, 'tom', { event: 'APPROVE', commit_id: 'f'.repeat(40) });
    expect(unknown.status).toBe(422);
    expect(e.forge.violations).toEqual([]);
  });

  it('the workflow token approves only where "Allow GitHub Actions to create and approve pull requests" is on', async () => {
    const e = await setup('github');
    const pr = await openPull(e);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    const bot = { token: e.forge.workflowToken(e.repo, { pull_requests: 'write' }) };
    const refused = await e.call('POST', path, bot, { event: 'APPROVE', commit_id: pr.head });
    expect(refused).toMatchObject({ status: 422, json: { errors: ['GitHub Actions is not permitted to approve pull requests.'] } });
    // Commenting and requesting changes are not approvals.
    expect((await e.call('POST', path, bot, { event: 'REQUEST_CHANGES', body: 'No.', commit_id: pr.head })).status).toBe(200);
    e.forge.setWorkflowPermissions(e.repo, { can_approve_pull_request_reviews: true });
    expect((await e.call('POST', path, bot, { event: 'APPROVE', commit_id: pr.head })).status).toBe(200);
    // Its writes start no workflow: the events say so.
    expect(e.events.filter((ev) => ev.name === 'pull_request_review').every((ev) => ev.automatic)).toBe(true);
    // A token without pull_requests: write may not review at all.
    const reader = { token: e.forge.workflowToken(e.repo, { pull_requests: 'read' }) };
    expect((await e.call('POST', path, reader, { event: 'COMMENT', body: 'x', commit_id: pr.head })).status).toBe(403);
  });
});

describe('Forgejo mode', () => {
  it('submits reviews with code comments; lists reviews and each review’s comments; answers match the swagger', async () => {
    const e = await setup('forgejo');
    const pr = await openPull(e);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    const res = await e.call('POST', path, 'tom', {
      event: 'REQUEST_CHANGES',
      body: 'Use digits.',
      commit_id: pr.head,
      comments: [{ path: 'notes.txt', body: 'two → 2', new_position: 2 }],
    });
    expect(res).toMatchObject({
      status: 200,
      json: { state: 'REQUEST_CHANGES', user: { login: 'tom' }, comments_count: 1, dismissed: false },
    });
    // A line outside the diff is accepted: its patch is simply empty.
    const outside = await e.call('POST', path, 'maria', {
      event: 'COMMENT',
      body: '',
      comments: [{ path: 'notes.txt', body: 'far away', new_position: 9 }],
    });
    expect(outside.status).toBe(200);
    const list = await e.call('GET', `${path}?limit=50`, 'maria');
    expect(list.json.map((r: { state: string; commit_id: string }) => [r.state, r.commit_id])).toEqual([
      ['REQUEST_CHANGES', pr.head],
      ['COMMENT', pr.head],
    ]);
    const comments = await e.call('GET', `${path}/${res.json.id}/comments`, 'maria');
    expect(comments.json).toMatchObject([
      { path: 'notes.txt', position: 2, body: 'two → 2', resolver: null, pull_request_review_id: res.json.id },
    ]);
    expect(comments.json[0].diff_hunk).toMatch(/^@@ -1,5 \+1,5 @@/);
    expect((await e.call('GET', `${path}/${outside.json.id}/comments`, 'maria')).json[0].diff_hunk).toBe('');
    // A review of another PR is not found under this one.
    expect((await e.call('GET', `/repos/acme/widget/pulls/${pr.number + 1}/reviews/${res.json.id}/comments`, 'maria')).status).toBe(404);
    expect((await e.call('GET', `/repos/acme/widget/pulls/${pr.number}`, 'maria')).json.review_comments).toBe(2);

    // Each review is delivered under its hook's name, action `reviewed`, at the reviewed commit.
    const sent = e.events.filter((ev) => ev.name.startsWith('pull_request_review'));
    expect(sent.map((ev) => [ev.name, ev.action, ev.actor, ev.ref])).toEqual([
      ['pull_request_review_rejected', 'reviewed', 'tom', pr.head],
      ['pull_request_review_comment', 'reviewed', 'maria', pr.head],
    ]);
    expect(sent[0]!.payload).toMatchObject({
      action: 'reviewed',
      number: pr.number,
      review: { type: 'pull_request_review_rejected', content: 'Use digits.' },
      pull_request: { number: pr.number },
      sender: { login: 'tom' },
    });
    expect(e.forge.violations).toEqual([]);
  });

  it("refuses the poster's approval or rejection of their own PR (422) and reviews without the body they need", async () => {
    const e = await setup('forgejo');
    const pr = await openPull(e);
    const path = `/repos/acme/widget/pulls/${pr.number}/reviews`;
    expect(await e.call('POST', path, 'maria', { event: 'APPROVED', body: '' })).toMatchObject({
      status: 422,
      json: { message: 'approve your own pull is not allowed' },
    });
    expect(await e.call('POST', path, 'maria', { event: 'REQUEST_CHANGES', body: 'x' })).toMatchObject({
      status: 422,
      json: { message: 'reject your own pull is not allowed' },
    });
    expect(await e.call('POST', path, 'tom', { event: 'REQUEST_CHANGES', body: '  ' })).toMatchObject({
      status: 422,
      json: { message: 'review event REQUEST_CHANGES requires a body' },
    });
    expect(await e.call('POST', path, 'tom', { event: 'COMMENT', body: '' })).toMatchObject({
      status: 422,
      json: { message: 'review event COMMENT requires a body or a comment' },
    });
    // Approving needs no body; a reader may review.
    expect((await e.call('POST', path, 'tom', { event: 'APPROVED' })).status).toBe(200);
    expect(e.repo.reviews.map((r) => [r.user, r.state])).toEqual([['tom', 'APPROVED']]);
    // No token: 401.
    const anonymous = await fetch(`${e.forge.urls.api}${path}`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('review events and workflow `on:`', () => {
  const wf = (on: string) =>
    parseWorkflowFile({
      path: '.forgejo/workflows/w.yml',
      text: `on:\n${on}\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: 'true'\n`,
    });
  const hook = (name: string): TriggerEvent => ({ name, action: 'reviewed', payload: { action: 'reviewed' }, ref: '', sha: '' });

  it('Forgejo: approved/rejected hooks run pull_request_review (as submitted or edited); the comment hook runs both events (as created or edited)', async () => {
    const review = await wf('  pull_request_review:');
    const submitted = await wf('  pull_request_review:\n    types: [submitted]');
    const reviewComment = await wf('  pull_request_review_comment:');
    const created = await wf('  pull_request_review_comment:\n    types: [created]');
    const table: [string, boolean[]][] = [
      // [hook, [review, submitted, reviewComment, created]]
      ['pull_request_review_approved', [true, true, false, false]],
      ['pull_request_review_rejected', [true, true, false, false]],
      ['pull_request_review_comment', [true, false, true, true]],
    ];
    for (const [name, want] of table)
      expect(
        [review, submitted, reviewComment, created].map((w) => matchesOn(w, hook(name), 'forgejo')),
        name,
      ).toEqual(want);
  });

  it('Forgejo: one COMMENT review runs a workflow on both events twice (one run per matching `on:` event)', async () => {
    const text = `name: both\non: [pull_request_review, pull_request_review_comment]\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: 'true'\n`;
    const plan = await planEvent([{ path: '.forgejo/workflows/both.yml', text }], hook('pull_request_review_comment'), 'forgejo', {
      owner: 'acme',
      name: 'widget',
      defaultBranch: 'main',
    });
    expect(plan.runs.map((r) => [r.event.name, r.github.event_name])).toEqual([
      ['pull_request_review', 'pull_request_review'],
      ['pull_request_review_comment', 'pull_request_review_comment'],
    ]);
  });

  it('GitHub: pull_request_review by its activity types (submitted, edited, dismissed), review comments by theirs', async () => {
    const submitted = await wf('  pull_request_review:\n    types: [submitted]');
    const dismissed = await wf('  pull_request_review:\n    types: [dismissed]');
    const comment = await wf('  pull_request_review_comment:');
    const ev = (name: string, action: string): TriggerEvent => ({ name, action, payload: { action }, ref: '', sha: '' });
    expect(matchesOn(submitted, ev('pull_request_review', 'submitted'), 'github')).toBe(true);
    expect(matchesOn(dismissed, ev('pull_request_review', 'submitted'), 'github')).toBe(false);
    expect(matchesOn(comment, ev('pull_request_review_comment', 'created'), 'github')).toBe(true);
    expect(matchesOn(comment, ev('pull_request_review', 'submitted'), 'github')).toBe(false);
  });
});
