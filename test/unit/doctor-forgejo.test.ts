// `agentloop doctor --forge forgejo`'s judgements, from data: what Forgejo answered → the findings, their
// level and the fix. The healthy case is the Forgejo templates as `agentloop init --forge forgejo` writes them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, Level } from '../../src/core/doctor.js';
import {
  type ForgejoFacts,
  forgejoFindings,
  forgejoWorkflowFindings,
  identityFindings,
  repositoryFindings,
  triggerLabelFindings,
  versionFindings,
} from '../../src/core/doctor-forgejo.js';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { type InstallSpec, renderWorkflow } from '../../src/core/workflow-install.js';
import { versionProblem } from '../../src/forge/forgejo.js';
import { runDoctor } from '../../src/run/doctor.js';

const REPO = 'acme/calc';
const SHA = 'c'.repeat(40);
const API = 'https://forgejo.example/api/v1';
const WEB = 'https://forgejo.example/acme/calc';
const TEMPLATES = 'workflows-templates/forgejo';
const FILES = readdirSync(TEMPLATES).filter((f) => f.endsWith('.yml'));

const worst = (fs: Finding[]): Level =>
  fs.some((f) => f.level === 'problem') ? 'problem' : fs.some((f) => f.level === 'warning') ? 'warning' : 'ok';
const notOk = (fs: Finding[]) => fs.filter((f) => f.level !== 'ok');

/** The templates as init writes them, into `dir`, each text passed through `edit`. */
function installed(dir = '.forgejo/workflows', edit: (text: string, file: string) => string = (t) => t, over: Partial<InstallSpec> = {}) {
  const spec: InstallSpec = { agent: 'claude', tokenKind: 'pat', labelPrefix: 'loop/', pin: { ref: SHA, comment: 'v0.1.0' }, ...over };
  return FILES.map((f) => ({ path: `${dir}/${f}`, text: edit(renderWorkflow(readFileSync(join(TEMPLATES, f), 'utf8'), spec), f) }));
}

/** A healthy installation's facts; `over` replaces parts of them. */
function facts(over: Partial<ForgejoFacts> = {}): ForgejoFacts {
  const files = installed();
  return {
    repo: REPO,
    api: API,
    version: { version: '15.0.3+gitea-1.22.0' },
    user: { login: 'agentloop-bot' },
    repository: { defaultBranch: 'main', htmlUrl: WEB, archived: false, hasActions: true, hasIssues: true, hasPullRequests: true },
    permission: { permission: 'admin' },
    dirs: [
      { path: '.forgejo/workflows', names: [...FILES, 'ci.yml'] },
      { path: '.gitea/workflows', names: null },
      { path: '.github/workflows', names: null },
    ],
    files,
    labels: { names: labelCatalog(labelNames('loop/')).map((l) => l.name) },
    ...over,
  };
}

/** The workflow findings when each file's text goes through `edit`. */
const edited = (edit: (text: string, file: string) => string) =>
  forgejoWorkflowFindings(facts({ files: installed(undefined, edit) })).findings;

describe('a healthy installation', () => {
  it('the templates as init writes them, an admin bot, Actions on, the labels: only ok findings', () => {
    const all = forgejoFindings(facts(), { version: '0.1.0', commit: SHA });
    expect(notOk(all)).toEqual([]);
    expect(all.map((f) => f.topic)).toEqual(
      expect.arrayContaining(['version', 'token', 'permissions', 'settings', 'workflows', 'secrets', 'labels']),
    );
    expect(all.map((f) => f.message)).toContain(`agentloop is pinned to ${SHA}`);
  });

  it('the doctor of another release says which one is pinned', () => {
    const all = forgejoFindings(facts(), { version: '0.2.0', commit: 'd'.repeat(40) });
    expect(all.find((f) => f.message.startsWith('agentloop is pinned'))?.message).toMatch(/this doctor is v0\.2\.0 \(dddddddddddd\)/);
  });
});

