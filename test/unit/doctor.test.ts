// `agentloop doctor`'s judgements, from data: each check as a table of what the forge answered → the
// findings, their level, and the exact fix.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Area,
  type CodeTokenSource,
  type Finding,
  type Level,
  labelFindings,
  type Probe,
  permissionFindings,
  renderFindings,
  settingFindings,
  tokenFindings,
  tokenKindOf,
} from '../../src/core/doctor.js';
import { tokenSource, type WorkflowFacts, workflowFindings } from '../../src/core/doctor-workflows.js';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { type InstallSpec, renderWorkflow } from '../../src/core/workflow-install.js';

const REPO = 'acme/calc';
const SHA = 'c'.repeat(40);
const levels = (fs: Finding[]) => fs.map((f) => f.level);
const worst = (fs: Finding[]): Level =>
  fs.some((f) => f.level === 'problem') ? 'problem' : fs.some((f) => f.level === 'warning') ? 'warning' : 'ok';

describe('token kind from the prefix', () => {
  it.each([
    ['ghs_abc', 'installation'],
    ['github_pat_11AB_cd', 'fine-grained'],
    ['ghp_abc', 'classic'],
    ['gho_abc', 'oauth'],
    ['ghu_abc', 'user-to-server'],
    ['v1.abc', 'unknown'],
  ])('%s → %s', (token, kind) => expect(tokenKindOf(token)).toBe(kind));
});

describe('token findings', () => {
  it.each([
    [
      'an App token (GET /user 403) is fine',
      { kind: 'installation', user: { status: 403 } },
      'ok',
      /installation token \(ghs_\): a GitHub App's/,
    ],
    ['a fine-grained PAT says whom it acts as', { kind: 'fine-grained', user: { status: 200, login: 'bot' } }, 'ok', /acting as @bot/],
    ['a token GitHub refuses', { kind: 'classic', user: { status: 401 } }, 'problem', /GET \/user answered 401/],
    [
      'a classic PAT without repo',
      { kind: 'classic', user: { status: 200, login: 'bot' }, scopes: ['gist'] },
      'problem',
      /neither repo nor public_repo/,
    ],
    ['a classic PAT with repo', { kind: 'classic', user: { status: 200, login: 'bot' }, scopes: ['repo', 'workflow'] }, 'ok', /classic/],
    [
      'a user without write access',
      { kind: 'fine-grained', user: { status: 200, login: 'bot' }, role: { push: false } },
      'problem',
      /has no write access/,
    ],
  ] as const)('%s', (_name, facts, level, message) => {
    const fs = tokenFindings(REPO, facts as Parameters<typeof tokenFindings>[1]);
    expect(worst(fs)).toBe(level);
    expect(fs.map((f) => f.message).join('\n')).toMatch(message);
  });
});

