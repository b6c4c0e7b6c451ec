// Requests per transition, route by route: one issue walked through the loop in-process on the embedded
// forge (plan → code → fix-ci → idle → ci-green → merge, then a sweep and one more code-lane run), each
// run's requests sliced from the forge's log. In-process runs read the configuration and resolve who
// agentloop is as dist/index.js does; a real Forgejo run also asks the server's version (one request).
// With `backlog` waiting loop/code issues labeled after the walked one, the same walk shows whether a
// run's cost grows with the queue (the last run then codes the oldest of them).
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labelCatalog, labelNames } from '../src/core/labels.js';
import { reportCi } from '../test/support/ci.js';
import { applyLabel, type Flavor, type Harness, openIssue, startHarness } from '../test/support/harness.js';
import { tickInProcess } from '../test/support/inprocess.js';

export interface RunFigure {
  /** The transition the run performed ('none' for an idle run). */
  transition: string;
  /** Which step of the walk (plan, code, fix-ci, idle, ci-green, merge, sweep, idle-after). */
  step: string;
  requests: number;
  routes: Record<string, number>;
  /** Wall time of the run in-process (reported, never checked). */
  ms: number;
}

const PLANNER = resolve('test/fixtures/agents/planner.mjs');
const AGENT = resolve('dist/scripted-agent.js');
const WORKFLOW_REF = 'acme/widget/.github/workflows/agentloop-code.yml@refs/heads/main';

/** The sample repository; on Forgejo with the workflows runs dispatch (it answers 404 for a file it does not have). */
export function benchFiles(flavor: Flavor, extra: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# widget\n', ...extra };
  const workflow = (lane: string) =>
    `name: agentloop ${lane}\non: workflow_dispatch\njobs:\n  ${lane}:\n    runs-on: docker\n    steps:\n      - run: "true"\n`;
  if (flavor === 'forgejo') for (const lane of ['plan', 'code']) files[`.forgejo/workflows/agentloop-${lane}.yml`] = workflow(lane);
  return files;
}

/** A label as items hold it: its name on GitHub, its id on Forgejo. */
export function labelRef(h: Harness, name: string): string {
  return h.flavor === 'forgejo' ? String(h.repo.labels.find((l) => l.name === name)!.id) : name;
}

