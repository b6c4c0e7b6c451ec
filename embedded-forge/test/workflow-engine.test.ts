import { describe, expect, it } from 'vitest';
import { usesKind } from '../src/steps.js';
import { examplePayload, issueLabeledPayload } from '../src/webhooks.js';
import {
  ConcurrencyScheduler,
  dispatchInputs,
  effectiveConcurrency,
  evaluate,
  evaluateIf,
  evaluateTemplate,
  type ForgeFlavor,
  githubContext,
  matchesOn,
  matchPatterns,
  type ParsedWorkflow,
  parseWorkflowFile,
  planEvent,
  type QueuedRun,
  resolveConcurrency,
  selectWorkflowPaths,
  type TriggerEvent,
  validateDispatchInputs,
} from '../src/workflow-engine.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const REPO = { owner: 'acme', name: 'widgets', defaultBranch: 'main' };

const PLAN_WORKFLOW = `name: agentloop plan
on:
  issues:
    types: [labeled]
  workflow_dispatch:
    inputs:
      issue:
        description: Issue number
        required: true
      dry-run:
        type: boolean
        default: false
      lane:
        type: choice
        options: [plan, code]
        default: plan
concurrency:
  group: agentloop-plan-\${{ github.event.issue.number || inputs.issue }}
  cancel-in-progress: false
jobs:
  plan:
    if: contains(fromJSON('["loop/plan"]'), github.event.label.name)
    runs-on: ubuntu-latest
    permissions:
      contents: read
      issues: write
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@${SHA}
        with:
          persist-credentials: false
      - name: agentloop
        uses: ./
        with:
          token: \${{ secrets.AGENTLOOP_TOKEN || github.token }}
          lane: plan
        env:
          ISSUE: \${{ github.event.issue.number }}
      - run: |
          echo "issue \${{ github.event.issue.number }}"
          echo done
`;

const CODE_WORKFLOW = `name: agentloop code
on:
  pull_request:
  workflow_run:
    workflows: [CI]
    types: [completed]
    branches: ['agentloop/**']
  schedule:
    - cron: '*/15 * * * *'
concurrency:
  group: agentloop-code
  cancel-in-progress: false
  queue: max
jobs:
  code:
    runs-on: ubuntu-latest
    concurrency:
      group: code-job
    steps:
      - run: echo code
`;

const PUSH_WORKFLOW = `on:
  push:
    branches: [main, 'release/**']
    paths: ['src/**', '!src/**/*.md']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
`;

async function parse(text: string, path = '.github/workflows/wf.yml'): Promise<ParsedWorkflow> {
  return parseWorkflowFile({ path, text });
}

function labeled(label: string, number = 7): TriggerEvent {
  return {
    name: 'issues',
    action: 'labeled',
    payload: issueLabeledPayload({ owner: 'acme', repo: 'widgets', number, label, sender: 'alice' }),
    ref: 'refs/heads/main',
    sha: SHA,
  };
}

type Fields = Record<string, unknown>;

function prEvent(action: string, base = 'main'): TriggerEvent {
  const payload = examplePayload('pull_request', 'opened') as Fields & { pull_request: Fields & { base: Fields } };
  payload.action = action;
  payload.pull_request = { ...payload.pull_request, base: { ...payload.pull_request.base, ref: base } };
  return { name: 'pull_request', action, payload, ref: 'refs/pull/2/merge', sha: SHA };
}

function workflowRunEvent(name: string, headBranch: string, action = 'completed'): TriggerEvent {
  const payload = examplePayload('workflow_run', 'completed') as Fields & { workflow_run: Fields };
  payload.action = action;
  payload.workflow_run = { ...payload.workflow_run, name, head_branch: headBranch };
  return { name: 'workflow_run', action, payload, ref: 'refs/heads/main', sha: SHA };
}

