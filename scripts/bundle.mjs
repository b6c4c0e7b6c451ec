// Bundles the action (dist/index.js + its heavy path, dist/chunks/action.js) and the CLI (dist/cli.js)
// for Node 20, with `node scripts/bundle.mjs [--metafile] [--sourcemap]`. Start-up is what shapes it
// (docs/performance.md, Start-up): every workflow event starts the action, most for nothing.
//   - dist/index.js decides from the event alone; it is one small file that imports nothing of ours, so
//     a no-op run loads no chunk.
//   - dist/chunks/action.js is the heavy path, built on its own: one file (a few chunks more are loaded
//     only by the runs that need them), not the dozens of small chunks a build shared with the CLI makes,
//     each another file read at start-up.
//   - the CLI and the scripted agent share their chunks; the CLI starts once, not on every event.
// --metafile writes .tmp/bundle-meta/<build>.json and prints what each build's files are made of
// (esbuild's analyzeMetafile): where the bytes a run loads come from.

import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { analyzeMetafile, build } from 'esbuild';
import { actionsCoreUnused } from './bundle-plugins.mjs';

const META = process.argv.includes('--metafile');

/**
 * The commit `agentloop init` pins (`uses: agentloop/agentloop@<sha>`): AGENTLOOP_RELEASE_COMMIT when the
 * release pipeline sets it, else none — init then pins the version tag and says so (docs/install.md:
 * The pin). Never read from git here: the bundle must be the same on every clean checkout (CI checks
 * that dist/ is the bundle of src/).
 */
const releaseCommit = () => process.env.AGENTLOOP_RELEASE_COMMIT ?? '';

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  loader: { '.md': 'text' },
  define: { __AGENTLOOP_COMMIT__: JSON.stringify(releaseCommit()) },
  // Some dependencies still call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);",
  },
  metafile: META,
  // For profiling only (a CPU profile's positions back to src/); never committed in dist/.
  sourcemap: process.argv.includes('--sourcemap'),
  logLevel: 'warning',
};

/** index.ts's `import('./action.js')` is the heavy path's own build. */
const actionExternal = {
  name: 'action-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/action\.js$/ }, () => ({ path: './chunks/action.js', external: true }));
  },
};

rmSync('dist', { recursive: true, force: true });
const builds = {
  // No `require` banner: the entry needs none, and node:module is one import fewer for every event.
  index: await build({
    ...common,
    entryPoints: { index: 'src/entry/index.ts' },
    banner: {},
    plugins: [actionExternal],
  }),
  action: await build({
    ...common,
    entryPoints: { 'chunks/action': 'src/entry/action.ts' },
    splitting: true,
    plugins: [actionsCoreUnused],
  }),
  // scripted-agent: the deterministic agent the demo and the end-to-end tests drive through `agent: command`.
  cli: await build({
    ...common,
    entryPoints: { cli: 'src/entry/cli.ts', 'scripted-agent': '@agentloop/embedded-forge/scripted-agent' },
    splitting: true,
  }),
};
chmodSync('dist/cli.js', 0o755);

if (META) {
  mkdirSync('.tmp/bundle-meta', { recursive: true });
  for (const [name, result] of Object.entries(builds)) {
    writeFileSync(`.tmp/bundle-meta/${name}.json`, JSON.stringify(result.metafile));
    console.log(`── ${name}`);
    console.log(await analyzeMetafile(result.metafile));
  }
}
