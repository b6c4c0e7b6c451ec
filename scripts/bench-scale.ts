// The sweep at scale: a repository with many open issues of which a few are loop items, built as forge
// state (no API calls), and one scheduled sweep measured: its requests by kind, the item list requests
// (the ones that find loop items) apart.
import { labelCatalog, labelNames } from '../src/core/labels.js';
import { type Flavor, type Harness, startHarness } from '../test/support/harness.js';
import { tickInProcess } from '../test/support/inprocess.js';
import { benchFiles, labelRef, routeOf } from './bench-requests.js';

export interface ScaleFigure {
  flavor: Flavor;
  openIssues: number;
  loopItems: number;
  transition: string;
  requests: number;
  /** Requests that list open items by label (finding the loop items). */
  itemLists: number;
  /** Every other list request (workflow runs, PRs, labels, closed items). */
  otherLists: number;
  /** Reads of single items (comments, timeline, permission, the item itself). */
  itemReads: number;
  /** Writes and dispatches: the repairs and the dashboard. */
  writes: number;
  repairs: string;
  routes: Record<string, number>;
  /** Wall time of the sweep in-process (reported, never checked). */
  ms: number;
}

/**
 * The loop items, by kind: what a busy repository holds. Plans posted and waiting for a human, a code
 * queue behind max-open-prs, items held by NeedSupervisor, dropped loop/plan events, lost code runs.
 */
export function loopMix(loop: number): [string[], number][] {
  const part = (share: number) => Math.round((loop * share) / 100);
  const mix: [string[], number][] = [
    [['loop/code'], part(30)],
    [['loop/code', 'NeedSupervisor'], part(10)],
    [['loop/plan'], part(5)],
    [['loop/code-in-process'], part(5)],
  ];
  const rest = loop - mix.reduce((n, [, k]) => n + k, 0);
  return [[['loop/plan-done'], rest], ...mix];
}

export async function sweepAtScale(opts: { flavor?: Flavor; openIssues?: number; loopItems?: number } = {}): Promise<ScaleFigure> {
  const flavor = opts.flavor ?? 'github';
  const openIssues = opts.openIssues ?? 10_000;
  const loopItems = opts.loopItems ?? 100;
  const h = await startHarness(benchFiles(flavor), flavor);
  try {
    const maria = h.client('maria');
    for (const l of labelCatalog(labelNames('loop/')))
      await maria.createLabel({ name: l.name, color: l.color, description: l.description });
    build(h, openIssues, loopItems);
    const start = h.forge.requests.length;
    const t0 = performance.now();
    const report = await tickInProcess(h, {
      eventName: 'schedule',
      payload: {},
      inputs: { lane: 'sweep', 'agent-command': 'true' },
      env: { GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/agentloop-sweep.yml@refs/heads/main' },
    });
    const ms = Math.round(performance.now() - t0);
    const reqs = h.forge.requests.slice(start);
    const routes: Record<string, number> = {};
    const figure: ScaleFigure = {
      flavor,
      openIssues,
      loopItems,
      transition: report.decision.transition.kind,
      requests: reqs.length,
      itemLists: 0,
      otherLists: 0,
      itemReads: 0,
      writes: 0,
      repairs: report.result?.message ?? '',
      routes,
      ms,
    };
    for (const r of reqs) {
      const route = routeOf(r.method, r.path);
      routes[route] = (routes[route] ?? 0) + 1;
      const q = new URLSearchParams(r.query);
      if (r.method !== 'GET') figure.writes++;
      // Finding the loop items: GitHub's search pages and its list of what changed lately (forge/github.ts),
      // or one list a label; Forgejo's list for any of the labels.
      else if (
        route === 'GET /search/issues' ||
        (route === 'GET issues' && (q.has('since') || (q.has('labels') && (q.get('state') ?? 'open') === 'open')))
      )
        figure.itemLists++;
      else if (/^GET (issues|pulls)\/\{n\}|^GET collaborators\//.test(route)) figure.itemReads++;
      else figure.otherLists++;
    }
    return figure;
  } finally {
    await h.stop();
  }
}

/** `openIssues` open issues, `loopItems` of them loop items spread among them (loopMix), as forge state. */
function build(h: Harness, openIssues: number, loopItems: number): void {
  const label = (name: string) => labelRef(h, name);
  const every = Math.max(1, Math.floor(openIssues / loopItems));
  const kinds = loopMix(loopItems).flatMap(([labels, n]) => Array.from({ length: n }, () => labels));
  // A day ago: a backlog, not issues filed and labeled in the sweep's minute.
  const at = new Date(h.forge.state.clock().getTime() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (let i = 0; i < openIssues; i++) {
    const number = h.forge.state.nextNumber(h.repo);
    const labels = i % every === 0 ? (kinds[i / every] ?? []) : [];
    h.repo.issues.push({
      id: h.forge.state.id(),
      number,
      title: `Issue ${number}`,
      body: 'Details.',
      state: 'open',
      stateReason: null,
      labels: labels.map(label),
      user: 'maria',
      createdAt: at,
      updatedAt: at,
      closedAt: null,
      isPull: false,
    });
    for (const l of labels.filter((l) => l === 'loop/plan' || l === 'loop/code'))
      h.repo.events.push({ id: h.forge.state.id(), issue: number, event: 'labeled', label: label(l), actor: 'maria', createdAt: at });
  }
}