describe('permission findings', () => {
  const ok = (area: Area): Probe => ({ area, route: `GET /x/${area}`, status: 200 });
  it('a fine-grained PAT without Checks (GitHub offers them none): a warning, what agentloop does instead, and the way out', () => {
    const fs = permissionFindings('fine-grained', [
      ok('contents'),
      { area: 'checks', route: 'GET /repos/acme/calc/commits/main/check-runs', status: 403, accepted: 'checks=read' },
    ]);
    const w = fs.find((f) => f.level !== 'ok')!;
    expect(w.level).toBe('warning');
    expect(w.message).toBe(
      'the token cannot read checks (CI results on PR heads): GET /repos/acme/calc/commits/main/check-runs answered 403 (GitHub: the route needs checks=read)',
    );
    expect(w.fix).toMatch(
      /^GitHub offers fine-grained PATs no Checks permission\. agentloop reads CI from the commit statuses and the Actions jobs instead;/,
    );
    expect(w.fix).toMatch(/use a GitHub App with Checks: Read-only \(npx agentloop init --token-kind app --force\)/);
  });
  it('a fine-grained PAT without Issues: a problem, and where to grant it', () => {
    const [f] = permissionFindings('fine-grained', [
      { area: 'issues', route: 'GET /repos/acme/calc/issues', status: 403, accepted: 'issues=read' },
    ]);
    expect(f!.level).toBe('problem');
    expect(f!.fix).toBe('Edit the token (github.com/settings/personal-access-tokens) → Repository permissions → Issues: Read and write.');
  });
  it.each([
    ['installation', /App's settings → Permissions & events → Repository permissions → Actions: Read and write/],
    ['classic', /repo scope/],
  ] as const)('%s: the fix says where', (kind, fix) => {
    const [f] = permissionFindings(kind, [{ area: 'actions', route: 'GET /a', status: 403 }]);
    expect(f!.fix).toMatch(fix);
  });
  it('a missing configuration file still proves the contents read', () => {
    expect(levels(permissionFindings('fine-grained', [{ area: 'contents', route: 'GET /c', status: 404 }]))).toEqual(['ok']);
  });
});

describe('"Actions may create pull requests"', () => {
  const cases: [CodeTokenSource, number, boolean | undefined, Level][] = [
    ['workflow', 200, false, 'problem'],
    ['workflow', 200, true, 'warning'], // allowed, but its PRs start no CI
    ['secret-or-workflow', 200, false, 'warning'],
    ['secret-or-workflow', 200, true, 'ok'],
    ['secret', 200, false, 'ok'],
    ['app', 200, false, 'ok'],
    ['secret-or-workflow', 403, undefined, 'warning'],
    ['app', 403, undefined, 'ok'],
  ];
  it.each(cases)('code lane token %s, setting answered %i (%s) → %s', (source, status, canApprove, level) => {
    const fs = settingFindings(REPO, { status, ...(canApprove !== undefined ? { canApprove } : {}) }, source);
    expect(worst(fs)).toBe(level);
  });
  it('off, with the workflow token: the exact fix', () => {
    const problem = settingFindings(REPO, { status: 200, canApprove: false }, 'workflow').find((f) => f.level === 'problem')!;
    expect(problem.fix).toContain(
      'Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"',
    );
    expect(problem.fix).toContain('gh api -X PUT repos/acme/calc/actions/permissions/workflow -F can_approve_pull_request_reviews=true');
  });
});

describe('labels', () => {
  const names = labelNames('loop/');
  const all = labelCatalog(names).map((l) => l.name);
  it.each([
    ['all there', all, 'ok'],
    ['all there, other case', all.map((n) => n.toUpperCase()), 'ok'],
    ['no ci-failure', all.filter((n) => n !== 'ci-failure'), 'warning'],
    ['no trigger label', all.filter((n) => n !== 'loop/plan'), 'problem'],
  ] as const)('%s → %s', (_n, have, level) => {
    expect(worst(labelFindings(REPO, names, { status: 200, names: [...have] }))).toBe(level);
  });
  it('the fix creates exactly the missing ones, with colour and description', () => {
    const [f] = labelFindings(REPO, names, { status: 200, names: all.filter((n) => n !== 'loop/code') });
    expect(f!.fix).toBe(
      "npx agentloop init --repo acme/calc creates them; or:\ngh label create 'loop/code' -R acme/calc --color 1d76db --description 'agentloop: implement this issue and open a PR'",
    );
  });
});

// ---- the workflows ----

const TEMPLATES = readdirSync('workflows-templates/github').filter((f) => f.endsWith('.yml'));
function installed(over: Partial<InstallSpec> = {}): WorkflowFacts['files'] {
  const spec: InstallSpec = { agent: 'claude', tokenKind: 'pat', labelPrefix: 'loop/', pin: { ref: SHA, comment: 'v0.1.0' }, ...over };
  return TEMPLATES.map((f) => ({
    path: `.github/workflows/${f}`,
    text: renderWorkflow(readFileSync(join('workflows-templates/github', f), 'utf8'), spec),
  }));
}
function facts(files = installed(), extra: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    list: {
      status: 200,
      items: [
        { name: 'CI', path: '.github/workflows/ci.yml', state: 'active' },
        ...files.map((f) => ({ name: `agentloop ${f.path}`, path: f.path, state: 'active' })),
      ],
    },
    files,
    config: { path: '.github/agentloop.yml', text: 'auto-merge: true\n' },
    ...extra,
  };
}
const edit = (files: WorkflowFacts['files'], file: string, fn: (t: string) => string) =>
  files.map((f) => (f.path.endsWith(file) ? { ...f, text: fn(f.text!) } : f));
const problemsOf = (f: WorkflowFacts) =>
  workflowFindings(REPO, f)
    .findings.filter((x) => x.level !== 'ok')
    .map((x) => `${x.level}: ${x.message}${x.fix ? ` | ${x.fix}` : ''}`);

