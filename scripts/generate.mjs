// `npm run generate`: bundles scripts/generate.ts on the fly (as run-ts.mjs does for bench and soak; it imports src/) and
// writes the generated files: the JSON Schema of .github/agentloop.yml and the README's inputs table.
// `npm run check:generated` (--check) writes nothing and fails when a committed copy is stale.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const check = process.argv.includes('--check');
// Inside the project, so the bundle finds zod and yaml in node_modules (they stay external).
const dir = join(process.cwd(), 'node_modules', '.cache', 'agentloop-generate');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'generate.mjs');
await build({
  entryPoints: ['scripts/generate.ts'],
  outfile: out,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
const { generate } = await import(pathToFileURL(out).href);

const stale = [];
for (const file of generate(process.cwd())) {
  const current = existsSync(file.path) ? readFileSync(file.path, 'utf8') : null;
  if (current === file.content) continue;
  stale.push(file.path);
  if (!check) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content);
  }
}
if (check && stale.length > 0) {
  console.error(`Stale generated files: ${stale.join(', ')}. Run \`npm run generate\` and commit the result.`);
  process.exit(1);
}
console.log(stale.length === 0 ? 'Generated files are up to date.' : `Wrote ${stale.join(', ')}.`);
