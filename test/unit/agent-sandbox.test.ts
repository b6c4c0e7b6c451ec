// How agentloop decides where the agent can run isolated, and how it runs it through sudo.
import { describe, expect, it } from 'vitest';
import { resolveIsolation, sudoArgv } from '../../src/agent/sandbox.js';

const exec = (sudoWorks: boolean) => async (file: string, args: string[]) =>
  file === 'sudo' && args.join(' ') === '-n true'
    ? { code: sudoWorks ? 0 : 1, stdout: '', stderr: sudoWorks ? '' : 'sudo: a password is required' }
    : { code: 127, stdout: '', stderr: 'unexpected' };

describe('agent isolation', () => {
  it('as root: a separate user, created directly', async () => {
    expect(await resolveIsolation('user', exec(false), 0)).toEqual({ ok: true, isolation: { kind: 'user', via: 'root' } });
  });
  it('with passwordless sudo: a separate user through sudo', async () => {
    expect(await resolveIsolation('user', exec(true), 1001)).toEqual({ ok: true, isolation: { kind: 'user', via: 'sudo' } });
  });
  it('neither: refused, naming both fixes and the unsafe opt-out', async () => {
    const r = await resolveIsolation('user', exec(false), 1001);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/not root and has no passwordless sudo.*root.*passwordless sudo.*agent-isolation: unsafe-none/);
  });
  it('unsafe-none: the same user, only when the maintainer says so', async () => {
    expect(await resolveIsolation('unsafe-none', exec(false), 1001)).toEqual({ ok: true, isolation: { kind: 'same-user' } });
  });
  it('through sudo, variables pass by name (never their values in argv) and PATH survives secure_path', () => {
    const user = { name: 'agentloop-1a2b3c4d', uid: 999, gid: 999, via: 'sudo' as const };
    const argv = sudoArgv(user, { PATH: '/opt/bin:/usr/bin', ANTHROPIC_API_KEY: 'sk-secret', HOME: '/tmp/x/home' }, '/opt/bin/claude', [
      '-p',
    ]);
    expect(argv).toEqual({
      file: 'sudo',
      args: [
        '-n',
        '-u',
        'agentloop-1a2b3c4d',
        '--preserve-env=ANTHROPIC_API_KEY,HOME',
        '--',
        '/usr/bin/env',
        'PATH=/opt/bin:/usr/bin',
        '/opt/bin/claude',
        '-p',
      ],
    });
    expect(argv.args.join(' ')).not.toContain('sk-secret');
  });
});
