// The embedded forge's faults against agentloop's GitHub client: they are shaped like GitHub's own
// answers, so the real Octokit retry/throttling stack reacts to them as it would in production.

import { type ForgeEvent, failOn, httpErrors, humanEdits, labelAsHuman, rateLimited, unlabelAsHuman } from '@agentloop/embedded-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubForge } from '../../src/forge/github.js';
import { type Harness, openIssue, startHarness } from '../support/harness.js';

describe('on the embedded forge, with the real Octokit stack', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    expect(h.forge.violations).toEqual([]);
    await h.stop();
  });

  const client = () =>
    createGitHubForge({
      token: h.tokenFor('maria'),
      owner: 'acme',
      repo: 'widget',
      baseUrl: h.forge.urls.api,
      retryAfterBaseMs: 1,
      spaceWrites: false,
    });
  const issuePath = (n: number) => `/repos/acme/widget/issues/${n}`;
  const trail = (n: number) => h.forge.requests.filter((r) => r.path === issuePath(n)).map((r) => `${r.method} ${r.status}`);

  it('a secondary rate limit (429 + retry-after) is retried by the throttling plugin', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, match: (r) => r.path === issuePath(issue.number) }));
    const got = await client().getIssue(issue.number);
    expect(got.title).toBe('Fix add');
    expect(trail(issue.number)).toEqual(['GET 429', 'GET 200']);
  });

  it('a secondary rate limit sent as 403 is retried too', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, secondaryStatus: 403 }));
    await client().getIssue(issue.number);
    expect(trail(issue.number)).toEqual(['GET 403', 'GET 200']);
  });

  it('the primary rate limit (403, x-ratelimit-remaining 0, reset) is retried after the reset', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(rateLimited({ seed: 1, rate: 1, limit: 1, secondary: false, retryAfterSeconds: 1 }));
    const got = await client().getIssue(issue.number);
    expect(got.number).toBe(issue.number);
    expect(trail(issue.number)).toEqual(['GET 403', 'GET 200']);
  });

  it('a 502 on a GET is retried by the retry plugin', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const hook = failOn({ method: 'GET', path: /\/issues\/\d+$/, status: 502 });
    h.forge.faults.push(hook);
    const got = await client().getIssue(issue.number);
    expect(got.title).toBe('Fix add');
    expect(trail(issue.number)).toEqual(['GET 502', 'GET 200']);
    expect(hook.fired()).toBe(1);
  });

  it('httpErrors at rate 1 with a limit: the retries get through', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    h.forge.faults.push(httpErrors({ seed: 8, rate: 1, limit: 2, statuses: [503] }));
    await client().getIssue(issue.number);
    expect(trail(issue.number)).toEqual(['GET 503', 'GET 503', 'GET 200']);
  });

  it('humanEdits: a maintainer labels the issue between two requests of a run', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const events: ForgeEvent[] = [];
    h.forge.on((e) => events.push(e));
    const edits = humanEdits({
      when: (r) => r.method === 'GET' && r.path === issuePath(issue.number),
      edit: () => labelAsHuman(h.forge, h.repo, issue.number, 'do-not-merge', 'maria'),
    });
    h.forge.faults.push(edits);
    const forge = client();
    const first = await forge.getIssue(issue.number);
    // The edit happened just before the first read was handled, so that read already sees it.
    expect(first.labels).toContain('do-not-merge');
    await edits.settled();
    expect(edits.fired()).toBe(1);
    expect(events.map((e) => [e.name, e.action, e.actor, e.automatic])).toEqual([['issues', 'labeled', 'maria', false]]);
    expect(h.repo.events.at(-1)).toMatchObject({ event: 'labeled', label: 'do-not-merge', actor: 'maria' });

    // A second matching request: the edit is not repeated (times = 1).
    await forge.getIssue(issue.number);
    expect(edits.fired()).toBe(1);

    // And the opposite: removed between two reads.
    const undo = humanEdits({
      when: (r) => r.path === issuePath(issue.number),
      edit: () => void unlabelAsHuman(h.forge, 'acme/widget', issue.number, 'do-not-merge', 'maria'),
    });
    h.forge.faults.push(undo);
    expect((await forge.getIssue(issue.number)).labels).not.toContain('do-not-merge');
    await undo.settled();
    expect(events.at(-1)).toMatchObject({ name: 'issues', action: 'unlabeled', actor: 'maria' });
  });

  it('humanEdits reports a failed edit through settled()', async () => {
    const issue = openIssue(h, 'Fix add', 'It subtracts.');
    const edits = humanEdits({ when: () => true, edit: () => labelAsHuman(h.forge, h.repo, 999, 'x') });
    h.forge.faults.push(edits);
    await client().getIssue(issue.number);
    await expect(edits.settled()).rejects.toThrow(/no issue or pull request #999/);
  });
});
