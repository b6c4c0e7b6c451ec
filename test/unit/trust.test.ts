// The one trust rule (core/trust.ts), for every purpose and kind of actor.
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../src/core/model.js';
import { type Actor, isSelf, needsPermission, ownComment, type TrustPurpose, trust } from '../../src/core/trust.js';

const facts = { selfLogins: ['github-actions[bot]'], allowedBots: ['renovate[bot]'] };
const user = (login: string): Actor => ({ login, type: 'User' });
const bot = (login: string): Actor => ({ login, type: 'Bot' });

type Row = [
  name: string,
  purpose: TrustPurpose,
  actor: Actor | undefined,
  permission: Permission | 'unknown' | undefined,
  ok: boolean,
  unknown?: boolean,
];
const rows: Row[] = [
  ['a writer labels', 'labeler', user('maria'), 'write', true],
  ['a maintainer labels', 'labeler', user('maria'), 'maintain', true],
  ['an admin authors', 'author', user('maria'), 'admin', true],
  ['triage may not label', 'labeler', user('tom'), 'triage', false, false],
  ['read may not author', 'author', user('tom'), 'read', false, false],
  ['no access', 'labeler', user('eve'), 'none', false, false],
  ['permission lookup failed: unknown, fail closed', 'labeler', user('maria'), 'unknown', false, true],
  ['permission not looked up: fail closed', 'author', user('maria'), undefined, false, true],
  ['no actor at all', 'labeler', undefined, undefined, false, true],
  ['agentloop itself', 'labeler', bot('github-actions[bot]'), undefined, true],
  ['agentloop itself, other case', 'author', bot('GitHub-Actions[bot]'), undefined, true],
  ['allow-listed bot', 'labeler', bot('renovate[bot]'), undefined, true],
  ['allow-listed bot, other case', 'author', bot('Renovate[Bot]'), undefined, true],
  ['bot not allow-listed, even with write access', 'labeler', bot('dependabot[bot]'), 'write', false, false],
  ['a [bot] suffix counts as a bot whatever the type says', 'labeler', user('evil[bot]'), 'write', false, false],
  ['look-alike of an allow-listed bot', 'author', bot('renovate-app[bot]'), undefined, false, false],
];

describe('trust', () => {
  it.each(rows)('%s', (_name, purpose, actor, permission, ok, unknown) => {
    const verdict = trust(purpose, actor, permission, facts);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.unknown).toBe(unknown);
  });

  it('says why, naming the login and the access it has', () => {
    expect(trust('labeler', user('tom'), 'triage', facts)).toEqual({
      ok: false,
      unknown: false,
      reason: '@tom has triage access; starting agentloop needs write, maintain or admin',
    });
    expect(trust('labeler', bot('dependabot[bot]'), undefined, facts)).toEqual({
      ok: false,
      unknown: false,
      reason: '@dependabot[bot] is a bot that is not listed in allowed-bots',
    });
  });

  it('needs a permission lookup only for people other than agentloop', () => {
    expect(needsPermission(user('maria'), facts)).toBe(true);
    expect(needsPermission(bot('renovate[bot]'), facts)).toBe(false);
    expect(needsPermission(user('evil[bot]'), facts)).toBe(false);
    expect(needsPermission(bot('GITHUB-ACTIONS[BOT]'), facts)).toBe(false);
  });
});

// agentloop is exactly the login its token acts as on this forge: one login, nothing else.
describe('trust: one identity', () => {
  const asPat = { selfLogins: ['agentloop-bot'], allowedBots: [] };
  it("another forge's automatic-token login is nobody special on this one", () => {
    for (const login of ['forgejo-actions', 'gitea-actions']) {
      expect(trust('labeler', user(login), 'none', facts).ok).toBe(false);
      expect(isSelf(user(login), facts)).toBe(false);
    }
  });
  it('with a PAT, the workflow token bot is not agentloop', () => {
    expect(isSelf(bot('github-actions[bot]'), asPat)).toBe(false);
    expect(trust('labeler', bot('github-actions[bot]'), undefined, asPat)).toMatchObject({ ok: false, unknown: false });
    expect(isSelf(user('AgentLoop-Bot'), asPat)).toBe(true);
  });
  it('a run that did not resolve its identity is nobody', () => {
    const none = { selfLogins: [], allowedBots: [] };
    expect(isSelf(bot('github-actions[bot]'), none)).toBe(false);
    expect(needsPermission(user('maria'), none)).toBe(true);
  });
  it("its own comments: the status comment only by itself; plans also by the plan lane's workflow token", () => {
    const f = { ...asPat, planLogins: ['github-actions[bot]'] };
    expect(ownComment('status', user('agentloop-bot'), f)).toBe(true);
    expect(ownComment('status', bot('github-actions[bot]'), f)).toBe(false);
    expect(ownComment('status', user('maria'), f)).toBe(false);
    expect(ownComment('plan', bot('GitHub-Actions[bot]'), f)).toBe(true);
    expect(ownComment('plan', user('agentloop-bot'), f)).toBe(true);
    expect(ownComment('plan', user('maria'), f)).toBe(false);
  });
});
