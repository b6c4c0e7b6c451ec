// The workflow runner as strict as GitHub Actions (docs/embedded-forge.md): each job's token carries its
// `permissions:` and expires with the job; App tokens' writes start workflows; dispatch takes a workflow
// id or file name, never a path; a conflicting PR gets no `pull_request` run; a fork's PR runs with a
// read-only token and no secrets (and so does a review of one).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workflowIdOf } from '../src/api-github.js';
import * as git from '../src/git-ops.js';
import { validateRequest } from '../src/openapi.js';
import { type RunRecord, WorkflowRunner } from '../src/runner.js';
import { EmbeddedForge } from '../src/server.js';
import type { RepoState } from '../src/state.js';
import { api } from './support/client.js';

interface Env {
  dir: string;
  forge: EmbeddedForge;
  repo: RepoState;
  runner: WorkflowRunner;
  maria: string;
}

const envs: Env[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) {
    e.runner.stop();
    expect(e.forge.violations).toEqual([]);
    await e.forge.stop();
    await rm(e.dir, { recursive: true, force: true });
  }
});

async function setup(files: Record<string, string>): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'embedded-strict-'));
  const forge = new EmbeddedForge({ root: join(dir, 'forge'), validate: (req) => validateRequest(req) });
  await forge.start();
  const repo = await forge.createRepo('o', 'r', { 'README.md': '# r\n', ...files });
  forge.addCollaborator(repo, 'maria', 'write');
  const runner = new WorkflowRunner(forge, {
    flavor: 'github',
    actionDir: join(dir, 'action'),
    workRoot: join(dir, 'work'),
    secrets: { MY_SECRET: 's3cret' },
  });
  runner.start();
  const e = { dir, forge, repo, runner, maria: forge.token('maria') };
  envs.push(e);
  return e;
}

/** A step that labels item $ITEM with $TOKEN and reports the answer (and whether it saw the secret). */
const CALL = `
      - id: call
        run: node --input-type=module -e "$SCRIPT"
        env:
          TOKEN: \${{ github.token }}
          SECRET: \${{ secrets.MY_SECRET }}`;
const SCRIPT = `env:
  SCRIPT: |
    import { appendFileSync } from 'node:fs';
    const url = process.env.GITHUB_API_URL + '/repos/' + process.env.GITHUB_REPOSITORY + '/issues/' + process.env.ITEM + '/labels';
    const r = await fetch(url, { method: 'POST', headers: { authorization: 'token ' + process.env.TOKEN, 'content-type': 'application/json' }, body: JSON.stringify({ labels: ['touched'] }) });
    appendFileSync(process.env.GITHUB_OUTPUT, 'status=' + r.status + '\\naccepted=' + r.headers.get('x-accepted-github-permissions') + '\\nsecret=' + (process.env.SECRET ?? '').length + '\\n');
`;
const outputs = (run: RunRecord, job: string) => run.jobs.find((j) => j.key === job)!.steps.find((s) => s.id === 'call')!.outputs;

async function openIssue(e: Env): Promise<number> {
  const res = await api(e.forge, 'POST', '/repos/o/r/issues', e.maria, { title: 'An issue' });
  expect(res.status).toBe(201);
  return res.body.number;
}

describe('the job token', () => {
  it('carries each job’s permissions, is in the log’s GITHUB_TOKEN Permissions group, and expires with its job', async () => {
    const wf = `name: Jobs
on:
  issues:
    types: [labeled]
${SCRIPT}
jobs:
  writer:
    if: github.event.label.name == 'go'
    runs-on: ubuntu-latest
    permissions:
      issues: write
    env:
      ITEM: \${{ github.event.issue.number }}
    steps:${CALL}
  reader:
    needs: writer
    runs-on: ubuntu-latest
    permissions:
      issues: read
    env:
      ITEM: \${{ github.event.issue.number }}
    steps:${CALL}
`;
    const e = await setup({ '.github/workflows/jobs.yml': wf });
    const n = await openIssue(e);
    expect((await api(e.forge, 'POST', `/repos/o/r/issues/${n}/labels`, e.maria, { labels: ['go'] })).status).toBe(200);
    await e.runner.idle();
    const run = e.runner.runs.find((r) => r.event.label === 'go')!;
    expect(outputs(run, 'writer')).toMatchObject({ status: '200', accepted: 'issues=write' });
    expect(outputs(run, 'reader')).toMatchObject({ status: '403', accepted: 'issues=write' });
    expect(run.jobs[1]!.log).toMatch(/GITHUB_TOKEN Permissions\n.* Issues: read\n.* Metadata: read\n/);
    expect((await api(e.forge, 'GET', '/repos/o/r', run.token)).status).toBe(401);
    // The workflow token's label started no run (the `touched` event is automatic).
    expect(e.runner.runs.filter((r) => r.event.label === 'touched')).toEqual([]);
  });
});

describe('GitHub App installation tokens', () => {
  it('start workflow runs with their writes, as <slug>[bot]; the workflow token’s writes start none', async () => {
    const wf = `name: Labeled
on:
  issues:
    types: [labeled]
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo "actor=\${{ github.actor }}"
`;
    const e = await setup({ '.github/workflows/labeled.yml': wf });
    const n = await openIssue(e);
    const app = e.forge.appToken('helper', { issues: 'write' });
    expect((await api(e.forge, 'POST', `/repos/o/r/issues/${n}/labels`, app, { labels: ['by-app'] })).status).toBe(200);
    const bot = e.forge.workflowToken(e.repo, { issues: 'write' });
    expect((await api(e.forge, 'POST', `/repos/o/r/issues/${n}/labels`, bot, { labels: ['by-bot'] })).status).toBe(200);
    await e.runner.idle();
    expect(e.runner.runs.map((r) => [r.event.label, r.event.actor, r.conclusion])).toEqual([['by-app', 'helper[bot]', 'success']]);
  });
});