describe('version', () => {
  it.each([
    ['v15', { version: '15.0.3+gitea-1.22.0' }, 'ok', /Forgejo 15\.0\.3/, undefined],
    ['v14', { version: '14.0.1' }, 'ok', /Forgejo 14\.0\.1/, undefined],
    [
      'v13',
      { version: '13.0.2', problem: versionProblem({ version: '13.0.2', major: 13 })! },
      'problem',
      /^agentloop needs Forgejo v14 or later .*"13\.0\.2"\.$/,
      /Upgrade to Forgejo v15 LTS/,
    ],
    [
      'Gitea',
      { version: '1.22.3', problem: versionProblem({ version: '1.22.3', major: undefined })! },
      'problem',
      /"1\.22\.3" \(Gitea is not supported\)\.$/,
      /Upgrade/,
    ],
    ['not a Forgejo API', { status: 404 }, 'problem', /GET \/version answered 404: this is not a Forgejo API/, /GITHUB_API_URL.*\/api\/v1/],
    ['a refused token', { status: 401 }, 'problem', /GET \/version answered 401: Forgejo refuses the token/, /create an access token/],
  ] as const)('%s', (_name, v, level, message, fix) => {
    const [f] = versionFindings(v);
    expect(f).toMatchObject({ level, topic: 'status' in v && v.status === 401 ? 'token' : 'version' });
    expect(f!.message).toMatch(message);
    if (fix) expect(f!.fix).toMatch(fix);
  });
});

describe('the token and its user', () => {
  it.each([
    ['an administrator', { permission: 'admin' }, 'ok', /is an administrator of acme\/calc/],
    [
      'a writer: the admin problem',
      { permission: 'write' },
      'problem',
      /has write access to acme\/calc but is not an administrator: Forgejo lets only repository admins/,
    ],
    ['a reader', { permission: 'read' }, 'problem', /has only read access to acme\/calc/],
    ['no access', { permission: 'none' }, 'problem', /has no access to acme\/calc/],
    [
      'an unreadable permission',
      { error: 'Forgejo answered 500' },
      'problem',
      /could not read the permission of @agentloop-bot: Forgejo answered 500/,
    ],
  ] as const)('%s', (_name, permission, level, message) => {
    const out = identityFindings(facts({ permission }));
    const f = out.find((x) => x.topic === 'permissions')!;
    expect(f.level).toBe(level);
    expect(f.message).toMatch(message);
    if (level === 'problem')
      expect(f.fix).toBe(
        `Make @agentloop-bot an Administrator collaborator of acme/calc: ${WEB}/settings/collaboration (or a team with admin access to it).`,
      );
  });

  it('a token Forgejo refuses is a problem with how to make one', () => {
    const out = identityFindings(facts({ user: null }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 'problem', topic: 'token', message: expect.stringMatching(/GET \/user refused the token/) });
    expect(out[0]!.fix).toMatch(/repository: Read and write, issue: Read and write, user: Read.*AGENTLOOP_TOKEN/);
  });

  it('says who agentloop will be', () => {
    expect(identityFindings(facts())[0]).toMatchObject({
      level: 'ok',
      message: expect.stringMatching(/^the token acts as @agentloop-bot/),
    });
  });
});

describe('the repository', () => {
  const base = facts().repository as Exclude<ForgejoFacts['repository'], { status: number } | undefined>;
  it.each([
    [
      'Actions off',
      { hasActions: false },
      /Actions are off for acme\/calc/,
      /settings → Units → Overview: turn on Actions.*\[actions\] ENABLED/,
    ],
    ['Issues off', { hasIssues: false }, /Issues are off/, /turn on Issues/],
    ['Pull requests off', { hasPullRequests: false }, /Pull requests are off/, /turn on Pull requests/],
    ['archived', { archived: true }, /is archived/, /Unarchive/],
  ])('%s is a problem', (_name, over, message, fix) => {
    const problems = repositoryFindings(REPO, { ...base, ...over }).filter((f) => f.level === 'problem');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.fix).toMatch(fix);
  });

  it('no has_actions field: nothing is said about Actions', () => {
    const { hasActions: _, ...rest } = base;
    expect(repositoryFindings(REPO, rest)).toEqual([]);
  });

  it('an unreadable repository is a problem', () => {
    expect(repositoryFindings(REPO, { status: 404 })[0]).toMatchObject({
      level: 'problem',
      message: expect.stringMatching(/acme\/calc was not found/),
    });
  });
});

