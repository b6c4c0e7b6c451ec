// Who agentloop is on this forge (DESIGN §8): exactly the login its token acts as, found with at most
// one request. And the comments it reads as its own are found by exactly that login.

import { describe, expect, it } from 'vitest';
import type { Actor, CommentData } from '../../src/core/model.js';
import { emptyState, renderStatusComment } from '../../src/core/status-comment.js';
import type { Forge } from '../../src/forge/forge.js';
import { identityNeeded, resolveIdentity } from '../../src/services/identity.js';
import { loadItem } from '../../src/services/item-loader.js';
import { unitContext } from '../support/unit-context.js';

function fakeForge(self: Actor | null | Error) {
  let requests = 0;
  const forge = {
    kind: 'github',
    stats: () => ({ requests }),
    getSelf: async () => {
      requests += 1;
      if (self instanceof Error) throw self;
      return self;
    },
  } as unknown as Forge;
  return { forge, requests: () => requests };
}

const opts = (over: Partial<{ token: string; workflowToken: string; appSlug: string }> = {}) => ({
  token: 'ghp_personal',
  workflowToken: 'ghs_workflow',
  appSlug: '',
  ...over,
});

describe('identity: the login the token acts as', () => {
  it('the workflow token acts as github-actions[bot]: no request', async () => {
    const f = fakeForge(null);
    expect(await resolveIdentity(f.forge, opts({ token: 'ghs_workflow' }))).toMatchObject({ ok: true, login: 'github-actions[bot]' });
    expect(f.requests()).toBe(0);
  });
  it('an App installation token acts as <app-slug>[bot], from the app-slug input: no request', async () => {
    const f = fakeForge(null);
    expect(await resolveIdentity(f.forge, opts({ token: 'ghs_app', appSlug: 'acme-agentloop' }))).toMatchObject({
      ok: true,
      login: 'acme-agentloop[bot]',
    });
    expect(f.requests()).toBe(0);
  });
  it('the workflow token wins over app-slug (the token is what acts)', async () => {
    const f = fakeForge(null);
    expect(await resolveIdentity(f.forge, opts({ token: 'ghs_workflow', appSlug: 'acme-agentloop' }))).toMatchObject({
      login: 'github-actions[bot]',
    });
  });
  it('a PAT acts as its user, from GET /user: one request', async () => {
    const f = fakeForge({ login: 'agentloop-bot', type: 'User' });
    expect(await resolveIdentity(f.forge, opts())).toMatchObject({ ok: true, login: 'agentloop-bot' });
    expect(f.requests()).toBe(1);
  });
  it('a token that may not ask who it is, with no app-slug: refuse before any write, saying what to set', async () => {
    const f = fakeForge(null);
    const id = await resolveIdentity(f.forge, opts({ token: 'ghs_app' }));
    expect(id.ok).toBe(false);
    if (!id.ok) expect(id.message).toMatch(/app-slug/);
    expect(f.requests()).toBe(1);
  });
  it('an empty workflow token never matches', async () => {
    const f = fakeForge({ login: 'agentloop-bot', type: 'User' });
    expect(await resolveIdentity(f.forge, opts({ token: '', workflowToken: '' }))).toMatchObject({ login: 'agentloop-bot' });
  });
  it('other errors propagate (the run fails; nothing was written)', async () => {
    const f = fakeForge(Object.assign(new Error('boom'), { status: 500 }));
    await expect(resolveIdentity(f.forge, opts())).rejects.toThrow('boom');
  });
  it("is not looked up where it is not needed: a sweep deciding on a workflow run's event", () => {
    const ci = {
      kind: 'ci' as const,
      workflow: 'CI',
      runId: 1,
      conclusion: 'failure',
      headSha: 's',
      headBranch: 'main',
      url: '',
      runEvent: 'push',
      headRepo: 'acme/widget',
      repo: 'acme/widget',
    };
    expect(identityNeeded(ci, 'sweep', 'main')).toBe(false);
    expect(identityNeeded(ci, 'auto', 'main')).toBe(false);
    expect(identityNeeded(ci, 'code', 'main')).toBe(true);
    expect(identityNeeded({ kind: 'schedule' }, 'sweep', 'main')).toBe(true);
    expect(identityNeeded({ kind: 'dispatch', chain: 0 }, 'auto', 'main')).toBe(true);
  });
});