describe('workflow dispatch', () => {
  it('takes the workflow’s numeric id or its file name; a path is 404', async () => {
    const wf = `name: Manual
on: workflow_dispatch
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo manual
`;
    const e = await setup({ '.github/workflows/manual.yml': wf });
    const dispatch = (id: string) => api(e.forge, 'POST', `/repos/o/r/actions/workflows/${id}/dispatches`, e.maria, { ref: 'main' });
    expect((await dispatch('manual.yml')).status).toBe(204);
    expect((await dispatch(String(workflowIdOf('.github/workflows/manual.yml')))).status).toBe(204);
    const byPath = await dispatch(encodeURIComponent('.github/workflows/manual.yml'));
    expect([byPath.status, byPath.body.message]).toEqual([404, 'Not Found']);
    expect((await dispatch('manual')).status).toBe(404);
    await e.runner.idle();
    expect(e.runner.runs.map((r) => r.workflow.path)).toEqual(['.github/workflows/manual.yml', '.github/workflows/manual.yml']);
  });
});

const PR_WORKFLOWS = {
  '.github/workflows/pr.yml': `name: PR
on:
  pull_request:
    types: [opened]
${SCRIPT}
jobs:
  check:
    runs-on: ubuntu-latest
    permissions:
      issues: write
    env:
      ITEM: \${{ github.event.pull_request.number }}
    steps:${CALL}
`,
  '.github/workflows/prt.yml': `name: PRT
on:
  pull_request_target:
    types: [opened]
${SCRIPT}
jobs:
  check:
    runs-on: ubuntu-latest
    permissions:
      issues: write
    env:
      ITEM: \${{ github.event.pull_request.number }}
    steps:${CALL}
`,
};

describe('pull_request runs', () => {
  it('none for a pull request with merge conflicts (pull_request_target still runs)', async () => {
    const e = await setup(PR_WORKFLOWS);
    await git.commitFiles(e.repo.gitDir, 'clash', { 'README.md': '# theirs\n' }, 'clash', { from: 'main' });
    await git.commitFiles(e.repo.gitDir, 'main', { 'README.md': '# ours\n' }, 'main moves');
    await git.commitFiles(e.repo.gitDir, 'clean', { 'other.txt': 'x\n' }, 'clean', { from: 'main' });
    for (const head of ['clash', 'clean'])
      expect((await api(e.forge, 'POST', '/repos/o/r/pulls', e.maria, { title: head, head, base: 'main' })).status).toBe(201);
    await e.runner.idle();
    const runs = e.runner.runs.map((r) => `${r.workflow.name} ${r.headBranch}`).sort();
    expect(runs).toEqual(['PR clean', 'PRT clash', 'PRT clean']);
  });

  it('from a fork: read-only token and no secrets; pull_request_target runs as the base repository', async () => {
    const e = await setup(PR_WORKFLOWS);
    const pull = await e.forge.openForkPull(e.repo, { owner: 'mallory', branch: 'patch', files: { 'x.txt': 'x\n' }, title: 'Fork PR' });
    expect(pull.headRepo).toBe('mallory/r');
    const json = await api(e.forge, 'GET', `/repos/o/r/pulls/${pull.number}`, e.maria);
    expect([json.body.head.label, json.body.head.repo.full_name, json.body.head.repo.fork]).toEqual(['mallory:patch', 'mallory/r', true]);
    await e.runner.idle();
    const pr = e.runner.runs.find((r) => r.workflow.name === 'PR')!;
    const prt = e.runner.runs.find((r) => r.workflow.name === 'PRT')!;
    expect(pr.fromFork).toBe(true);
    expect(outputs(pr, 'check')).toMatchObject({ status: '403', secret: '0' });
    expect(pr.jobs[0]!.log).toMatch(/Issues: read/);
    expect(prt.fromFork).toBe(false);
    expect(outputs(prt, 'check')).toMatchObject({ status: '200', secret: '6' });
  });

  it("a review of a fork's pull request runs like its pull_request run: read-only token, no secrets", async () => {
    const review = `name: Review
on: pull_request_review
${SCRIPT}
jobs:
  check:
    runs-on: ubuntu-latest
    permissions:
      issues: write
    env:
      ITEM: \${{ github.event.pull_request.number }}
    steps:${CALL}
`;
    const e = await setup({ '.github/workflows/review.yml': review });
    const pull = await e.forge.openForkPull(e.repo, { owner: 'mallory', branch: 'patch', files: { 'x.txt': 'x\n' }, title: 'Fork PR' });
    await e.runner.idle();
    const res = await api(e.forge, 'POST', `/repos/o/r/pulls/${pull.number}/reviews`, e.maria, { event: 'COMMENT', body: 'Looks fine.' });
    expect(res.status).toBe(200);
    await e.runner.idle();
    const run = e.runner.runs.find((r) => r.workflow.name === 'Review')!;
    expect([run.event.name, run.fromFork]).toEqual(['pull_request_review', true]);
    expect(outputs(run, 'check')).toMatchObject({ status: '403', secret: '0' });
  });
});
