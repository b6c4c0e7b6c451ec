// `agentloop init --forge forgejo --repo` (dist/cli.js) on the embedded forge in Forgejo mode: the
// workflows proposed in one PR, in the workflow directory the repository already has (Forgejo reads only
// the first of .forgejo/, .gitea/, .github/ that exists), and the labels created; a second run changes nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedForge, git, type RepoState, validateForgejoRequest, validateForgejoResponse } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { SAMPLE_FILES } from '../../src/demo/sample.js';

const PIN = 'e'.repeat(40);
const INIT = ['init', '--forge', 'forgejo', '--repo', 'acme/calc', '--agent', 'command', '--agent-command', 'node agent.js', '--pin', PIN];

let forge: EmbeddedForge;
let repo: RepoState;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentloop-init-forgejo-'));
  forge = new EmbeddedForge({ root: dir, flavor: 'forgejo', validate: validateForgejoRequest, validateResponse: validateForgejoResponse });
  await forge.start();
  repo = await forge.createRepo('acme', 'calc', SAMPLE_FILES); // its CI is in .github/workflows
  forge.addCollaborator(repo, 'maria', 'admin');
});
afterEach(async () => {
  expect(forge.violations).toEqual([]);
  await forge.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], token: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], {
    env: { PATH: process.env.PATH, HOME: dir, GITHUB_TOKEN: token, GITHUB_API_URL: forge.urls.api },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((done) => child.on('close', (code) => done({ code, out })));
}

describe('agentloop init --forge forgejo --repo', () => {
  it('proposes the workflows in one PR where Forgejo reads them, creates the labels, and a second run changes nothing', async () => {
    const maria = forge.token('maria');
    const r = await cli(INIT, maria);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/opened PR #\d+ from agentloop-init/);
    const labels = labelCatalog(labelNames('loop/'));
    expect(r.out).toContain(`changed ${1 + labels.length} thing(s)`);

    const pulls = [...repo.pulls.values()];
    expect(pulls.map((p) => [p.head, p.base])).toEqual([['agentloop-init', 'main']]);
    // .github/workflows, where the CI already is: a new .forgejo/workflows would hide it.
    for (const f of ['agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml']) {
      const text = await git.readFile(repo.gitDir, 'agentloop-init', `.github/workflows/${f}`);
      expect(text, f).toContain(`https://github.com/agentloop/agentloop@${PIN}`);
    }
    expect(await git.listFiles(repo.gitDir, 'agentloop-init', '.forgejo')).toBeNull();
    expect(repo.labels.map((l) => l.name).sort()).toEqual(labels.map((l) => l.name).sort());
    // Forgejo's steps, not GitHub's; the labels are no longer a step.
    expect(r.out).toMatch(/Administrator access/);
    expect(r.out).not.toMatch(/gh secret|Create the labels people apply/);
    expect(r.out).toMatch(/Review and merge http:\/\/[^ ]+\/pulls\/\d+/);

    const again = await cli(INIT, maria);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/unchanged PR #\d+ already proposes exactly these files/);
    expect(again.out).toContain('nothing to change.');
    expect([...repo.pulls.values()]).toHaveLength(1);
  });
});
