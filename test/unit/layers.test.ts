// The layers of src/ (README "Layout"): entry → run → transitions → services → forge | git | agent → core.
// An import may only point down (or within its own folder); core imports no I/O at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const RANK: Record<string, number> = { core: 0, forge: 1, git: 1, agent: 1, services: 2, transitions: 3, run: 4, entry: 5, demo: 5 };
/** Folders of the same rank that may still not see each other. */
const SIBLINGS_APART = new Set(['forge', 'git', 'agent']);
const EMBEDDED_FORGE = '@agentloop/embedded-forge';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsIn = (text: string) =>
  [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
const importsOf = (file: string) => importsIn(readFileSync(file, 'utf8'));

const layerOf = (file: string) => relative('src', file).split('/')[0]!;

/** The layer a relative import lands in, or undefined for a file outside src/ (prompts/*.md). */
function targetLayer(file: string, spec: string): string | undefined {
  const target = relative(resolve('src'), resolve(dirname(file), spec));
  return target.startsWith('..') ? undefined : target.split('/')[0];
}

/** Every back edge or sideways edge in src/, as "file → spec" lines. */
function layerViolations(sources: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [file, text] of sources) {
    const from = layerOf(file);
    for (const spec of importsIn(text)) {
      if (spec === EMBEDDED_FORGE || spec.startsWith(`${EMBEDDED_FORGE}/`)) {
        if (from !== 'demo') bad.push(`${file} → ${spec} (only the demo uses the embedded forge)`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const to = targetLayer(file, spec);
      if (to === undefined || to === from) continue;
      if (RANK[to] === undefined) bad.push(`${file} → ${spec} (unknown layer ${to})`);
      else if (RANK[to]! > RANK[from]!) bad.push(`${file} → ${spec} (${from} may not import ${to})`);
      else if (
        RANK[to] === RANK[from] &&
        (SIBLINGS_APART.has(from) || from === 'entry' || from === 'demo') &&
        !(from === 'entry' && to === 'demo')
      )
        bad.push(`${file} → ${spec} (${from} and ${to} stay apart)`);
    }
  }
  return bad;
}

const SRC = files('src');

describe('layers', () => {
  it('every folder of src/ is a known layer', () => {
    expect([...new Set(SRC.map(layerOf))].filter((l) => RANK[l] === undefined)).toEqual([]);
  });

  it('imports only point down', () => {
    expect(layerViolations(new Map(SRC.map((f) => [f, readFileSync(f, 'utf8')])))).toEqual([]);
  });

  it('the check catches a back edge, a sideways edge and the embedded forge in the product', () => {
    const sources = new Map([
      ['src/services/fake.ts', "import { tick } from '../run/tick.js';\nimport { EmbeddedForge } from '@agentloop/embedded-forge';\n"],
      ['src/git/fake.ts', "import type { AgentPort } from '../agent/port.js';\nimport { loopBranch } from '../core/branches.js';\n"],
      ['src/demo/fake.ts', "import { EmbeddedForge } from '@agentloop/embedded-forge';\nimport { main } from '../run/main.js';\n"],
    ]);
    expect(layerViolations(sources)).toEqual([
      'src/services/fake.ts → ../run/tick.js (services may not import run)',
      'src/services/fake.ts → @agentloop/embedded-forge (only the demo uses the embedded forge)',
      'src/git/fake.ts → ../agent/port.js (git and agent stay apart)',
    ]);
  });

  it('the pure core imports no I/O', () => {
    // zod and yaml (config); the CommonMark + GFM parser and its entity table (the Markdown sanitizer).
    const pure = /^\.|^(zod|yaml|mdast-util-from-markdown|mdast-util-gfm|micromark-extension-gfm|decode-named-character-reference)$/;
    for (const file of SRC.filter((f) => layerOf(f) === 'core')) {
      for (const spec of importsOf(file)) expect(spec, `${file} imports ${spec}`).toMatch(pure);
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\bprocess\.(env|argv|exit|cwd)|\bfetch\(|\bDate\.now\(|\bMath\.random\(/);
    }
  });

  it('the action entry statically imports only node built-ins and the pure core', () => {
    for (const spec of importsOf('src/entry/index.ts').filter((s) => !/^\.\/action\.js$/.test(s))) {
      expect(spec).toMatch(/^node:|^\.\.\/core\/(event|labels|triage)\.js$/);
    }
  });

  it('no source file of the product or the embedded forge is over 400 lines', () => {
    const long = [...SRC, ...files('embedded-forge/src')]
      .map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });
});
