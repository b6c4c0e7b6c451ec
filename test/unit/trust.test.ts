// The one trust rule (core/trust.ts), for every purpose and kind of actor.
import { describe, expect, it } from 'vitest';
import type { Permission } from '../../src/core/model.js';
import { type Actor, needsPermission, type TrustPurpose, trust } from '../../src/core/trust.js';

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