describe('the workflow directories', () => {
  it('none of the three exists: not installed, and init is the fix', () => {
    const dirs = facts().dirs!.map((d) => ({ ...d, names: null }));
    const out = forgejoWorkflowFindings(facts({ dirs, files: [] })).findings;
    expect(out).toEqual([expect.objectContaining({ level: 'problem', message: expect.stringMatching(/none of \.forgejo\/workflows/) })]);
    expect(out[0]!.fix).toBe(`GITHUB_API_URL=${API} npx agentloop init --forge forgejo --repo acme/calc proposes its workflows as a PR.`);
  });

  it('a missing file is a problem naming what is lost', () => {
    const dirs = [{ path: '.forgejo/workflows', names: ['agentloop-plan.yml', 'agentloop-code.yml'] }];
    const files = installed().filter((f) => !f.path.endsWith('sweep.yml'));
    const out = notOk(forgejoWorkflowFindings(facts({ dirs, files })).findings);
    expect(out).toEqual([
      expect.objectContaining({
        level: 'problem',
        message: expect.stringMatching(/has no agentloop-sweep\.yml: nothing notices CI results/),
      }),
    ]);
  });

  it("agentloop's files in a directory Forgejo ignores: move them where it reads", () => {
    const dirs = [
      { path: '.forgejo/workflows', names: ['ci.yml'] },
      { path: '.gitea/workflows', names: null },
      { path: '.github/workflows', names: FILES },
    ];
    const out = notOk(forgejoWorkflowFindings(facts({ dirs, files: [] })).findings);
    expect(out.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^\.github\/workflows holds agentloop-code\.yml, agentloop-plan\.yml, agentloop-sweep\.yml, which never run: Forgejo reads only the first .* here \.forgejo\/workflows$/,
      ),
      expect.stringMatching(/^\.forgejo\/workflows has no agentloop-plan\.yml, agentloop-code\.yml, agentloop-sweep\.yml/),
    ]);
    expect(out[0]!.fix).toMatch(/^Move them into \.forgejo\/workflows/);
  });

  it('copies in an ignored directory beside the ones that run: delete them', () => {
    const dirs = [
      { path: '.forgejo/workflows', names: FILES },
      { path: '.github/workflows', names: ['agentloop-code.yml'] },
    ];
    const out = notOk(forgejoWorkflowFindings(facts({ dirs })).findings);
    expect(out).toHaveLength(1);
    expect(out[0]!.fix).toBe('Delete them from .github/workflows: the ones in .forgejo/workflows run.');
  });
});

