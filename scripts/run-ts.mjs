// `node scripts/run-ts.mjs <name> [args…]`: bundles scripts/<name>.ts on the fly and runs it with the
// rest of the arguments. The scripts drive the embedded forge, TypeScript source in the embedded-forge/
// workspace package, which node cannot run unbundled. (npm run bench, npm run soak.)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const name = process.argv[2];
if (!name || !/^[\w-]+$/.test(name)) throw new Error('usage: node scripts/run-ts.mjs <script name> [args…]');
process.argv.splice(2, 1); // the script reads its own arguments from process.argv.slice(2)

// Inside the project, so the bundle finds the package (action.yml, dist/) above it.
const dir = join(process.cwd(), 'node_modules', '.cache', `agentloop-${name}`);
mkdirSync(dir, { recursive: true });
const out = join(dir, `${name}.mjs`);
await build({
  entryPoints: [`scripts/${name}.ts`],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  loader: { '.md': 'text' },
  banner: {
    js: "import { createRequire as __scriptCreateRequire } from 'node:module'; const require = __scriptCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await import(pathToFileURL(out).href);
