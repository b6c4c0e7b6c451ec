import { describe, expect, it } from 'vitest';
import { summarizeChecks } from '../../src/core/ci.js';
import { parseConfig } from '../../src/core/config.js';
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
    [
      "agentloop's plan and sweep jobs are not CI either",
      [check('test', 'success'), check('agentloop-plan', 'pending'), check('agentloop-sweep', 'failure')],
      [],
      'success',
    ],
    ['a red check merely named agentloop… is CI', [check('test', 'success'), check('agentloop-lint', 'failure')], [], 'failure'],
    ['a pending check merely named agentloop… is CI', [check('test', 'success'), check('agentloop', 'pending')], [], 'pending'],
    ['own job names are exact, letter case included', [check('test', 'success'), check('Agentloop-Code', 'failure')], [], 'failure'],
    // Forgejo's commit status for a workflow job: `<workflow name> / <job> (<event>)`.
    [
      "Forgejo: a killed agentloop run's status on the PR head is not red CI",
      [
        check('CI / test (pull_request)', 'success', { source: 'status' }),
        check('agentloop code / agentloop-code (pull_request_review)', 'failure', { source: 'status' }),
      ],
      [],
      'success',
    ],
    [
      'Forgejo: a CI job merely named like agentloop’s, in another workflow, is CI',
      [check('CI / agentloop-code (pull_request)', 'failure', { source: 'status' })],
      [],
      'failure',
    ],
    ['a required check that has not reported keeps it pending', [check('test', 'success')], ['test', 'e2e'], 'pending'],
    ['a failing check outside required-checks is ignored', [check('test', 'success'), check('flaky', 'failure')], ['test'], 'success'],
    [
      'the same name failing in one source and passing in another is failing',
      [check('test', 'success'), check('test', 'failure', { source: 'status' })],
      [],
      'failure',
    ],
    // action_required: the check waits for a maintainer (approve a run, act on the check) — waiting, not red.
    [
      'a check waiting for a maintainer (action_required) is not red',
      [check('test', 'success'), check('deploy', 'action_required')],
      [],
      'pending',
    ],
    ['action_required never counts as green', [check('deploy', 'action_required')], [], 'pending'],
    ['a red check still wins over a waiting one', [check('test', 'failure'), check('deploy', 'action_required')], [], 'failure'],
  ];
  for (const [name, checks, required, status] of rows) {
    it(name, () => expect(summarizeChecks('abc', checks, { requiredChecks: required }).status).toBe(status));
  }
  it('excludes checks of agentloop runs by run id', () => {
    expect(summarizeChecks('abc', [check('build', 'pending', { runId: 7 })], { requiredChecks: [], ownRunIds: [7] }).status).toBe('none');
  });
  it('names the checks that wait for a maintainer apart from the running ones', () => {
    const s = summarizeChecks('abc', [check('test', 'pending'), check('deploy', 'action_required')], { requiredChecks: [] });
    expect(s).toMatchObject({ status: 'pending', pending: ['test'], waiting: ['deploy'], failing: [] });
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

  const file = (path: string, oldMode: string, newMode: string) => ({ path, added: 1, removed: 0, oldMode, newMode });
  it.each([
    ['a new symlink', file('passwd', '000000', '120000'), 'unsafe-entry'],
    ['a file turned into a symlink', file('src/a.js', '100644', '120000'), 'unsafe-entry'],
    ['a changed symlink', file('link', '120000', '120000'), 'unsafe-entry'],
    ['a new gitlink (nested repository)', file('vendor/x', '000000', '160000'), 'unsafe-entry'],
    ['a removed gitlink', file('vendor/x', '160000', '000000'), 'unsafe-entry'],
    ['a deleted symlink', file('old-link', '120000', '000000'), undefined],
    ['an executable file', file('run.sh', '000000', '100755'), undefined],
  ])('%s', (_name, f, reason) => {
    const v = checkDiff([f], policy);
    if (reason) expect(v).toMatchObject({ ok: false, reason, paths: [f.path] });
    else expect(v).toMatchObject({ ok: true });
  });

  it('always protects the config file and the prompts directory, whatever protected-paths says', () => {
    const own = { protectedPaths: [], maxDiffLines: 100, configFile: 'ci/agentloop.yml', promptsDir: 'ci/prompts/' };
    expect(checkDiff([{ path: 'ci/agentloop.yml', added: 1, removed: 0 }], own)).toMatchObject({ ok: false, reason: 'protected' });
    expect(checkDiff([{ path: 'ci/prompts/code.md', added: 1, removed: 0 }], own)).toMatchObject({ ok: false, reason: 'protected' });
    expect(checkDiff([{ path: 'ci/other.yml', added: 1, removed: 0 }], own)).toMatchObject({ ok: true });
  });

  it('matches protected paths case-insensitively and on unquoted unicode names', () => {
    expect(checkDiff([{ path: '.GitHub/Workflows/x.yml', added: 1, removed: 0 }], policy)).toMatchObject({ reason: 'protected' });
    expect(checkDiff([{ path: '.github/workflows/évil.yml', added: 1, removed: 0 }], policy)).toMatchObject({ reason: 'protected' });
  });

  it('protects by default everything a repository runs or trusts', () => {
    const defaults = parseConfig({ inputs: { token: 't', 'agent-command': 'x' } });
    for (const path of [
      '.github/workflows/ci.yml',
      '.github/actions/a/action.yml',
      '.github/agentloop.yml',
      '.forgejo/workflows/x.yml',
      '.gitea/workflows/x.yml',
      '.agentloop/prompts/code.md',
      'action.yml',
      'sub/action.yaml',
      'CODEOWNERS',
      'docs/CODEOWNERS',
      '.gitmodules',
      '.gitattributes',
    ]) {
      expect(checkDiff([{ path, added: 1, removed: 0 }], defaults), path).toMatchObject({ ok: false, reason: 'protected' });
    }
    expect(checkDiff([{ path: 'src/app.ts', added: 1, removed: 0 }], defaults)).toMatchObject({ ok: true });
  });
});
