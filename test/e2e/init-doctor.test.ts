// `agentloop init` and `agentloop doctor` (dist/cli.js) on the embedded forge, on the demo's sample
// repository: init proposes the workflows as a PR and creates the labels (a second run changes nothing);
// once merged, doctor finds it healthy, and names the exact fix when the repository setting or the token
// is wrong.
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type EmbeddedForge, git, type RepoState } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { SAMPLE_FILES } from '../../src/demo/sample.js';
import { createGitHubForge } from '../../src/forge/github.js';
import { type SampleForge, startSampleForge } from '../support/cli.js';

const PIN = 'e'.repeat(40);
/** The demo's agent and CI, pinned to a fixed commit. */
const DEMO_INIT = ['--agent', 'command', '--agent-command', 'node agent.js', '--pin', PIN, '--ci', 'CI'];

let sample: SampleForge;
let forge: EmbeddedForge;
let repo: RepoState;
let dir: string;
const cli = (args: string[], token: string) => sample.cli(args, token);

beforeEach(async () => {
  // The demo's repository (src/demo/demo.ts): the sample package with its CI, a maintainer, agentloop's bot.
  sample = await startSampleForge('github');
  ({ forge, repo, dir } = sample);
  forge.addCollaborator(repo, 'agentloop-bot', 'write');
});
afterEach(async () => {
  expect(forge.violations).toEqual([]);
  await sample.stop();
});

const writes = (from: number) => forge.requests.slice(from).filter((r) => r.method !== 'GET');
const workflowFiles = async (ref: string) =>
  Object.fromEntries(
    await Promise.all(
      ['agentloop-code.yml', 'agentloop-plan.yml', 'agentloop-sweep.yml'].map(
        async (f) => [f, await git.readFile(repo.gitDir, ref, `.github/workflows/${f}`)] as const,
      ),
    ),
  );

/** init as the maintainer, then merge its PR: the installation doctor checks. */
async function installed(extra: string[] = []): Promise<void> {
  const maria = forge.classicToken('maria');
  const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT, ...extra], maria);
  expect(r.code, r.out).toBe(0);
  const pull = [...repo.pulls.values()].find((p) => p.head === 'agentloop-init')!;
  const api = createGitHubForge({ token: maria, owner: 'acme', repo: 'calc', baseUrl: forge.urls.api, spaceWrites: false });
  const merged = await api.mergePull(pull.number, pull.headSha, 'squash');
  expect(merged.merged, JSON.stringify(merged)).toBe(true);
}

