// `agentloop init --forge forgejo --repo` (dist/cli.js) on the embedded forge in Forgejo mode: the
// workflows proposed in one PR, in the workflow directory the repository already has (Forgejo reads only
// the first of .forgejo/, .gitea/, .github/ that exists), and the labels created; a second run changes nothing.
import { type EmbeddedForge, git, type RepoState } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { type SampleForge, startSampleForge } from '../support/cli.js';

const PIN = 'e'.repeat(40);
const INIT = ['init', '--forge', 'forgejo', '--repo', 'acme/calc', '--agent', 'command', '--agent-command', 'node agent.js', '--pin', PIN];

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
