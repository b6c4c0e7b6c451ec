// Bundles the action (dist/index.js + lazily loaded chunks) and the CLI (dist/cli.js) for Node 20.

import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * The commit `agentloop init` pins (`uses: agentloop/agentloop@<sha>`): AGENTLOOP_RELEASE_COMMIT when the
 * release pipeline sets it, else none — init then pins the version tag and says so (docs/install.md:
 * The pin). Never read from git here: the bundle must be the same on every clean checkout (CI checks
 * that dist/ is the bundle of src/).
 */
const releaseCommit = () => process.env.AGENTLOOP_RELEASE_COMMIT ?? '';

rmSync('dist', { recursive: true, force: true });
await build({
  // scripted-agent: the deterministic agent the demo and the end-to-end tests drive through `agent: command`.
  entryPoints: { index: 'src/entry/index.ts', cli: 'src/entry/cli.ts', 'scripted-agent': '@agentloop/embedded-forge/scripted-agent' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
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
  logLevel: 'warning',
});
chmodSync('dist/cli.js', 0o755);