describe('agentloop init --repo', () => {
  it('proposes the workflows in one PR and creates the labels; a second run changes nothing', async () => {
    const maria = forge.classicToken('maria');
    const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT], maria);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/opened PR #\d+ from agentloop-init/);
    expect(r.out).toMatch(/changed 20 thing\(s\)/); // the PR and 19 labels

    const pulls = [...repo.pulls.values()];
    expect(pulls.map((p) => [p.head, p.base])).toEqual([['agentloop-init', 'main']]);
    // One commit on main, touching exactly the three workflow files.
    const files = await workflowFiles('agentloop-init');
    for (const text of Object.values(files)) expect(text).toContain(`agentloop/agentloop@${PIN} # v0.1.0`);
    expect(await git.readFile(repo.gitDir, 'agentloop-init', 'src/add.js')).toBe(SAMPLE_FILES['src/add.js']);
    expect(files['agentloop-code.yml']).toContain('agent-command: node agent.js');

    const catalog = labelCatalog(labelNames('loop/'));
    expect(repo.labels.map((l) => [l.name, l.color, l.description]).sort()).toEqual(
      catalog.map((l) => [l.name, l.color, l.description]).sort(),
    );
    // Next steps: the token to create and store (the pat kind), and how to check.
    expect(r.out).toMatch(/gh secret set AGENTLOOP_TOKEN -R acme\/calc/);
    expect(r.out).toMatch(/npx agentloop doctor --repo acme\/calc/);

    const before = forge.requests.length;
    const again = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT], maria);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/unchanged PR #\d+ already proposes exactly these files/);
    expect(again.out).toMatch(/nothing to change\./);
    expect(writes(before)).toEqual([]);
    expect(repo.pulls.size).toBe(1);
  });

  it('--dry-run lists what it would do and writes nothing', async () => {
    const before = forge.requests.length;
    const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT, '--dry-run'], forge.classicToken('maria'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/would create\s+\.github\/workflows\/agentloop-code\.yml/);
    expect(r.out).toMatch(/would push branch agentloop-init .* and open a PR/);
    expect(r.out).toMatch(/would create label loop\/plan \(#1d76db: agentloop: write a plan for this issue\)/);
    expect(r.out).toMatch(/would change 20 thing\(s\)/); // the PR and 19 labels
    expect(writes(before)).toEqual([]);
    expect(repo.labels).toEqual([]);
    expect(await git.revParse(repo.gitDir, 'refs/heads/agentloop-init')).toBeNull();
  });

  it('after the merge, a run with the same options finds everything up to date', async () => {
    await installed();
    const before = forge.requests.length;
    const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT], forge.classicToken('maria'));
    expect(r.out).toMatch(/the workflows on main are up to date/);
    expect(r.out).toMatch(/unchanged labels: all 19 agentloop labels exist/);
    expect(writes(before)).toEqual([]);
  });

  it('a custom label prefix names its labels in the workflows and creates them', async () => {
    const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT, '--label-prefix', 'ai/'], forge.classicToken('maria'));
    expect(r.code, r.out).toBe(0);
    const files = await workflowFiles('agentloop-init');
    expect(files['agentloop-plan.yml']).toContain('["ai/plan","ai/breakdown","ai/breakdown-approve"]');
    expect(files['agentloop-code.yml']).toContain('["ai/code","ai/merge","automerge"]');
    expect(files['agentloop-code.yml']).not.toMatch(/'loop\/|"loop\//);
    expect(repo.labels.map((l) => l.name)).toEqual(expect.arrayContaining(['ai/plan', 'ai/code', 'ai/code-in-process', 'NeedSupervisor']));
  });

  it('a token that may not change workflows: the push is refused, and the message says which permission', async () => {
    const r = await cli(['init', '--repo', 'acme/calc', ...DEMO_INIT], forge.classicToken('maria', ['repo']));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the workflow scope \(classic PAT; for gh.s token: gh auth refresh -s workflow\), or Workflows: Read and write/);
    expect(repo.pulls.size).toBe(0);
  });

  it('--dir writes into a checkout (and --repo creates the labels); a second run leaves both alone', async () => {
    const checkout = await mkdtemp(join(dir, 'checkout-'));
    const maria = forge.classicToken('maria');
    const r = await cli(['init', '--dir', checkout, '--repo', 'acme/calc', ...DEMO_INIT, '--token-kind', 'app'], maria);
    expect(r.code, r.out).toBe(0);
    const code = await readFile(join(checkout, '.github/workflows/agentloop-code.yml'), 'utf8');
    expect(code).toMatch(/actions\/create-github-app-token@[0-9a-f]{40}/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression
    expect(code).toContain('token: ${{ steps.app.outputs.token }}');
    expect(r.out).toMatch(/Create a GitHub App/);
    expect(repo.pulls.size).toBe(0);
    expect(repo.labels).toHaveLength(19);
    const before = forge.requests.length;
    const again = await cli(['init', '--dir', checkout, '--repo', 'acme/calc', ...DEMO_INIT, '--token-kind', 'app'], maria);
    expect(again.out).toMatch(/nothing to change/);
    expect(writes(before)).toEqual([]);
  });
});

