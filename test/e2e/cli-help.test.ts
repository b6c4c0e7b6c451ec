// Every `agentloop` command answers --help (and -h) with its own usage, before parsing its options.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

describe.each(['tick', 'status', 'demo', 'init', 'doctor'])('agentloop %s', (command) => {
  it.each(['--help', '-h'])(`%s prints its usage and exits 0`, (flag) => {
    const r = cli(command, flag);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^agentloop ${command} `));
    expect(r.stdout + r.stderr).not.toMatch(/Unknown option|unknown command|usage:/);
  });

  it('--help after other options still answers with the usage', () => {
    const r = cli(command, '--repo', 'acme/calc', '--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^agentloop ${command} `));
  });
});

it('agentloop help <command>, agentloop --help and --version', () => {
  expect(cli('help', 'doctor').stdout).toMatch(/^agentloop doctor --repo owner\/name/);
  const all = cli('--help').stdout;
  for (const command of ['tick', 'status', 'demo', 'init', 'doctor']) expect(all).toContain(`agentloop ${command} `);
  expect(cli('--version').stdout).toMatch(/^agentloop \d+\.\d+\.\d+/);
});
