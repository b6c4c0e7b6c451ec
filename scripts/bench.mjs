// `npm run bench`: bundles scripts/bench.ts on the fly (the embedded forge lives in src/) and runs it.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = join(mkdtempSync(join(tmpdir(), 'agentloop-bench-')), 'bench.mjs');
await build({
  entryPoints: ['scripts/bench.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  loader: { '.md': 'text' },
  logLevel: 'warning',
  absWorkingDir: process.cwd(),
  nodePaths: [join(process.cwd(), 'node_modules')],
});
await import(pathToFileURL(out).href);