describe('parseWorkflowFile', () => {
  it('reads the kind of workflow agentloop ships', async () => {
    const wf = await parse(PLAN_WORKFLOW, '.github/workflows/agentloop-plan.yml');
    expect(wf.errors).toEqual([]);
    expect(wf.name).toBe('agentloop plan');
    expect(Object.keys(wf.on).sort()).toEqual(['issues', 'workflow_dispatch']);
    expect(wf.on.issues?.types).toEqual(['labeled']);
    expect(wf.concurrency).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the concurrency group is a workflow expression, kept unevaluated by the parser
      group: 'agentloop-plan-${{ github.event.issue.number || inputs.issue }}',
      cancelInProgress: false,
      cancelInProgressExplicit: true,
    });
    expect(wf.jobs).toHaveLength(1);
    const job = wf.jobs[0]!;
    expect(job.id).toBe('plan');
    expect(job.if).toBe(`contains(fromJSON('["loop/plan"]'), github.event.label.name)`);
    expect(job.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(job.timeoutMinutes).toBe(30);
    expect(job.steps.map((s) => s.uses ?? 'run')).toEqual([`actions/checkout@${SHA}`, './', 'run']);
    // Literal `false` becomes the string an action input receives.
    expect(job.steps[0]!.with).toEqual({ 'persist-credentials': 'false' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: action inputs keep their workflow expressions unevaluated
    expect(job.steps[1]!.with).toEqual({ token: '${{ secrets.AGENTLOOP_TOKEN || github.token }}', lane: 'plan' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env values keep their workflow expressions unevaluated
    expect(job.steps[1]!.env).toEqual({ ISSUE: '${{ github.event.issue.number }}' });
    // Block scalars keep their real text (no YAML indentation leaking in).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the run script keeps its workflow expression unevaluated
    expect(job.steps[2]!.run).toBe('echo "issue ${{ github.event.issue.number }}"\necho done\n');
  });

  it('evaluates the `with:` values of the agentloop step', async () => {
    const wf = await parse(PLAN_WORKFLOW);
    const step = wf.jobs[0]!.steps[1]!;
    const github = githubContext(labeled('loop/plan'), REPO, { token: 'ghs_automatic' });
    const withSecret = { github, secrets: { AGENTLOOP_TOKEN: 'pat_123' } };
    const noSecret = { github, secrets: {} };
    expect(evaluateTemplate(step.with.token!, withSecret)).toBe('pat_123');
    expect(evaluateTemplate(step.with.token!, noSecret)).toBe('ghs_automatic');
    expect(evaluateTemplate(step.with.lane!, noSecret)).toBe('plan');
    expect(evaluateTemplate(step.env.ISSUE!, noSecret)).toBe('7');
    expect(evaluateTemplate(wf.jobs[0]!.steps[2]!.run!, noSecret)).toBe('echo "issue 7"\necho done\n');
  });

  it('collects errors instead of throwing for invalid workflows', async () => {
    const unknownEvent = await parse('on: [nonsense-event]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n');
    expect(unknownEvent.errors.join('\n')).toMatch(/nonsense-event/);
    const broken = await parse('on: push\njobs: [\n');
    expect(broken.errors.length).toBeGreaterThan(0);
    const notAMapping = await parse('just a string');
    expect(notAMapping.errors.length).toBeGreaterThan(0);
    const badQueue = await parse(
      'on: push\nconcurrency:\n  group: g\n  cancel-in-progress: true\n  queue: max\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n',
    );
    expect(badQueue.errors.join('\n')).toMatch(/queue: max/);
    // An invalid workflow never matches.
    expect(matchesOn(unknownEvent, { name: 'push', payload: {}, ref: 'refs/heads/main', sha: SHA }, 'github')).toBe(false);
  });

  it('distinguishes an absent cancel-in-progress from an explicit one', async () => {
    const wf = await parse('on: push\nconcurrency: my-group\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n');
    expect(wf.concurrency).toEqual({ group: 'my-group', cancelInProgressExplicit: false });
    expect(resolveConcurrency(wf.concurrency, { github: {} })).toEqual({ group: 'my-group', queueMax: false });
  });
});

describe('matchesOn', () => {
  const table: [string, string, () => TriggerEvent, ForgeFlavor, boolean][] = [
    ['plan', 'issues labeled', () => labeled('loop/plan'), 'github', true],
    ['plan', 'issues opened', () => ({ ...labeled('x'), action: 'opened' }), 'github', false],
    ['plan', 'forgejo label_updated', () => ({ ...labeled('loop/plan'), action: 'label_updated' }), 'forgejo', true],
    [
      'plan',
      'forgejo issue_label hook',
      () => ({ ...labeled('loop/plan'), name: 'issue_label', action: 'label_updated' }),
      'forgejo',
      true,
    ],
    ['plan', 'forgejo label_cleared', () => ({ ...labeled('loop/plan'), action: 'label_cleared' }), 'forgejo', false],
    ['plan', 'github label_updated (not a GitHub action)', () => ({ ...labeled('loop/plan'), action: 'label_updated' }), 'github', false],
    ['code', 'pull_request opened (default types)', () => prEvent('opened'), 'github', true],
    ['code', 'pull_request synchronize (default types)', () => prEvent('synchronize'), 'github', true],
    ['code', 'pull_request reopened (default types)', () => prEvent('reopened'), 'github', true],
    ['code', 'pull_request labeled (not a default type)', () => prEvent('labeled'), 'github', false],
    ['code', 'pull_request closed (not a default type)', () => prEvent('closed'), 'github', false],
    ['code', 'forgejo pull_request synchronized', () => prEvent('synchronized'), 'forgejo', true],
    ['code', 'workflow_run CI completed on agentloop/ branch', () => workflowRunEvent('CI', 'agentloop/issue-7'), 'github', true],
    ['code', 'workflow_run other workflow', () => workflowRunEvent('Lint', 'agentloop/issue-7'), 'github', false],
    ['code', 'workflow_run requested (types filter)', () => workflowRunEvent('CI', 'agentloop/issue-7', 'requested'), 'github', false],
    ['code', 'workflow_run on main (branches filter)', () => workflowRunEvent('CI', 'main'), 'github', false],
    ['code', 'forgejo never has workflow_run', () => workflowRunEvent('CI', 'agentloop/issue-7'), 'forgejo', false],
    ['code', 'schedule', () => ({ name: 'schedule', payload: { schedule: '*/15 * * * *' }, ref: '', sha: SHA }), 'github', true],
    [
      'code',
      'schedule of another cron',
      () => ({ name: 'schedule', payload: { schedule: '0 0 * * *' }, ref: '', sha: SHA }),
      'github',
      false,
    ],
    ['plan', 'schedule without schedule trigger', () => ({ name: 'schedule', payload: {}, ref: '', sha: SHA }), 'github', false],
    [
      'plan',
      'dispatch of this workflow',
      () => ({ name: 'workflow_dispatch', payload: {}, ref: 'refs/heads/main', sha: SHA, workflowPath: '.github/workflows/plan.yml' }),
      'github',
      true,
    ],
    [
      'plan',
      'dispatch of another workflow',
      () => ({ name: 'workflow_dispatch', payload: {}, ref: 'refs/heads/main', sha: SHA, workflowPath: '.github/workflows/code.yml' }),
      'github',
      false,
    ],
    [
      'code',
      'dispatch of a workflow without workflow_dispatch',
      () => ({ name: 'workflow_dispatch', payload: {}, ref: 'refs/heads/main', sha: SHA, workflowPath: '.github/workflows/code.yml' }),
      'github',
      false,
    ],
    [
      'push',
      'push main touching src',
      () => ({ name: 'push', payload: {}, ref: 'refs/heads/main', sha: SHA, changedFiles: ['src/a.ts'] }),
      'github',
      true,
    ],
    ['push', 'push release/1.2 (**)', () => ({ name: 'push', payload: {}, ref: 'refs/heads/release/1.2', sha: SHA }), 'github', true],
    ['push', 'push feature branch', () => ({ name: 'push', payload: {}, ref: 'refs/heads/feature', sha: SHA }), 'github', false],
    ['push', 'push tag (only branch filters)', () => ({ name: 'push', payload: {}, ref: 'refs/tags/main', sha: SHA }), 'github', false],
    [
      'push',
      'push main touching only negated docs',
      () => ({ name: 'push', payload: {}, ref: 'refs/heads/main', sha: SHA, changedFiles: ['src/x/README.md'] }),
      'github',
      false,
    ],
    [
      'push',
      'push main touching only docs/',
      () => ({ name: 'push', payload: {}, ref: 'refs/heads/main', sha: SHA, changedFiles: ['docs/a.md'] }),
      'github',
      false,
    ],
  ];
  const sources: Record<string, [string, string]> = {
    plan: [PLAN_WORKFLOW, '.github/workflows/plan.yml'],
    code: [CODE_WORKFLOW, '.github/workflows/code.yml'],
    push: [PUSH_WORKFLOW, '.github/workflows/push.yml'],
  };

  it.each(table)('%s ← %s', async (which, _label, ev, flavor, expected) => {
    const [text, path] = sources[which]!;
    const wf = await parse(text, path);
    expect(wf.errors).toEqual([]);
    expect(matchesOn(wf, ev(), flavor)).toBe(expected);
  });

  it('filters pull_request on the base branch', async () => {
    const wf = await parse('on:\n  pull_request:\n    branches: [main]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n');
    expect(matchesOn(wf, prEvent('opened', 'main'), 'github')).toBe(true);
    expect(matchesOn(wf, prEvent('opened', 'develop'), 'github')).toBe(false);
  });

  it('implements GitHub filter patterns', () => {
    expect(matchPatterns(['feature/*'], 'feature/a')).toBe(true);
    expect(matchPatterns(['feature/*'], 'feature/a/b')).toBe(false);
    expect(matchPatterns(['feature/**'], 'feature/a/b')).toBe(true);
    expect(matchPatterns(['**', '!main'], 'main')).toBe(false);
    expect(matchPatterns(['v[12].*'], 'v2.0')).toBe(true);
    expect(matchPatterns(['v[12].*'], 'v3.0')).toBe(false);
    expect(matchPatterns(['*.jsx?'], 'a.js')).toBe(true);
    expect(matchPatterns(['*.jsx?'], 'a.jsx')).toBe(true);
  });
});

describe('workflow_dispatch inputs', () => {
  it('fills defaults and keeps types', async () => {
    const wf = await parse(PLAN_WORKFLOW);
    expect(dispatchInputs(wf, { issue: '12' })).toEqual({ issue: '12', 'dry-run': false, lane: 'plan' });
    expect(dispatchInputs(wf, { issue: '12', 'dry-run': 'true', lane: 'code' })).toEqual({ issue: '12', 'dry-run': true, lane: 'code' });
  });

  it('reports what GitHub rejects', async () => {
    const wf = await parse(PLAN_WORKFLOW);
    expect(validateDispatchInputs(wf, { issue: '1' })).toEqual([]);
    expect(validateDispatchInputs(wf, {})).toEqual([`Required input 'issue' not provided`]);
    expect(validateDispatchInputs(wf, { issue: '1', bogus: 'x', lane: 'merge' })).toHaveLength(2);
  });
});

describe('expressions', () => {
  const ctx = () => ({ github: githubContext(labeled('loop/plan'), REPO, { runId: 42 }) });

  it('evaluates `if:` against event data', async () => {
    const wf = await parse(PLAN_WORKFLOW);
    const cond = wf.jobs[0]!.if;
    expect(evaluateIf(cond, { github: githubContext(labeled('loop/plan'), REPO) })).toBe(true);
    expect(evaluateIf(cond, { github: githubContext(labeled('loop/code'), REPO) })).toBe(false);
    // A dispatch has no label: the condition is false, not an error.
    expect(
      evaluateIf(cond, { github: githubContext({ name: 'workflow_dispatch', payload: {}, ref: 'refs/heads/main', sha: SHA }, REPO) }),
    ).toBe(false);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the title names the workflow-expression wrapper
  it('handles the implicit success(), ${{ }} wrappers and status functions', () => {
    expect(evaluateIf(undefined, ctx())).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an if: condition written with the workflow-expression wrapper
    expect(evaluateIf('${{ github.event.issue.number == 7 }}', ctx())).toBe(true);
    expect(evaluateIf("github.event_name == 'push'", ctx())).toBe(false);
    expect(evaluateIf('failure()', ctx())).toBe(false);
    expect(evaluateIf('always()', { ...ctx(), status: 'failure' })).toBe(true);
    expect(evaluateIf('github.event.issue.number == 7', { ...ctx(), status: 'failure' })).toBe(false);
    expect(evaluateIf('failure() && true', { ...ctx(), status: 'failure' })).toBe(true);
    expect(evaluateIf("cancelled() || contains(github.event.label.name, 'plan')", ctx())).toBe(true);
  });

  it('evaluates functions through the library', () => {
    expect(evaluate("startsWith(github.event.label.name, 'loop/')", ctx())).toBe(true);
    expect(evaluate("format('{0}-{1}', github.repository, github.run_id)", ctx())).toBe('acme/widgets-42');
    expect(evaluate('join(fromJSON(\'["a","b"]\'), \',\')', ctx())).toBe('a,b');
    expect(evaluate('fromJSON(\'{"a":[1,true,null]}\')', ctx())).toEqual({ a: [1, true, null] });
    expect(evaluate('github.event.issue.number', ctx())).toBe(7);
    expect(evaluate('github.nope.deeper', ctx())).toBe(null);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template with workflow expressions in it is the input under test
    expect(evaluateTemplate("x-${{ 'a}}b' }}-${{ vars.MISSING }}-y", ctx())).toBe('x-a}}b--y');
    expect(() => evaluate('github.', ctx())).toThrow(/invalid expression/);
    expect(() => evaluateIf("github.event_name == 'unterminated", ctx())).toThrow(/invalid expression/);
  });

  it('evaluates the concurrency group to agentloop-plan-7', async () => {
    const wf = await parse(PLAN_WORKFLOW);
    const spec = effectiveConcurrency(wf, wf.jobs[0], 'github');
    expect(resolveConcurrency(spec, ctx())).toEqual({ group: 'agentloop-plan-7', cancelInProgress: false, queueMax: false });
    // From a dispatch, the group comes from the input.
    const dispatch = { name: 'workflow_dispatch', payload: {}, ref: 'refs/heads/main', sha: SHA };
    expect(resolveConcurrency(spec, { github: githubContext(dispatch, REPO), inputs: { issue: '9' } }).group).toBe('agentloop-plan-9');
  });

  it('builds the github context', () => {
    const g = githubContext(labeled('loop/plan'), REPO, {
      runId: 5,
      workflowName: 'agentloop plan',
      workflowPath: '.github/workflows/plan.yml',
    });
    expect(g).toMatchObject({
      event_name: 'issues',
      ref: 'refs/heads/main',
      ref_name: 'main',
      sha: SHA,
      repository: 'acme/widgets',
      repository_owner: 'acme',
      actor: 'alice',
      run_id: '5',
      server_url: 'https://github.com',
      api_url: 'https://api.github.com',
      workflow: 'agentloop plan',
      workflow_ref: 'acme/widgets/.github/workflows/plan.yml@refs/heads/main',
    });
    expect((g.event as { label: { name: string } }).label.name).toBe('loop/plan');
  });
});

describe('effectiveConcurrency', () => {
  it('GitHub: job level wins; Forgejo: workflow level only', async () => {
    const wf = await parse(CODE_WORKFLOW);
    expect(effectiveConcurrency(wf, wf.jobs[0], 'github')?.group).toBe('code-job');
    expect(effectiveConcurrency(wf, wf.jobs[0], 'forgejo')?.group).toBe('agentloop-code');
    expect(effectiveConcurrency(wf, wf.jobs[0], 'forgejo')?.queue).toBe('max');
  });
});

function run(runId: number, group: string | undefined, opts: { cancelInProgress?: boolean; queueMax?: boolean } = {}): QueuedRun<string> {
  return { runId, group, ...opts, data: `run-${runId}` };
}

const ids = (runs: QueuedRun<string>[]) => runs.map((r) => r.runId);

describe('ConcurrencyScheduler (GitHub)', () => {
  it('keeps one running and one pending; a newcomer replaces the pending run', () => {
    const s = new ConcurrencyScheduler<string>('github');
    const f = { cancelInProgress: false };
    expect(ids(s.submit(run(1, 'g', f)).start)).toEqual([1]);
    expect(s.submit(run(2, 'g', f))).toEqual({ start: [], cancelled: [] });
    const c = s.submit(run(3, 'g', f));
    expect(ids(c.start)).toEqual([]);
    expect(ids(c.cancelled)).toEqual([2]);
    expect(ids(s.submit(run(4, 'g', f)).cancelled)).toEqual([3]);
    expect(s.snapshot()).toEqual({ running: { g: [1] }, pending: { g: [4] } });
    expect(ids(s.finish(1).start)).toEqual([4]);
    expect(ids(s.finish(4).start)).toEqual([]);
    expect(s.snapshot()).toEqual({ running: {}, pending: {} });
  });

  it('queue: max keeps every pending run, FIFO', () => {
    const s = new ConcurrencyScheduler<string>('github');
    const q = { cancelInProgress: false, queueMax: true };
    expect(ids(s.submit(run(1, 'g', q)).start)).toEqual([1]);
    for (const id of [2, 3, 4]) expect(s.submit(run(id, 'g', q))).toEqual({ start: [], cancelled: [] });
    expect(s.snapshot().pending).toEqual({ g: [2, 3, 4] });
    expect(ids(s.finish(1).start)).toEqual([2]);
    expect(ids(s.finish(2).start)).toEqual([3]);
    expect(ids(s.finish(3).start)).toEqual([4]);
  });

  it('queue: max cancels newcomers beyond 100 pending', () => {
    const s = new ConcurrencyScheduler<string>('github');
    s.submit(run(0, 'g', { queueMax: true }));
    for (let i = 1; i <= 100; i++) s.submit(run(i, 'g', { queueMax: true }));
    expect(ids(s.submit(run(101, 'g', { queueMax: true })).cancelled)).toEqual([101]);
  });

  it('cancel-in-progress: true cancels the running run and starts the new one', () => {
    const s = new ConcurrencyScheduler<string>('github');
    s.submit(run(1, 'g'));
    s.submit(run(2, 'g'));
    const r = s.submit(run(3, 'g', { cancelInProgress: true }));
    expect(ids(r.start)).toEqual([3]);
    expect(ids(r.cancelled).sort()).toEqual([1, 2]);
    expect(s.finish(1)).toEqual({ start: [] }); // already forgotten
    expect(s.snapshot()).toEqual({ running: { g: [3] }, pending: {} });
  });

  it('runs different groups concurrently, ungrouped runs immediately, groups case-insensitively', () => {
    const s = new ConcurrencyScheduler<string>('github');
    expect(ids(s.submit(run(1, 'a')).start)).toEqual([1]);
    expect(ids(s.submit(run(2, 'b')).start)).toEqual([2]);
    expect(ids(s.submit(run(3, undefined)).start)).toEqual([3]);
    expect(ids(s.submit(run(4, undefined)).start)).toEqual([4]);
    expect(ids(s.submit(run(5, 'A')).start)).toEqual([]);
    expect(s.snapshot()).toEqual({ running: { a: [1], b: [2] }, pending: { a: [5] } });
  });

  it('finish() of a pending run removes it', () => {
    const s = new ConcurrencyScheduler<string>('github');
    s.submit(run(1, 'g'));
    s.submit(run(2, 'g'));
    expect(s.finish(2)).toEqual({ start: [] });
    expect(s.finish(1)).toEqual({ start: [] });
  });
});

describe('ConcurrencyScheduler (Forgejo)', () => {
  it('with explicit cancel-in-progress: false queues everything FIFO, none cancelled', () => {
    const s = new ConcurrencyScheduler<string>('forgejo');
    const f = { cancelInProgress: false };
    expect(ids(s.submit(run(1, 'g', f)).start)).toEqual([1]);
    for (const id of [2, 3, 4]) expect(s.submit(run(id, 'g', f))).toEqual({ start: [], cancelled: [] });
    expect(s.snapshot()).toEqual({ running: { g: [1] }, pending: { g: [2, 3, 4] } });
    expect(ids(s.finish(1).start)).toEqual([2]);
    expect(ids(s.finish(2).start)).toEqual([3]);
    expect(ids(s.finish(3).start)).toEqual([4]);
  });

  it('without the cancel-in-progress key does not serialize at all', () => {
    const s = new ConcurrencyScheduler<string>('forgejo');
    for (const id of [1, 2, 3]) expect(s.submit(run(id, 'g'))).toMatchObject({ start: [{ runId: id }], cancelled: [] });
    expect(s.snapshot().running).toEqual({ g: [1, 2, 3] });
    // An explicit-false run still waits for them.
    expect(ids(s.submit(run(4, 'g', { cancelInProgress: false })).start)).toEqual([]);
    s.finish(1);
    s.finish(2);
    expect(ids(s.finish(3).start)).toEqual([4]);
  });

  it('cancel-in-progress: true cancels the running run', () => {
    const s = new ConcurrencyScheduler<string>('forgejo');
    s.submit(run(1, 'g', { cancelInProgress: false }));
    const r = s.submit(run(2, 'g', { cancelInProgress: true }));
    expect(ids(r.start)).toEqual([2]);
    expect(ids(r.cancelled)).toEqual([1]);
  });
});

describe('planEvent', () => {
  const files = [
    { path: '.github/workflows/plan.yml', text: PLAN_WORKFLOW },
    { path: '.github/workflows/code.yml', text: CODE_WORKFLOW },
    { path: '.github/workflows/broken.yml', text: 'on: [nonsense-event]\n' },
  ];

  it('plans the matching runs with if: results and concurrency', async () => {
    const plan = await planEvent(files, labeled('loop/plan'), 'github', REPO);
    expect(plan.invalid.map((i) => i.path)).toEqual(['.github/workflows/broken.yml']);
    expect(plan.runs).toHaveLength(1);
    const r = plan.runs[0]!;
    expect(r.workflow.path).toBe('.github/workflows/plan.yml');
    expect(r.concurrency).toEqual({ group: 'agentloop-plan-7', cancelInProgress: false, queueMax: false });
    expect(r.jobs.map((j) => [j.job.id, j.runs])).toEqual([['plan', true]]);
    expect(r.github.workflow).toBe('agentloop plan');

    const other = await planEvent(files, labeled('loop/code', 8), 'github', REPO);
    expect(other.runs[0]!.jobs[0]!.runs).toBe(false);
    expect(other.runs[0]!.concurrency.group).toBe('agentloop-plan-8');
  });

  it('fills dispatch inputs into the event and the inputs context', async () => {
    const ev: TriggerEvent = {
      name: 'workflow_dispatch',
      payload: { inputs: { issue: '3' } },
      ref: 'refs/heads/main',
      sha: SHA,
      workflowPath: '.github/workflows/plan.yml',
    };
    const plan = await planEvent(files, ev, 'forgejo', REPO);
    expect(plan.runs).toHaveLength(1);
    const r = plan.runs[0]!;
    expect(r.inputs).toEqual({ issue: '3', 'dry-run': false, lane: 'plan' });
    expect(r.event.payload.inputs).toEqual({ issue: '3', 'dry-run': 'false', lane: 'plan' });
    expect(r.concurrency.group).toBe('agentloop-plan-3');
  });

  it('also fires pull_request_target workflows for pull-request activity', async () => {
    const target = {
      path: '.github/workflows/t.yml',
      text: 'on: pull_request_target\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n',
    };
    const plan = await planEvent([target, files[1]!], prEvent('opened'), 'github', REPO);
    expect(plan.runs.map((r) => [r.workflow.path, r.event.name, r.github.ref])).toEqual([
      ['.github/workflows/t.yml', 'pull_request_target', 'refs/heads/main'],
      ['.github/workflows/code.yml', 'pull_request', 'refs/pull/2/merge'],
    ]);
    // The job-level concurrency is resolved on GitHub only.
    expect(plan.runs[1]!.jobs[0]!.concurrency?.group).toBe('code-job');
    expect(plan.runs[1]!.concurrency).toEqual({ group: 'agentloop-code', cancelInProgress: false, queueMax: true });
  });
});

describe('selectWorkflowPaths', () => {
  const paths = ['.github/workflows/a.yml', '.github/workflows/sub/b.yml', '.forgejo/workflows/c.yaml', '.github/workflows/readme.md'];
  it('GitHub reads .github/workflows top level only', () => {
    expect(selectWorkflowPaths(paths, 'github')).toEqual(['.github/workflows/a.yml']);
  });
  it('Forgejo prefers .forgejo/workflows', () => {
    expect(selectWorkflowPaths(paths, 'forgejo')).toEqual(['.forgejo/workflows/c.yaml']);
    expect(selectWorkflowPaths(paths.slice(0, 2), 'forgejo')).toEqual(['.github/workflows/a.yml', '.github/workflows/sub/b.yml']);
  });
});

describe('usesKind: what a `uses:` runs, per forge', () => {
  it.each([
    ['actions/checkout@v4', 'github', 'checkout'],
    ['acme/agentloop@abc', 'github', 'agentloop'],
    ['./', 'github', 'agentloop'],
    ['https://github.com/acme/agentloop@abc', 'github', 'unresolvable'], // GitHub takes no URL
    ['actions/setup-node@v4', 'github', 'unsimulated'],
    ['https://code.forgejo.org/actions/checkout@abc', 'forgejo', 'checkout'],
    ['actions/checkout@v4', 'forgejo', 'checkout'], // short names resolve on Forgejo's mirror, which has it
    ['https://github.com/acme/agentloop@abc', 'forgejo', 'agentloop'],
    ['acme/agentloop@abc', 'forgejo', 'unresolvable'], // not on the mirror
    ['https://example.com/actions/checkout@abc', 'forgejo', 'unsimulated'], // another host's checkout is not emulated
  ] as const)('%s on %s → %s', (uses, flavor, kind) => {
    expect(usesKind(uses, flavor)).toBe(kind);
  });
});
