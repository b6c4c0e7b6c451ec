// Telling a human (core/escalation.ts): whom an escalation mentions, and what its one new comment says.
import { describe, expect, it } from 'vitest';
import { cleanLogin, defuseMentions, escalationNotice, isNotice, mentions, supervisorsFor, toldLine } from '../../src/core/escalation.js';
import type { Permission } from '../../src/core/model.js';
import type { TriggerInfo } from '../../src/core/snapshot.js';

const facts = { selfLogins: ['agentloop-bot'], allowedBots: ['renovate[bot]'] };
const trigger = (login: string, permission: Permission | 'unknown' = 'write', type: 'User' | 'Bot' = 'User'): TriggerInfo => ({
  label: 'loop/code',
  actor: { login, type },
  permission,
  at: '2026-12-01T10:00:00Z',
});

describe('logins', () => {
  it.each([
    ['maria', 'maria'],
    ['@maria', 'maria'],
    ['  @ops-lead ', 'ops-lead'],
    ['x.y_z', 'x.y_z'],
    ['a', 'a'],
    ['a'.repeat(40), 'a'.repeat(40)],
    ['a'.repeat(41), undefined],
    ['@', undefined],
    ['', undefined],
    ['-lead', undefined],
    ['lead-', undefined],
    ['bad login', undefined],
    ['a@b', undefined],
    ['renovate[bot]', undefined],
    ['org/team', undefined],
    ['maria\n@everyone', undefined],
    ['mária', undefined],
  ])('cleanLogin(%j) = %j', (input, expected) => {
    expect(cleanLogin(input)).toBe(expected);
  });

  it('mentions only valid logins', () => {
    expect(mentions(['maria', '@bob', 'not valid', 'x]y'])).toBe('@maria @bob');
    expect(mentions([])).toBe('');
  });

  it.each([
    ['ping @everyone', 'ping @\u200beveryone'],
    ['file @victim/x.js and @@a', 'file @\u200bvictim/x.js and @@\u200ba'],
    ['mail me: a@b.c', 'mail me: a@\u200bb.c'],
    ['nothing here @ all', 'nothing here @ all'],
  ])('defuseMentions(%j)', (input, expected) => {
    expect(defuseMentions(input)).toBe(expected);
  });
});

describe('whom an escalation mentions', () => {
  it.each<[string, Parameters<typeof supervisorsFor>[0], string[]]>([
    ['configured supervisors, and only them', { configured: ['@lead', 'ops'], triggers: [trigger('maria')], facts }, ['lead', 'ops']],
    [
      'configured, each once (case-insensitively), invalid ones dropped',
      { configured: ['Lead', '@lead', 'x y'], triggers: [], facts },
      ['Lead'],
    ],
    ['none configured: the writer who applied the trigger label', { configured: [], triggers: [trigger('maria')], facts }, ['maria']],
    [
      'every writer among the trigger labels, each once',
      { configured: [], triggers: [trigger('maria'), undefined, trigger('Bob', 'admin'), trigger('MARIA')], facts },
      ['maria', 'Bob'],
    ],
    ['not a labeler without write access', { configured: [], triggers: [trigger('tom', 'triage')], facts }, []],
    ['not a labeler whose permission is unknown', { configured: [], triggers: [trigger('tom', 'unknown')], facts }, []],
    ['not agentloop itself (a requeue)', { configured: [], triggers: [trigger('agentloop-bot', 'none')], facts }, []],
    ['not a bot, even an allowed one', { configured: [], triggers: [trigger('renovate[bot]', 'none', 'Bot')], facts }, []],
    [
      'no trigger label left: the writer on the approval record',
      { configured: [], triggers: [], approved: { by: 'maria' }, facts },
      ['maria'],
    ],
    [
      'a trigger labeler comes before the approval record',
      { configured: [], triggers: [trigger('bob')], approved: { by: 'maria' }, facts },
      ['bob'],
    ],
    [
      'an approval recorded by agentloop itself names nobody',
      { configured: [], triggers: [], approved: { by: 'agentloop-bot' }, facts },
      [],
    ],
    ['nobody at all', { configured: [], triggers: [], facts }, []],
  ])('%s', (_name, sources, expected) => {
    expect(supervisorsFor(sources)).toEqual(expected);
  });
});

describe('the notice', () => {
  const base = {
    n: 3,
    supervisors: ['maria', 'bob'],
    reason: 'The agent exited with code 1.\nIt said: `ask @everyone`.',
    todo: 'remove `NeedSupervisor` and apply `loop/code` again to retry',
    statusUrl: 'https://x/issues/1#issuecomment-5',
    runUrl: 'https://x/actions/runs/7',
  };

  it('mentions the supervisors first, then what happened (one line, inert mentions), what to do and where to read more', () => {
    const body = escalationNotice(base);
    expect(body.split('\n')).toEqual([
      '<!-- agentloop:notice --><!-- agentloop:escalation 3 -->',
      '@maria @bob agentloop stopped here and needs a human: The agent exited with code 1. It said: `ask @\u200beveryone`.',
      '',
      '**What to do:** remove `NeedSupervisor` and apply `loop/code` again to retry. Details: [status comment](https://x/issues/1#issuecomment-5) · [run log](https://x/actions/runs/7).',
    ]);
    expect(isNotice(body)).toBe(true);
    expect(isNotice('<!-- agentloop:status -->')).toBe(false);
  });

  it('without supervisors it mentions nobody; without links it names none', () => {
    const body = escalationNotice({ ...base, supervisors: [], statusUrl: undefined, runUrl: undefined });
    expect(body).not.toMatch(/@(?!\u200b)/);
    expect(body).toMatch(/^agentloop stopped here and needs a human: /m);
    expect(body).not.toContain('Details:');
  });

  it('a long reason is cut to one line', () => {
    const body = escalationNotice({ ...base, reason: 'x'.repeat(1000) });
    expect(body.split('\n')[1]!.length).toBeLessThan(400);
    expect(body).toContain('…');
  });

  it('the status comment names whom the notice mentioned, without mentioning them again', () => {
    expect(toldLine(['maria', 'bob'])).toBe('agentloop asked `@maria`, `@bob` to look, in a new comment below.');
    expect(toldLine([])).toMatch(/mentioned nobody.*Set `supervisors`/);
  });
});