describe('agentloop doctor', () => {
  it("the demo's repository, installed by init: healthy", async () => {
    await installed();
    forge.setWorkflowPermissions(repo, { can_approve_pull_request_reviews: true });
    const before = forge.requests.length;
    const r = await cli(['doctor', '--repo', 'acme/calc'], forge.classicToken('maria'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/^problem/m);
    expect(r.out).toMatch(/^ok\s+token\s+a classic personal access token \(ghp_\) acting as @maria/m);
    expect(r.out).toMatch(/^ok\s+settings\s+Actions may create pull requests/m);
    expect(r.out).toMatch(/^ok\s+labels\s+all 19 agentloop labels exist/m);
    expect(r.out).toMatch(new RegExp(`^ok\\s+workflows\\s+agentloop is pinned to ${PIN}`, 'm'));
    expect(r.out.match(/^warning .*/gm) ?? [], 'a healthy installation has no warning').toEqual([]);
    expect(writes(before)).toEqual([]);
  });

  it('"Allow GitHub Actions to create and approve pull requests" off: the exact fix', async () => {
    await installed();
    const r = await cli(['doctor', '--repo', 'acme/calc'], forge.classicToken('maria'));
    // The templates fall back to the workflow token when AGENTLOOP_TOKEN is unset: a warning.
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^warning\s+settings\s+Actions may not create pull requests here: while the AGENTLOOP_TOKEN secret is unset/m);
    expect(r.out).toContain('gh api -X PUT repos/acme/calc/actions/permissions/workflow -F can_approve_pull_request_reviews=true');
  });

  it('the code lane on the workflow token with the setting off: a problem, and doctor exits 1', async () => {
    await installed(['--token-kind', 'workflow']);
    const r = await cli(['doctor', '--repo', 'acme/calc'], forge.classicToken('maria'));
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(
      /^problem\s+settings\s+Actions may not create pull requests here, and the code lane runs with the workflow token/m,
    );
    expect(r.out).toMatch(
      /fix: Turn on acme\/calc → Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests", or run: gh api -X PUT repos\/acme\/calc\/actions\/permissions\/workflow -F can_approve_pull_request_reviews=true/,
    );
  });

  it('a fine-grained PAT (GitHub offers them no Checks): doctor says what agentloop does instead, and the way out', async () => {
    await installed();
    const token = forge.fineGrainedToken('agentloop-bot', {
      contents: 'write',
      issues: 'write',
      pull_requests: 'write',
      statuses: 'read',
      actions: 'write',
    });
    const r = await cli(['doctor', '--repo', 'acme/calc'], token);
    expect(r.out).toMatch(/^ok\s+token\s+a fine-grained personal access token \(github_pat_\) acting as @agentloop-bot/m);
    expect(r.out).toMatch(
      /^warning\s+permissions\s+the token cannot read checks \(CI results on PR heads\): GET \/repos\/acme\/calc\/commits\/main\/check-runs answered 403 \(GitHub: the route needs checks=read\)/m,
    );
    expect(r.out).toContain(
      'fix: GitHub offers fine-grained PATs no Checks permission. agentloop reads CI from the commit statuses and the Actions jobs instead',
    );
    expect(r.out).not.toMatch(/^problem/m);
  });

  it('a fine-grained PAT without Issues: a problem naming the permission to grant, and doctor exits 1', async () => {
    await installed();
    const token = forge.fineGrainedToken('agentloop-bot', {
      contents: 'write',
      pull_requests: 'write',
      statuses: 'read',
      actions: 'write',
    });
    const r = await cli(['doctor', '--repo', 'acme/calc'], token);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^problem\s+permissions\s+the token cannot read issues .*answered 403 \(GitHub: the route needs issues=read\)/m);
    expect(r.out).toContain(
      'fix: Edit the token (github.com/settings/personal-access-tokens) → Repository permissions → Issues: Read and write.',
    );
  });

  it('an App installation token: known for what it is', async () => {
    await installed();
    const token = forge.appToken('agentloop', {
      contents: 'write',
      issues: 'write',
      pull_requests: 'write',
      checks: 'read',
      statuses: 'read',
      actions: 'write',
    });
    const r = await cli(['doctor', '--repo', 'acme/calc'], token);
    expect(r.out).toMatch(/^ok\s+token\s+an installation token \(ghs_\): a GitHub App's, or a workflow's GITHUB_TOKEN/m);
    expect(r.out).not.toMatch(/^problem\s+(token|permissions)/m);
  });

  it('nothing installed: the missing workflows and labels, each with its fix', async () => {
    const r = await cli(['doctor', '--repo', 'acme/calc'], forge.classicToken('maria'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^problem\s+workflows\s+no workflow in \.github\/workflows on the default branch runs agentloop/m);
    expect(r.out).toMatch(/fix: npx agentloop init --repo acme\/calc/);
    expect(r.out).toMatch(/^problem\s+labels\s+missing labels: loop\/plan/m);
  });
});
