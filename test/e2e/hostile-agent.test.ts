// The agent is hostile (DESIGN §8): each attack an agent running model output could try, end to end
// through dist/index.js on the embedded forge. The agent gets no credential, and nothing it leaves
// behind — hooks, git config, its own commits, symlinks, daemons — is trusted. Every attack runs on
// both forges: GitHub (the workflow token) and Forgejo (the bot user's token, which reaches further).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { git } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentPort, IsolationError } from '../../src/agent/port.js';
import { resolveIsolation } from '../../src/agent/sandbox.js';
import { applyLabel, type Flavor, type Harness, labelNames, openIssue, runAction, startHarness } from '../support/harness.js';
import { tickInProcess } from '../support/inprocess.js';

const HOSTILE = resolve('test/fixtures/agents/hostile.mjs');

describe.each<Flavor>(['github', 'forgejo'])('on %s', (flavor) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(undefined, flavor);
  });
  afterEach(async () => {
    expect(h.forge.violations, 'requests the forge would reject').toEqual([]);
    await h.stop();
  });

  async function attack(lane: 'plan' | 'code', attacks: string) {
    const issue = openIssue(h, 'Make add() add', 'add() subtracts; it should add.');
    const main = await git.revParse(h.repo.gitDir, 'refs/heads/main');
    const event = await applyLabel(h, issue.number, `loop/${lane}`);
    const run = await runAction(h, {
      ...event,
      inputs: { token: h.botToken, lane, agent: 'command', 'agent-command': `node ${HOSTILE} ${h.shared} ${attacks}` },
    });
    const branch = await git.revParse(h.repo.gitDir, `refs/heads/agentloop/issue-${issue.number}`);
    const status = h.repo.comments.find((c) => c.issue === issue.number && c.body.includes('agentloop:status'))?.body ?? '';
    return { issue, run, branch, status, mainBefore: main, mainAfter: await git.revParse(h.repo.gitDir, 'refs/heads/main') };
  }

  const report = (name: string) => JSON.parse(readFileSync(join(h.shared, `hostile-${name}.json`), 'utf8'));
  /** Every comment, PR body and branch file the forge holds, as one text. */
  function everythingPublished(): string {
    return [
      ...h.repo.comments.map((c) => c.body),
      ...[...h.repo.pulls.values()].map((p) => JSON.stringify(p)),
      ...h.repo.issues.map((i) => i.body),
    ].join('\n');
  }
  const tokenForms = () => [
    h.botToken,
    Buffer.from(h.botToken).toString('base64'),
    Buffer.from(`x-access-token:${h.botToken}`).toString('base64'),
  ];

  describe('a hostile agent gets no credential', () => {
    it('reading every /proc/*/environ finds no token; a plan comment cannot publish one', async () => {
      const r = await attack('plan', 'steal');
      expect(r.run.code, r.run.stdout).toBe(0);
      const stolen = report('steal');
      expect(stolen.uid, 'the agent runs as its own unprivileged user').not.toBe(0);
      expect(stolen.found.join('\n')).not.toMatch(/INPUT_TOKEN=|GITHUB_TOKEN=|Authorization/i);
      for (const form of tokenForms()) {
        expect(JSON.stringify(stolen)).not.toContain(form);
        expect(everythingPublished()).not.toContain(form);
      }
      expect(r.mainAfter).toBe(r.mainBefore);
    });

    it("planted hooks, insteadOf, fsmonitor and filters in the agent's .git and HOME never run; the push goes to the forge", async () => {
      const r = await attack('code', 'steal,hooks');
      expect(r.run.outputs.outcome, r.run.stdout).toBe('done');
      expect(existsSync(join(h.shared, 'hostile-hook-ran')), 'a planted hook or fsmonitor ran').toBe(false);
      expect(r.branch, 'the loop branch was pushed to the real forge').not.toBeNull();
      expect(await git.readFile(h.repo.gitDir, r.branch!, 'src/add.js')).toContain('Number(a) + Number(b)');
      expect([...h.repo.pulls.values()]).toHaveLength(1);
      for (const form of tokenForms()) expect(everythingPublished()).not.toContain(form);
      expect(r.mainAfter).toBe(r.mainBefore);
    });
  });

  describe("a hostile agent's leftovers are data, checked against the branch's base commit", () => {
    const refused = async (attacks: string, why: RegExp) => {
      const r = await attack('code', attacks);
      expect(r.run.outputs.outcome, r.run.stdout).toBe('failed');
      expect(r.branch, 'nothing may be pushed').toBeNull();
      expect(h.repo.pulls.size).toBe(0);
      expect(r.status).toMatch(why);
      expect(r.mainAfter).toBe(r.mainBefore);
      return r;
    };

    it('workflows (of either forge), CODEOWNERS and .gitmodules the agent committed itself are refused', async () => {
      await refused(
        'commitProtected',
        /protected paths.*\.forgejo\/workflows\/evil\.yml.*\.gitea\/workflows\/evil\.yml.*\.github\/workflows\/evil\.yml.*\.gitmodules.*CODEOWNERS/s,
      );
      expect(report('commitProtected').log).toMatch(/innocent/); // the agent did commit them
    });

    it('a protected path with a name git would quote (.github/workflows/évil.yml) is refused', async () => {
      await refused('unicodePath', /protected paths.*\.github\/workflows\/évil\.yml/s);
    });

    it('symlinks to /etc/passwd and ../.. are refused', async () => {
      await refused('symlinks', /symlinks or submodules.*passwd.*up/s);
    });

    it("the agent cannot rewrite agentloop's config, prompts or a local action", async () => {
      await refused(
        'ownConfig',
        /protected paths.*\.agentloop\/prompts\/code\.md.*\.github\/actions\/setup\/action\.yml.*\.github\/agentloop\.yml/s,
      );
    });

    it('a 5,000-line file the agent committed itself counts against max-diff-lines', async () => {
      await refused('bigCommit', /changed lines, more than max-diff-lines/);
    });

    it('a daemon the agent leaves behind is killed before agentloop reads the files', async () => {
      const r = await attack('code', 'daemon');
      expect(r.run.outputs.outcome, r.run.stdout).toBe('done');
      expect(r.branch).not.toBeNull();
      expect(await git.readFile(h.repo.gitDir, r.branch!, '.github/workflows/late.yml')).toBeNull();
      const alive = join(h.shared, 'hostile-daemon-alive');
      const seen = existsSync(alive) ? readFileSync(alive, 'utf8') : '';
      await new Promise((done) => setTimeout(done, 300));
      expect(existsSync(alive) ? readFileSync(alive, 'utf8') : '', 'the daemon is still writing').toBe(seen);
    });
  });

  describe('where the agent cannot be isolated', () => {
    it('refuses before claiming the item, naming the fix; nothing is written', async () => {
      const issue = openIssue(h, 'Make add() add', 'x');
      await applyLabel(h, issue.number, 'loop/code');
      const cannot: AgentPort = {
        check: async () => {
          const r = await resolveIsolation('user', async () => ({ code: 1, stdout: '', stderr: 'sudo: a password is required' }), 1001);
          if (!r.ok) throw new IsolationError(r.message);
        },
        open: async () => {
          throw new Error('no sandbox may be opened');
        },
      };
      const before = h.forge.requests.length;
      await expect(tickInProcess(h, { inputs: { lane: 'code', 'agent-command': 'true' }, agent: cannot })).rejects.toThrow(
        /not root and has no passwordless sudo.*agent-isolation: unsafe-none/,
      );
      expect(h.forge.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
      expect(labelNames(h, issue.number)).toEqual(['loop/code']);
    });
  });
});