describe('workflows', () => {
  it('what init writes is healthy', () => {
    const r = workflowFindings(REPO, facts());
    expect(r.findings.filter((f) => f.level !== 'ok')).toEqual([]);
    expect(r.codeToken).toBe('secret-or-workflow');
    expect(r.loopFiles).toHaveLength(3);
  });

  it('the templates copied as they are: only the placeholder pin is wrong', () => {
    const raw = TEMPLATES.map((f) => ({
      path: `.github/workflows/${f}`,
      text: readFileSync(join('workflows-templates/github', f), 'utf8'),
    }));
    const r = workflowFindings(REPO, facts(raw));
    expect(r.findings.filter((f) => f.level !== 'ok').map((f) => f.message)).toEqual(
      raw.map((f) => `${f.path} pins agentloop to the template's placeholder 000…0, which names no commit`),
    );
    expect(r.codeToken).toBe('secret-or-workflow');
  });

  it.each([
    ['no agentloop workflow', facts([]), /problem: no workflow .* runs agentloop \| npx agentloop init --repo acme\/calc/],
    [
      'the CI is called otherwise',
      facts(installed(), { list: { status: 200, items: [{ name: 'Tests', path: '.github/workflows/test.yml', state: 'active' }] } }),
      /problem: \.github\/workflows\/agentloop-code\.yml waits for "CI" .* which no workflow in acme\/calc is called.*\| In \.github\/workflows\/agentloop-code\.yml, list your CI workflows by name under on\.workflow_run\.workflows: "Tests"/,
    ],
    [
      'the sweep is disabled',
      facts(installed(), {
        list: {
          status: 200,
          items: [
            { name: 'CI', path: '.github/workflows/ci.yml', state: 'active' },
            { name: 'agentloop sweep', path: '.github/workflows/agentloop-sweep.yml', state: 'disabled_inactivity' },
          ],
        },
      }),
      /problem: \.github\/workflows\/agentloop-sweep\.yml is disabled inactivity.*\| gh workflow enable agentloop-sweep\.yml -R acme\/calc/,
    ],
    ['the template placeholder pin', facts(installed({ pin: { ref: '0'.repeat(40), comment: '' } })), /problem: .* placeholder 000…0/],
    ['a tag pin', facts(installed({ pin: { ref: 'v1', comment: '' } })), /warning: .*agentloop@v1, a tag or branch/],
    [
      'no model key for the agent',
      facts(edit(installed(), 'agentloop-plan.yml', (t) => t.replace(/\n\s+env:\n\s+ANTHROPIC_API_KEY: .*/, ''))),
      /problem: \.github\/workflows\/agentloop-plan\.yml runs claude, but its agentloop step passes none of ANTHROPIC_API_KEY.*gh secret set ANTHROPIC_API_KEY/s,
    ],
    [
      'labels renamed in the configuration but not in the workflows',
      facts(installed(), { config: { path: '.github/agentloop.yml', text: 'label-prefix: "ai/"\n' } }),
      /problem: the if: and concurrency\.group of \.github\/workflows\/agentloop-plan\.yml never let ai\/plan through.*--label-prefix 'ai\/'/,
    ],
    [
      'a broken configuration',
      facts(installed(), { config: { path: '.github/agentloop.yml', text: 'max-open-prs: lots\n' } }),
      /problem: .*max-open-prs/,
    ],
    [
      'the code lane renamed without code-workflow',
      facts(installed().map((f) => (f.path.endsWith('agentloop-code.yml') ? { ...f, path: '.github/workflows/loop.yml' } : f))),
      /problem: the code lane runs in \.github\/workflows\/loop\.yml, but the sweep and the chain dispatch agentloop-code\.yml \| Set code-workflow: loop\.yml/,
    ],
    [
      'workflows cannot be listed',
      facts(installed(), { list: { status: 404, items: [] } }),
      /warning: could not list the repository's workflows .*404/,
    ],
    [
      'an App token without app-slug',
      facts(edit(installed({ tokenKind: 'app' }), 'agentloop-code.yml', (t) => t.replace(/\n\s+app-slug: .*/, ''))),
      /problem: .*agentloop-code\.yml runs agentloop with an App token but no app-slug/,
    ],
  ] as const)('%s', (_name, f, expected) => {
    expect(problemsOf(f).join('\n')).toMatch(expected);
  });

  const expr = (inner: string) => `\${{ ${inner} }}`;
  it.each([
    [expr('github.token'), 'workflow'],
    ['', 'workflow'],
    [expr('secrets.AGENTLOOP_TOKEN || github.token'), 'secret-or-workflow'],
    [expr('secrets.AGENTLOOP_TOKEN'), 'secret'],
    [expr('steps.app.outputs.token'), 'app'],
    // The templates as they are: an App token if configured, else AGENTLOOP_TOKEN, else the workflow token.
    [expr('steps.app.outputs.token || secrets.AGENTLOOP_TOKEN || github.token'), 'secret-or-workflow'],
  ] as const)('the code lane token %s is %s', (token, source) => expect(tokenSource(token)).toBe(source));
});

it('the report: each finding, its fix under it, and the count', () => {
  const text = renderFindings('agentloop doctor — acme/calc', [
    { level: 'ok', topic: 'token', message: 'fine' },
    { level: 'problem', topic: 'labels', message: 'missing labels: loop/plan', fix: 'line one\nline two' },
    { level: 'warning', topic: 'settings', message: 'hm' },
  ]);
  expect(text).toBe(
    [
      'agentloop doctor — acme/calc',
      '',
      'ok       token        fine',
      'problem  labels       missing labels: loop/plan',
      '                      fix: line one',
      '                           line two',
      'warning  settings     hm',
      '',
      '1 problem(s), 1 warning(s)',
    ].join('\n'),
  );
  expect(renderFindings('t', [{ level: 'ok', topic: 'token', message: 'x' }])).toMatch(/healthy: no problems, no warnings$/);
});