describe('the workflow files', () => {
  const code = (edit: (t: string) => string) => (t: string, f: string) => (f === 'agentloop-code.yml' ? edit(t) : t);
  it.each([
    [
      'a short uses: name',
      code((t) => t.replace('https://github.com/agentloop/agentloop@', 'agentloop/agentloop@')),
      'problem',
      /uses agentloop\/agentloop@c{40}, a short name: Forgejo looks short names up on its own action mirror/,
      /^Write the full URL: uses: https:\/\/github\.com\/agentloop\/agentloop@c{40} \(or the URL of your own mirror/,
    ],
    [
      'a tag',
      code((t) => t.replace(`agentloop@${SHA}`, 'agentloop@v1')),
      'warning',
      /agentloop@v1, a tag or branch/,
      /Pin the full commit SHA/,
    ],
    ['the placeholder pin', code((t) => t.replace(SHA, '0'.repeat(40))), 'problem', /placeholder 000…0/, /commit SHA/],
    [
      'no workflow-level concurrency',
      code((t) => t.replace(/^concurrency:\n(?: {2}.*\n)+/m, '')),
      'problem',
      /agentloop-code\.yml has no workflow-level concurrency with cancel-in-progress: false written out: Forgejo then does not serialize/,
      /top-level concurrency: block/,
    ],
    [
      'cancel-in-progress left out',
      code((t) => t.replace(/^ {2}cancel-in-progress: false\n/m, '')),
      'problem',
      /no workflow-level concurrency/,
      /cancel-in-progress: false/,
    ],
    [
      'cancel-in-progress: true',
      code((t) => t.replace(/^ {2}cancel-in-progress: false$/m, '  cancel-in-progress: true')),
      'problem',
      /no workflow-level concurrency/,
      /concurrency/,
    ],
    [
      'forge: github',
      code((t) => t.replace('forge: forgejo', 'forge: github')),
      'problem',
      /sets forge: github/,
      /forge: forgejo, or leave it out/,
    ],
    [
      'the automatic token',
      code((t) => t.replace('secrets.AGENTLOOP_TOKEN', 'github.token')),
      'problem',
      /gives agentloop token: \$\{\{ github\.token \}\}, not secrets\.AGENTLOOP_TOKEN: the automatic token cannot read other users' permissions/,
      /token: \$\{\{ secrets\.AGENTLOOP_TOKEN \}\}/,
    ],
    [
      'no token at all',
      code((t) => t.replace(/^ +token: .*\n/m, '')),
      'problem',
      /gives agentloop no token \(so the automatic one\)/,
      /AGENTLOOP_TOKEN/,
    ],
    [
      'a fallback to the automatic token',
      code((t) => t.replace('secrets.AGENTLOOP_TOKEN', 'secrets.AGENTLOOP_TOKEN || github.token')),
      'warning',
      /falls back to the automatic token/,
      /AGENTLOOP_TOKEN/,
    ],
    [
      'a label the if: does not let through',
      code((t) => t.replace(/loop\/merge/g, 'loop/ship')),
      'problem',
      /the if: and concurrency\.group of \.forgejo\/workflows\/agentloop-code\.yml never let loop\/merge through/,
      /--label-prefix 'loop\/'/,
    ],
    ['not YAML', code(() => 'jobs: [\n'), 'problem', /agentloop-code\.yml is not valid YAML/, undefined],
    [
      'no agentloop step',
      code((t) => t.replace(/ {6}- uses: https:\/\/github\.com\/agentloop[\s\S]*$/, '      - run: true\n')),
      'problem',
      /has no step that uses agentloop/,
      /agentloop init --forge forgejo/,
    ],
  ] as const)('%s', (_name, edit, level, message, fix) => {
    const out = notOk(edited(edit));
    expect(worst(out), JSON.stringify(out)).toBe(level);
    const f = out.find((x) => x.level === level)!;
    expect(f.message).toMatch(message);
    if (fix) expect(f.fix).toMatch(fix);
  });

  it('different label prefixes are a problem; one custom prefix names the labels', () => {
    const custom = forgejoWorkflowFindings(facts({ files: installed(undefined, undefined, { labelPrefix: 'bot/' }) }));
    expect(notOk(custom.findings)).toEqual([]);
    expect([custom.names.plan, custom.names.code]).toEqual(['bot/plan', 'bot/code']);
    const mixed = edited((t, f) => (f === 'agentloop-sweep.yml' ? t.replace('lane: sweep', 'lane: sweep\n          label-prefix: x/') : t));
    expect(notOk(mixed)).toEqual([
      expect.objectContaining({
        level: 'problem',
        topic: 'config',
        message: expect.stringMatching(/different label-prefix inputs \(\(none\), x\/\)/),
      }),
    ]);
  });
});

describe('the trigger labels', () => {
  const names = labelNames('loop/');
  it.each([
    ['all there', labelCatalog(names).map((l) => l.name), 'ok', /the trigger labels loop\/plan and loop\/code exist/],
    ['only the trigger labels', ['loop/plan', 'LOOP/CODE'], 'ok', /exist/],
    ['no loop/plan', ['loop/code'], 'problem', /missing labels: loop\/plan: Forgejo silently ignores a label name that does not exist/],
    ['none', [], 'problem', /missing labels: loop\/plan, loop\/code/],
  ])('%s', (_name, have, level, message) => {
    const [f] = triggerLabelFindings(facts({ labels: { names: have } }), names);
    expect(f).toMatchObject({ level, topic: 'labels', message: expect.stringMatching(message) });
    if (level === 'problem')
      expect(f!.fix).toMatch(
        /^GITHUB_API_URL=https:\/\/forgejo\.example\/api\/v1 npx agentloop init --forge forgejo --repo acme\/calc creates them; or.*\nloop\/plan \(color #/,
      );
  });

  it('the label names follow the workflows', () => {
    const f = forgejoFindings(facts({ files: installed(undefined, undefined, { labelPrefix: 'bot/' }) }));
    expect(f.find((x) => x.topic === 'labels')?.message).toMatch(/missing labels: bot\/plan, bot\/code/);
  });

  it('an unreadable list is a warning', () => {
    expect(triggerLabelFindings(facts({ labels: { status: 500 } }), names)).toEqual([
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/could not list labels .* answered 500/) }),
    ]);
  });
});

it('facts that stop early (a refused token) give only what was read', () => {
  const out = forgejoFindings({ repo: REPO, api: API, version: { version: '15.0.3' }, user: null });
  expect(out.map((f) => [f.level, f.topic])).toEqual([
    ['ok', 'version'],
    ['problem', 'token'],
  ]);
});

it('--forge forgejo with GitHub API (GITHUB_API_URL unset) is refused before any request', async () => {
  let requests = 0;
  const fetch = (async () => {
    requests += 1;
    return new Response('{}');
  }) as typeof globalThis.fetch;
  await expect(runDoctor({ repo: REPO, forge: 'forgejo', token: 't', apiUrl: 'https://api.github.com', fetch })).rejects.toThrow(
    /--forge forgejo needs the API of your Forgejo: set GITHUB_API_URL=https:\/\/your-forgejo\/api\/v1/,
  );
  expect(requests).toBe(0);
});
