import { describe, expect, it } from 'vitest';
import { summarizeChecks } from '../../src/core/ci.js';
import { checkDiff, globToRegExp } from '../../src/core/diff-policy.js';
import type { CheckData } from '../../src/core/model.js';

const check = (name: string, conclusion: CheckData['conclusion'], over: Partial<CheckData> = {}): CheckData => ({
  name,
  conclusion,
  source: 'check-run',
  url: '',
  ...over,
});

describe('CI on a head: check runs + statuses, unknown is not green', () => {
  const rows: [string, CheckData[], string[], string][] = [
    ['nothing reported yet', [], [], 'none'],
    ['all green', [check('test', 'success'), check('lint', 'success', { source: 'status' })], [], 'success'],
    ['one red', [check('test', 'success'), check('lint', 'failure')], [], 'failure'],
    ['one still running', [check('test', 'success'), check('lint', 'pending')], [], 'pending'],
    ['neutral and skipped count as passing', [check('test', 'neutral'), check('docs', 'skipped')], [], 'success'],
    ["agentloop's own job is not CI", [check('test', 'success'), check('agentloop-code', 'pending')], [], 'success'],
    ['only agentloop ran: nothing reported', [check('agentloop-code', 'success')], [], 'none'],
    ['a required check that has not reported keeps it pending', [check('test', 'success')], ['test', 'e2e'], 'pending'],
    ['a failing check outside required-checks is ignored', [check('test', 'success'), check('flaky', 'failure')], ['test'], 'success'],
    [
      'the same name failing in one source and passing in another is failing',
      [check('test', 'success'), check('test', 'failure', { source: 'status' })],
      [],
      'failure',
    ],
  ];
  for (const [name, checks, required, status] of rows) {
    it(name, () => expect(summarizeChecks('abc', checks, { requiredChecks: required }).status).toBe(status));
  }
  it('excludes checks of agentloop runs by run id', () => {
    expect(summarizeChecks('abc', [check('build', 'pending', { runId: 7 })], { requiredChecks: [], ownRunIds: [7] }).status).toBe('none');
  });
  it('names the failing and the missing checks', () => {
    const s = summarizeChecks('abc', [check('lint', 'failure')], { requiredChecks: ['lint', 'test'] });
    expect(s).toMatchObject({ failing: ['lint'], missing: ['test'] });
  });
});

describe('diff policy', () => {
  const policy = {
    protectedPaths: ['.github/workflows/**', 'action.yml', 'CODEOWNERS', '.gitmodules', 'docs/*.secret'],
    maxDiffLines: 100,
  };
  it('refuses an empty diff', () => expect(checkDiff([], policy)).toMatchObject({ ok: false, reason: 'empty' }));
  it('refuses protected paths, naming them', () => {
    const v = checkDiff(
      [
        { path: '.github/workflows/ci.yml', added: 1, removed: 0 },
        { path: 'src/a.js', added: 1, removed: 0 },
      ],
      policy,
    );
    expect(v).toMatchObject({ ok: false, reason: 'protected', paths: ['.github/workflows/ci.yml'] });
  });
  it('matches a bare name at any depth, and * within one segment only', () => {
    expect(globToRegExp('CODEOWNERS').test('.github/CODEOWNERS')).toBe(true);
    expect(globToRegExp('docs/*.secret').test('docs/a.secret')).toBe(true);
    expect(globToRegExp('docs/*.secret').test('docs/x/a.secret')).toBe(false);
    expect(globToRegExp('.github/workflows/**').test('.github/workflows/deep/x.yml')).toBe(true);
    expect(globToRegExp('.github/workflows/**').test('.github/workflowsx/x.yml')).toBe(false);
  });
  it('refuses a diff over max-diff-lines, counting added and removed', () => {
    expect(checkDiff([{ path: 'a', added: 60, removed: 41 }], policy)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(checkDiff([{ path: 'a', added: 60, removed: 40 }], policy)).toEqual({ ok: true, files: 1, lines: 100 });
  });
});
