// `npm run bench`: bundles scripts/bench.ts on the fly (the embedded forge is TypeScript source, in the embedded-forge/ workspace package) and runs it.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Inside the project, so the bundle finds the package (action.yml, dist/) above it.
const dir = join(process.cwd(), 'node_modules', '.cache', 'agentloop-bench');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'bench.mjs');
await build({
  entryPoints: ['scripts/bench.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  loader: { '.md': 'text' },
  banner: {
    js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await import(pathToFileURL(out).href);
