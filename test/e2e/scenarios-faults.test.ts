// The whole loop under a flaky forge: seeded 5xx and rate limits on reads and label writes. Retries
// absorb them; the loop still ends merged, with no duplicate PR and one merge.

import { httpErrors, rateLimited } from '@agentloop/embedded-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { type Loop, startLoop, transitions } from '../support/loop.js';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations).toEqual([]);
  await loop.stop();
});

describe('faults (GitHub semantics)', () => {
  it('5xx and 429s at a rate on reads and label writes: still one PR, one merge', async () => {
    loop = await startLoop();
    const flaky = (req: { method: string; path: string; login?: string }) =>
      req.login === 'agentloop-bot' && (req.method === 'GET' || /\/labels(\/|$)/.test(req.path));
    const errors = httpErrors({ seed: 7, rate: 0.1, statuses: [500, 502, 503], match: flaky });
    const limits = rateLimited({ seed: 11, rate: 0.05, retryAfterSeconds: 0, match: flaky });
    loop.forge.faults.push(errors, limits);
    const issue = await loop.maria.createIssue('add() subtracts', 'x', []);
    await loop.maria.addLabels(issue.number, ['loop/code']);
    await loop.runner.idle();
    const injected = loop.forge.requests.filter((r) => r.status >= 429 && r.login === 'agentloop-bot').length;
    expect(injected).toBeGreaterThan(5);
    expect([...loop.repo.pulls.values()]).toHaveLength(1);
    expect([...loop.repo.pulls.values()][0]!.merged).toBe(true);
    expect(loop.forge.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/merge') && r.status === 200)).toHaveLength(1);
    expect(transitions(loop)).toContain('merge');
  });
});
