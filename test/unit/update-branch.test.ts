// update-branch (DESIGN §3 rebase, behind): GitHub answers 202 Accepted and merges the base into the head
// later. agentloop records the request — never "done", never a merge in the same run — and the next run
// decides on the new head. A refusal for the `workflows` permission escalates with what to grant.

import { describe, expect, it } from 'vitest';
import type { IssueData, PullData } from '../../src/core/model.js';
import { parseState } from '../../src/core/status-comment.js';
import type { Forge, UpdateBranchOutcome } from '../../src/forge/forge.js';
import type { CodeSnapshot } from '../../src/services/code-snapshot.js';
import { StatusWriter } from '../../src/services/status-writer.js';
import { rebase } from '../../src/transitions/rebase.js';
import { pull as pullSnap } from '../support/snapshot-builders.js';
import { unitContext } from '../support/unit-context.js';

const HEAD = 'a1b2c3d4e5f6';
const NOW = new Date('2026-11-21T12:00:00Z');

function setup(answer: UpdateBranchOutcome) {
  const calls: string[] = [];
  const comments = new Map<number, string>();
  let labels = ['loop/code-done', 'loop/merge'];
  const forge = {
    kind: 'github',
    stats: () => ({ requests: 0 }),
    limits: () => [],
    listRepoLabels: async () => ['loop/merge-in-process', 'NeedSupervisor'].map((name, id) => ({ id, name, color: '', description: '' })),
    createLabel: async () => {},
    addLabels: async (_n: number, names: string[]) => {
      calls.push(`addLabels ${names.join(',')}`);
      labels = [...labels, ...names];
    },
    removeLabel: async (_n: number, name: string) => {
      calls.push(`removeLabel ${name}`);
      labels = labels.filter((l) => l !== name);
    },
    createComment: async (n: number, body: string) => {
      // The status comment, by item; escalation notices are new comments beside it.
      if (!body.includes('agentloop:notice')) comments.set(n, body);
      return { id: 1, body, author: { login: 'agentloop-bot', type: 'User' }, createdAt: '', updatedAt: '', htmlUrl: '' };
    },
    updateComment: async (_id: number, body: string) => void comments.set(1, body),
    updatePullBranch: async (n: number, sha: string) => {
      calls.push(`updatePullBranch ${n} ${sha}`);
      return answer;
    },
    mergePull: async () => {
      calls.push('mergePull');
      return { merged: true, sha: 'x' };
    },
  } as unknown as Forge;
  const rc = unitContext({
    forge: forge,
    env: { runId: '7', runUrl: 'https://github.com/acme/widget/actions/runs/7' },
    selfLogin: 'agentloop-bot',
    now: () => NOW,
  });
  const data: IssueData = {
    number: 1,
    title: 'Issue 1',
    body: '',
    state: 'open',
    isPull: false,
    labels,
    author: { login: 'maria', type: 'User' },
    createdAt: '2026-11-21T10:00:00Z',
    htmlUrl: '',
  };
  const status = StatusWriter.load(forge, 1, [], () => true);
  const snapshot = { ...pullSnap(10), isPull: false as const };
  const item = { data, comments: [], status, snapshot: { ...snapshot, isPull: false, number: 1, labels } };
  const pull = { number: 10, headRef: 'agentloop/issue-1', baseRef: 'main', headSha: HEAD, htmlUrl: '' } as PullData;
  const cs = {
    snapshot: { now: NOW.toISOString(), defaultBranch: 'main', issues: [], pulls: [], defaultBranchHealth: [], runId: '7' },
    items: new Map([[1, item]]),
    pulls: new Map([[10, pull]]),
  } as unknown as CodeSnapshot;
  const t = { kind: 'rebase' as const, pull: 10, issue: 1, mode: 'update-branch' as const, headSha: HEAD, reason: 'behind' };
  return { rc, cs, t, calls, comments, labels: () => labels };
}

describe('update-branch', () => {
  it('202 Accepted is recorded as requested, not done, and nothing merges in the same run', async () => {
    const s = setup({ requested: true });
    const r = await rebase(s.rc, s.t, s.cs);
    expect(r.outcome).toBe('done');
    expect(r.message).toMatch(/requested/);
    expect(s.calls).toEqual(['addLabels loop/merge-in-process', `updatePullBranch 10 ${HEAD}`, 'removeLabel loop/merge-in-process']);
    const body = s.comments.get(1)!;
    expect(body).toMatch(/asked GitHub/i);
    expect(body).not.toMatch(/brought it up to date/);
    expect(parseState(body).updateRequested).toEqual({ sha: HEAD, at: NOW.toISOString() });
  });

  it('a refusal for the workflows permission escalates and says exactly what to grant', async () => {
    const s = setup({
      requested: false,
      status: 422,
      message: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
    });
    const r = await rebase(s.rc, s.t, s.cs);
    expect(r.outcome).toBe('failed');
    expect(s.labels()).toContain('NeedSupervisor');
    const body = s.comments.get(1)!;
    expect(body).toContain('`.github/workflows/ci.yml`');
    expect(body).toMatch(/Workflows: Read and write/);
    expect(body).toMatch(/`workflow` scope/);
  });

  it('a head that moved (422) is left for the next run to decide on', async () => {
    const s = setup({ requested: false, status: 422, message: 'expected head sha didn’t match current head ref.' });
    const r = await rebase(s.rc, s.t, s.cs);
    expect(r.outcome).toBe('skipped');
    expect(s.labels()).not.toContain('NeedSupervisor');
    expect(s.labels()).not.toContain('loop/merge-in-process');
  });

  it("any other refusal stops with GitHub's words instead of being retried on every event", async () => {
    const s = setup({ requested: false, status: 422, message: 'merge conflict between base and head' });
    const r = await rebase(s.rc, s.t, s.cs);
    expect(r.outcome).toBe('failed');
    expect(s.comments.get(1)!).toContain('merge conflict between base and head');
  });
});

describe('a push GitHub refuses for the workflows permission, anywhere', () => {
  it('hands the item to a human with what to grant, not just the git error', async () => {
    const { Claim, codeSteps } = await import('../../src/transitions/claim.js');
    const { GitError } = await import('../../src/git/repo.js');
    const { outcomeOf } = await import('../../src/core/outcomes.js');
    const s = setup({ requested: true });
    const item = s.cs.items.get(1)!;
    const claim = await Claim.take(
      s.rc,
      { transition: 'fix-ci', lane: 'code', item, outcome: outcomeOf('fix-ci', s.rc.config.labelNames), errorTitle: 'fix failed' },
      { title: 'fixing', steps: codeSteps(3), message: 'x' },
    );
    const stderr =
      ' ! [remote rejected] HEAD -> agentloop/issue-1 (refusing to allow a Personal Access Token to create or update workflow `.github/workflows/ci.yml` without `workflow` scope)\n';
    await expect(
      claim.run(async () => {
        throw new GitError(['push'], 1, stderr);
      }),
    ).rejects.toBeInstanceOf(GitError);
    expect(s.labels()).toContain('NeedSupervisor');
    const body = s.comments.get(1)!;
    expect(body).toMatch(/fine-grained personal access token.*Workflows: Read and write/);
    expect(body).toMatch(/classic personal access token.*`workflow` scope/);
    expect(body).toContain('`.github/workflows/ci.yml`');
  });
});
