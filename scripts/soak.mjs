// `npm run soak`: bundles scripts/soak.ts on the fly (it drives the embedded forge, TypeScript source in the
// embedded-forge/ workspace package, through test/support/loop.ts) and runs it; arguments pass through.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Inside the project, so the bundle finds the package (action.yml, dist/) above it.
const dir = join(process.cwd(), 'node_modules', '.cache', 'agentloop-soak');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'soak.mjs');
await build({
  entryPoints: ['scripts/soak.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  loader: { '.md': 'text' },
  banner: {
    js: "import { createRequire as __soakCreateRequire } from 'node:module'; const require = __soakCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await import(pathToFileURL(out).href);