/** `GET /repos/acme/widget/issues/7/comments` → `GET issues/{n}/comments`. */
export function routeOf(method: string, path: string): string {
  const p = path
    .replace(/^\/api\/v1/, '')
    .replace(/^\/repos\/[^/]+\/[^/]+\/?/, '')
    .replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/{sha}')
    .replace(/\/\d+(?=\/|$)/g, '/{n}')
    .replace(/^labels\/.+$/, 'labels/{name}')
    .replace(/\/labels\/[^{].*$/, '/labels/{name}')
    .replace(/contents\/.+$/, 'contents/{path}')
    .replace(/git\/refs\/heads\/.+$/, 'git/refs/heads/{branch}')
    .replace(/branches\/.+$/, 'branches/{branch}');
  return `${method} ${p || '/'}`;
}

export async function walkTransitions(opts: { flavor?: Flavor; backlog?: number } = {}): Promise<RunFigure[]> {
  const flavor = opts.flavor ?? 'github';
  const h = await startHarness(benchFiles(flavor, { 'src/add.js': 'export const add = (a, b) => a - b;\n' }), flavor);
  try {
    return await walk(h, opts.backlog ?? 0);
  } finally {
    await h.stop();
  }
}

async function walk(h: Harness, backlog: number): Promise<RunFigure[]> {
  const script = join(h.shared, 'script.json');
  writeFileSync(
    script,
    JSON.stringify({
      code: { files: { 'src/add.js': 'export const add = (a, b) => a + b + 0;\n' }, summary: 'Make add() add.' },
      'fix-ci': [{ files: { 'src/add.js': 'export const add = (a, b) => a + b;\n' }, summary: 'Drop the stray + 0.' }],
    }),
  );
  // The labels exist (agentloop init creates them): the counts are a steady run's, not the first one's.
  const maria = h.client('maria');
  for (const l of labelCatalog(labelNames('loop/'))) await maria.createLabel({ name: l.name, color: l.color, description: l.description });

  const figures: RunFigure[] = [];
  const code = { lane: 'code', 'agent-command': `node ${AGENT} ${script}`, 'auto-merge': 'true' };
  const env = { GITHUB_WORKFLOW_REF: WORKFLOW_REF };
  const measure = async (step: string | ((kind: string) => string), run: () => Promise<{ decision: { transition: { kind: string } } }>) => {
    const start = h.forge.requests.length;
    const t0 = performance.now();
    const report = await run();
    const ms = Math.round(performance.now() - t0);
    const reqs = h.forge.requests.slice(start);
    const routes: Record<string, number> = {};
    for (const r of reqs) {
      const key = routeOf(r.method, r.path);
      routes[key] = (routes[key] ?? 0) + 1;
    }
    const kind = report.decision.transition.kind;
    figures.push({ step: typeof step === 'string' ? step : step(kind), transition: kind, requests: reqs.length, routes, ms });
    return report;
  };

  const issue = openIssue(h, 'add() subtracts', 'add(2, 2) returns 0.');
  const planned = await applyLabel(h, issue.number, 'loop/plan');
  await measure('plan', () =>
    tickInProcess(h, {
      eventName: planned.eventName,
      payload: planned.payload as Record<string, unknown>,
      inputs: { lane: 'plan', 'agent-command': `node ${PLANNER} ${h.shared}/plan-log ok` },
      env,
    }),
  );
  const labeled = await applyLabel(h, issue.number, 'loop/code');
  // The backlog: issues a writer labeled loop/code after this one; they wait (max-open-prs: 1).
  for (let i = 0; i < backlog; i++) {
    const waiting = openIssue(h, `Waiting ${i}`, 'Later.');
    waiting.labels.push(labelRef(h, 'loop/code'));
    const at = h.forge.state.now();
    h.repo.events.push({
      id: h.forge.state.id(),
      issue: waiting.number,
      event: 'labeled',
      label: labelRef(h, 'loop/code'),
      actor: 'maria',
      createdAt: at,
    });
  }
  await measure('code', () =>
    tickInProcess(h, { eventName: labeled.eventName, payload: labeled.payload as Record<string, unknown>, inputs: code, env }),
  );
  const pull = [...h.repo.pulls.values()][0]!;
  reportCi(h, pull.headSha, 'failure', { log: 'AssertionError: expected 4, got 4.000001\n' });
  await measure('fix-ci', () => tickInProcess(h, { inputs: code, env }));
  await h.forge.refreshPullHeads(h.repo);
  await measure('idle: no CI yet', () => tickInProcess(h, { inputs: code, env }));
  // CI starts on the new head: a pending status until it reports.
  const head = h.repo.pulls.get(pull.number)!.headSha;
  const running = {
    id: h.forge.state.id(),
    sha: head,
    context: 'CI / test (pull_request)',
    state: 'pending' as const,
    description: '',
    targetUrl: '',
    createdAt: h.forge.state.now(),
  };
  h.repo.statuses.push(running);
  await measure('idle: CI running', () => tickInProcess(h, { inputs: code, env }));
  h.repo.statuses.splice(h.repo.statuses.indexOf(running), 1);
  reportCi(h, head, 'success');
  await measure('ci-green', () => tickInProcess(h, { inputs: code, env }));
  await measure('merge', () => tickInProcess(h, { inputs: code, env }));
  await measure('sweep', () =>
    tickInProcess(h, { eventName: 'schedule', payload: {}, inputs: { lane: 'sweep', 'agent-command': 'true' }, env }),
  );
  // With a backlog the queue moves on: the oldest waiting issue is coded, no event naming it.
  await measure(
    (kind) => (kind === 'none' ? 'idle: nothing to do' : 'code: next in the queue'),
    () => tickInProcess(h, { inputs: code, env }),
  );
  return figures;
}
