// The agentloop CLI against the embedded forge: tick does one run, status prints the loop.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, openIssue, startHarness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  expect(h.forge.violations).toEqual([]);
  await h.stop();
});

function cli(args: string[], token: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: h.dir,
      GITHUB_TOKEN: token,
      GITHUB_API_URL: h.forge.urls.api,
      GITHUB_SERVER_URL: h.forge.urls.web,
      GITHUB_WORKSPACE: h.dir,
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((done) => child.on('close', (code) => done({ code, out })));
}

describe('agentloop CLI', () => {
  it('tick runs one transition against a forge, as a dispatch would', async () => {
    const issue = openIssue(h, 'Plan by hand', 'x');
    issue.labels.push('loop/plan');
    h.repo.events.push({
      id: h.forge.state.id(),
      issue: issue.number,
      event: 'labeled',
      label: 'loop/plan',
      actor: 'maria',
      createdAt: h.forge.state.now(),
    });
    const agent = `node ${resolve('test/fixtures/agents/planner.mjs')}`;
    const r = await cli(
      ['tick', '--repo', 'acme/widget', '--lane', 'plan', '--item', String(issue.number), '--input', `agent-command=${agent}`],
      h.tokenFor('maria'),
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/agentloop: plan/);
    expect(issue.labels).toEqual(['loop/plan-done']);
  });

  it('status prints every loop item by state, without writing', async () => {
    const a = openIssue(h, 'Waiting for CI', 'x');
    a.labels.push('loop/code-ci-pending');
    const b = openIssue(h, 'Stuck', 'x');
    b.labels.push('NeedSupervisor', 'loop/code');
    const r = await cli(['status', '--repo', 'acme/widget'], h.tokenFor('maria'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`#${a.number} \\| Waiting for CI \\| \`loop/code-ci-pending\``));
    expect(r.out).toMatch(new RegExp(`#${b.number} \\| Stuck \\| \`NeedSupervisor\``));
    expect(h.forge.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('an unknown command says how to use it', async () => {
    const r = await cli(['frobnicate'], 'x');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/unknown command "frobnicate"[\s\S]*usage:/);
  });
});
