import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('the pure core imports no I/O', () => {
  for (const file of files('src/core')) {
    it(file, () => {
      for (const spec of importsOf(file)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^node:|^(fs|child_process|net|http|https|os|path)$|@octokit|@actions|\/(forge|runtime|agent|git|entry|embedded|transitions)\//);
      }
      expect(readFileSync(file, 'utf8')).not.toMatch(/\bprocess\.(env|argv|exit)|\bfetch\(/);
    });
  }
});

describe('the action entry stays light', () => {
  it('statically imports only node built-ins and the pure core', () => {
    for (const spec of importsOf('src/entry/index.ts')) {
      expect(spec).toMatch(/^node:|^\.\.\/core\/(event|labels|triage)\.js$/);
    }
  });
});
