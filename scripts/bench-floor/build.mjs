// Bundles scripts/bench-floor/stack.ts as scripts/bundle.mjs bundles the heavy path (minified, for
// Node 20, the same plugin), into the directory given as the first argument. Run by scripts/bench.ts.
import { join } from 'node:path';
import { build } from 'esbuild';
import { actionsCoreUnused } from '../bundle-plugins.mjs';

await build({
  entryPoints: ['scripts/bench-floor/stack.ts'],
  outfile: join(process.argv[2] ?? '.tmp/bench-floor', 'stack.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  banner: {
    js: "import { createRequire as __agentloopCreateRequire } from 'node:module'; const require = __agentloopCreateRequire(import.meta.url);",
  },
  plugins: [actionsCoreUnused],
  logLevel: 'warning',
});