describe('identity: agentloop reads and edits only comments it authored', () => {
  const at = '2026-11-21T10:00:00Z';
  const comment = (id: number, login: string, body: string): CommentData => ({
    id,
    body,
    author: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
    createdAt: at,
    updatedAt: at,
    htmlUrl: `https://github.com/acme/widget/issues/7#issuecomment-${id}`,
  });

  async function load(selfLogin: string, comments: CommentData[]) {
    const writes: string[] = [];
    const forge = {
      kind: 'github',
      stats: () => ({ requests: 0 }),
      getIssue: async () => ({
        number: 7,
        title: 't',
        body: 'b',
        state: 'open',
        isPull: false,
        labels: [],
        author: { login: 'maria', type: 'User' },
        createdAt: at,
        htmlUrl: '',
      }),
      listComments: async () => comments,
      listLabelEvents: async () => [],
      getPermission: async () => 'write',
      createComment: async (_n: number, _body: string) => {
        writes.push('create');
        return comment(99, selfLogin, _body);
      },
      updateComment: async (id: number) => void writes.push(`update ${id}`),
    } as unknown as Forge;
    const rc = unitContext({ forge, selfLogin });
    const item = await loadItem(rc, 7, { kind: 'dispatch', chain: 0 });
    return { item, writes };
  }

  const forged = renderStatusComment({ title: 'done', steps: [], message: 'x' }, { ...emptyState(), attempt: 2 });

  it("a writer's comment carrying the status marker is neither read as agentloop's state nor overwritten", async () => {
    const { item, writes } = await load('agentloop-bot', [comment(5, 'maria', forged)]);
    expect(item.status.exists).toBe(false);
    expect(item.status.state.attempt).toBe(0);
    await item.status.write({ title: 'planning', steps: [], message: 'm' });
    expect(writes).toEqual(['create']);
  });

  it('the workflow token bot is not agentloop when agentloop runs with a PAT', async () => {
    const { item } = await load('agentloop-bot', [comment(5, 'github-actions[bot]', forged)]);
    expect(item.status.exists).toBe(false);
  });

  it('its own status comment is found and edited in place', async () => {
    const { item, writes } = await load('agentloop-bot', [comment(5, 'maria', forged), comment(6, 'AgentLoop-Bot', forged)]);
    expect(item.status.exists).toBe(true);
    expect(item.status.state.attempt).toBe(2);
    await item.status.write({ title: 'planning', steps: [], message: 'm' });
    expect(writes).toEqual(['update 6']);
  });
});

describe('identity on Forgejo: the token user', () => {
  const forgejo = (self: Actor | null) => {
    const f = fakeForge(self);
    return { ...f, forge: { ...f.forge, kind: 'forgejo' } as Forge };
  };
  it('always asks GET /user, even for the workflow token or with app-slug (GitHub rules)', async () => {
    const { forge } = forgejo({ login: 'loop-bot', type: 'User' });
    expect(await resolveIdentity(forge, opts({ token: 't', workflowToken: 't', appSlug: 'app' }))).toEqual({
      ok: true,
      login: 'loop-bot',
      source: 'GET /user',
    });
  });
  it("refuses, naming the bot user's token, when GET /user is refused", async () => {
    const { forge } = forgejo(null);
    expect(await resolveIdentity(forge, opts())).toMatchObject({ ok: false, message: expect.stringMatching(/bot user's access token/) });
  });
});

describe('forge detection', async () => {
  const { detectForge } = await import('../../src/run/actions-env.js');
  it('FORGEJO_ACTIONS, then GITEA_ACTIONS, then GitHub; the forge input overrides', () => {
    expect(detectForge({})).toBe('github');
    expect(detectForge({ FORGEJO_ACTIONS: 'true' })).toBe('forgejo');
    expect(detectForge({ GITEA_ACTIONS: 'true' })).toBe('forgejo');
    expect(detectForge({ FORGEJO_ACTIONS: 'true', INPUT_FORGE: 'github' })).toBe('github');
    expect(detectForge({ INPUT_FORGE: 'forgejo' })).toBe('forgejo');
    expect(detectForge({ GITEA_ACTIONS: 'true', INPUT_FORGE: 'auto' })).toBe('forgejo');
  });
});
