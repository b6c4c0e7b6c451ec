// The model API's status in a CLI's error text, and what it tells the maintainer.
import { describe, expect, it } from 'vitest';
import { modelApiHint, modelApiStatus } from '../../src/core/agent-failure.js';
import { describeAgentFailure } from '../../src/transitions/agent-step.js';

describe('modelApiStatus', () => {
  it.each([
    ['Failed to authenticate. API Error: 401 invalid x-api-key', 401], // Claude Code
    ['API Error: Request rejected (429) · rate limited', 429], // Claude Code
    ['API Error: 500 overloaded. This is a server-side issue', 500], // Claude Code
    ['stream error: unexpected status 503 Service Unavailable', 503],
    ['request failed: HTTP 403 Forbidden', 403],
    ['error: status: 429', 429],
    ['All tests passed in 401 ms', undefined], // a number is not a status by itself
    ['exit status 1', undefined],
  ])('%s → %s', (text, status) => {
    expect(modelApiStatus(text)).toBe(status);
  });
});

describe('describeAgentFailure', () => {
  const result = (over: Partial<Parameters<typeof describeAgentFailure>[0]>) => ({
    ok: false,
    exitCode: 1,
    signal: null,
    timedOut: false,
    finalMessage: '',
    stderrTail: '',
    durationMs: 1,
    ...over,
  });
  it.each([
    [
      { finalMessage: 'Failed to authenticate. API Error: 401 bad key' },
      /exited with code 1\. It said: `Failed to authenticate\. API Error: 401 bad key`\. The model API refused the agent's credentials \(HTTP 401\)/,
    ],
    [{ finalMessage: 'API Error: Request rejected (429)' }, /429 \(rate limit or quota exhausted\)/],
    [{ finalMessage: 'API Error: 502 upstream' }, /failed \(HTTP 502\), usually a temporary problem/],
    [
      { finalMessage: 'We’re currently experiencing high demand, which may cause temporary errors.' },
      /temporary problem on its side: retry later/,
    ], // Codex on a 500
    [{ exitCode: 0, finalMessage: 'gave up' }, /^The agent reported an error\. It said: `gave up`\.$/],
    [{ timedOut: true, exitCode: null, signal: 'SIGTERM' }, /did not finish within 5 minutes \(agent-timeout-minutes\)/],
    [{ finalMessage: 'line 1\nfinal `line`' }, /It said: `final 'line'`\./], // the last line, no backtick can close the code span
  ])('%o', (over, expected) => {
    expect(describeAgentFailure(result(over), 5)).toMatch(expected);
  });
  it('names no status when the text has none', () => {
    expect(describeAgentFailure(result({ finalMessage: 'oops' }), 5)).toBe('The agent exited with code 1. It said: `oops`.');
    expect(modelApiHint(404)).toBe('The model API answered HTTP 404.');
  });
});
