// `agentloop doctor --forge forgejo` (dist/cli.js) on the embedded forge in Forgejo mode: after `agentloop
// init --forge forgejo --repo` and its merged PR, with the bot user an Administrator collaborator, the
// installation is healthy; the same bot with write access only is the problem Forgejo makes of it (only
// repository admins may read another user's permission). Every request is a valid Forgejo operation.
import type { EmbeddedForge, RepoState } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForgejoForge } from '../../src/forge/forgejo.js';
import { type SampleForge, startSampleForge } from '../support/cli.js';

const PIN = 'e'.repeat(40);
const INIT = ['init', '--forge', 'forgejo', '--repo', 'acme/calc', '--agent', 'command', '--agent-command', 'node agent.js', '--pin', PIN];
const DOCTOR = ['doctor', '--forge', 'forgejo', '--repo', 'acme/calc'];

let sample: SampleForge;
let forge: EmbeddedForge;
let repo: RepoState;
const cli = (args: string[], token: string) => sample.cli(args, token);

beforeEach(async () => {
  sample = await startSampleForge('forgejo'); // the sample's CI is in .github/workflows
  ({ forge, repo } = sample);
});
afterEach(async () => {
  expect(forge.violations).toEqual([]);
  await sample.stop();
});

/** init as the maintainer, then merge its PR through the API: the installation doctor checks. */
async function installed(): Promise<void> {
  const maria = forge.token('maria');
  const r = await cli(INIT, maria);
  expect(r.code, r.out).toBe(0);
  expect(r.out).toContain(`Check the installation: GITHUB_API_URL=${forge.urls.api} npx agentloop doctor --forge forgejo --repo acme/calc`);
  const pull = [...repo.pulls.values()].find((p) => p.head === 'agentloop-init')!;
  const api = createForgejoForge({ token: maria, owner: 'acme', repo: 'calc', baseUrl: forge.urls.api, retryAfterBaseMs: 1 });
  const merged = await api.mergePull(pull.number, pull.headSha, 'squash');
  expect(merged.merged, JSON.stringify(merged)).toBe(true);
}

const problems = (out: string) => out.split('\n').filter((l) => l.startsWith('problem'));

describe('agentloop doctor --forge forgejo', () => {
  it('finds an installation by init, with an admin bot user, healthy in 11 requests; a writer bot is the admin problem', async () => {
    await installed();
    forge.addCollaborator(repo, 'agentloop-bot', 'admin');
    const bot = forge.token('agentloop-bot');

    const before = forge.requests.length;
    const ok = await cli(DOCTOR, bot);
    expect(ok.code, ok.out).toBe(0);
    expect(problems(ok.out)).toEqual([]);
    expect(ok.out).toMatch(/^agentloop doctor — acme\/calc \(Forgejo\)/);
    expect(ok.out).toMatch(/ok\s+version\s+Forgejo 15\./);
    expect(ok.out).toMatch(/the token acts as @agentloop-bot/);
    expect(ok.out).toMatch(/@agentloop-bot is an administrator of acme\/calc/);
    expect(ok.out).toMatch(/Actions are on/);
    // .github/workflows, where init put them: the sample's CI made it the directory Forgejo reads.
    expect(ok.out).toMatch(
      /agentloop runs in \.github\/workflows\/agentloop-code\.yml, \.github\/workflows\/agentloop-plan\.yml, \.github\/workflows\/agentloop-sweep\.yml/,
    );
    expect(ok.out).toContain(`agentloop is pinned to ${PIN}`);
    expect(ok.out).toMatch(/secrets\.AGENTLOOP_TOKEN as token/);
    expect(ok.out).toMatch(/the trigger labels loop\/plan and loop\/code exist/);
    expect(ok.out).toContain('healthy: no problems, no warnings');
    const reads = forge.requests.slice(before);
    expect(reads.every((r) => r.method === 'GET')).toBe(true);
    expect(reads).toHaveLength(11);

    forge.addCollaborator(repo, 'agentloop-bot', 'write');
    const writer = await cli(DOCTOR, bot);
    expect(writer.code, writer.out).not.toBe(0);
    expect(problems(writer.out)).toEqual([
      expect.stringMatching(/@agentloop-bot has write access to acme\/calc but is not an administrator/),
    ]);
    expect(writer.out).toMatch(
      /fix: Make @agentloop-bot an Administrator collaborator of acme\/calc: http:\/\/[^ ]+\/acme\/calc\/settings\/collaboration/,
    );
  });

  it('before init: no workflows and no trigger labels are problems with the init command as fix; a bad --forge is refused', async () => {
    forge.addCollaborator(repo, 'agentloop-bot', 'admin');
    const r = await cli(DOCTOR, forge.token('agentloop-bot'));
    expect(r.code, r.out).toBe(1);
    expect(problems(r.out)).toEqual([
      expect.stringMatching(/\.github\/workflows has no agentloop-plan\.yml, agentloop-code\.yml, agentloop-sweep\.yml/),
      expect.stringMatching(/missing labels: loop\/plan, loop\/code: Forgejo silently ignores/),
    ]);
    expect(r.out).toContain(`fix: GITHUB_API_URL=${forge.urls.api} npx agentloop init --forge forgejo --repo acme/calc`);

    const bad = await cli(['doctor', '--forge', 'gitea', '--repo', 'acme/calc'], 'x');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--forge must be one of github, forgejo, got "gitea"/);
  });
});
