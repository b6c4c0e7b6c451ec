// actions/checkout, reduced to the git commands it runs (the runner executes them with real git).
import path from 'node:path';

export interface CheckoutPlan {
  /** The checkout directory. */
  dir: string;
  /** git argument lists run first, in order. */
  setup: string[][];
  /** Alternatives (each a command list) tried in order until one succeeds: fetch + checkout. */
  attempts: string[][][];
  /** Run last (persisting the credentials). */
  finish: string[][];
}

export interface CheckoutInput {
  /** Evaluated `with:`. */
  with: Record<string, string>;
  /** The job's workspace (GITHUB_WORKSPACE). */
  workspace: string;
  /** Forge web URL (http://127.0.0.1:port). */
  serverUrl: string;
  repository: string;
  /** The event's ref and sha (github.ref / github.sha). */
  ref: string;
  sha: string;
  /** Default token (github.token). */
  token: string;
}

const SHA_RE = /^[0-9a-f]{40}$/i;

/**
 * The git commands actions/checkout (v4) runs, reduced: init, remote without credentials, fetch with
 * the token as an `http.extraheader` (never in the URL), checkout (a local branch for branch refs, a
 * detached HEAD otherwise), and — unless `persist-credentials: false` — the extraheader written to
 * the local config, where later git commands (pushes) pick it up.
 * `fetch-depth: 0` fetches every branch and tag; otherwise only the one commit, shallow.
 */
export function checkoutCommands(input: CheckoutInput): CheckoutPlan {
  const w = input.with;
  const repository = w.repository || input.repository;
  const token = w.token || input.token;
  const dir = path.resolve(input.workspace, w.path ?? '');
  const depthRaw = Number.parseInt(w['fetch-depth'] ?? '1', 10);
  const depth = Number.isFinite(depthRaw) && depthRaw >= 0 ? depthRaw : 1;
  const persist = (w['persist-credentials'] ?? 'true').trim().toLowerCase() !== 'false';
  const server = input.serverUrl.replace(/\/$/, '');
  const url = `${server}/${repository}`;
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const authed = ['-c', `http.extraheader=${header}`];

  let ref = (w.ref ?? '').trim();
  let sha = '';
  if (ref === '') {
    ref = input.ref;
    sha = input.sha;
  } else if (SHA_RE.test(ref)) {
    sha = ref;
    ref = '';
  }
  const fetchBase = [...authed, 'fetch', '--no-tags', '--prune', '--no-recurse-submodules', ...(depth > 0 ? [`--depth=${depth}`] : [])];
  const setup: string[][] = [
    ['init', '--quiet', dir],
    ['-C', dir, 'config', '--local', 'gc.auto', '0'],
    ['-C', dir, 'remote', 'add', 'origin', url],
  ];
  const commands: string[][] = [];
  const attempts: string[][][] = [commands];
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : '';
  const all = ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'];

  if (branch) {
    const target = `refs/remotes/origin/${branch}`;
    const spec = depth === 0 ? all : [sha ? `+${sha}:${target}` : `+${ref}:${target}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '-B', branch, sha || target]);
  } else if (ref.startsWith('refs/pull/')) {
    const target = `refs/remotes/pull/${ref.slice('refs/pull/'.length)}`;
    // The embedded forge keeps no refs/pull/*: the PR head sha stands in for the merge commit.
    const spec = depth === 0 ? [...all, ...(sha ? [`+${sha}:${target}`] : [])] : [`+${sha || ref}:${target}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', target]);
  } else if (ref.startsWith('refs/tags/')) {
    const spec = depth === 0 ? all : [`+${sha || ref}:${ref}`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', sha || ref]);
  } else if (ref === '' && sha) {
    const spec = depth === 0 ? [...all, `+${sha}:refs/remotes/origin/checkout`] : [`+${sha}:refs/remotes/origin/checkout`];
    commands.push(['-C', dir, ...fetchBase, 'origin', ...spec]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '--detach', sha]);
  } else {
    // Unqualified name: a branch, else a tag (actions/checkout tries both).
    const target = `refs/remotes/origin/${ref}`;
    commands.push(['-C', dir, ...fetchBase, 'origin', ...(depth === 0 ? all : [`+refs/heads/${ref}:${target}`])]);
    commands.push(['-C', dir, 'checkout', '--quiet', '--force', '-B', ref, target]);
    attempts.push([
      ['-C', dir, ...fetchBase, 'origin', `+refs/tags/${ref}:refs/tags/${ref}`],
      ['-C', dir, 'checkout', '--quiet', '--force', '--detach', `refs/tags/${ref}`],
    ]);
  }
  const finish = persist ? [['-C', dir, 'config', '--local', `http.${server}/.extraheader`, header]] : [];
  return { dir, setup, attempts, finish };
}
