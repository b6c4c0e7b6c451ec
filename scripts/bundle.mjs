// Bundles the action (dist/index.js + lazily loaded chunks) and the CLI (dist/cli.js) for Node 20.

import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

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
  // Some dependencies still call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/cli.js', 0o755);
