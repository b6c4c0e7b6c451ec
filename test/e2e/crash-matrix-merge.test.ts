// The crash matrix, part 2: merge, rebase, the ci-failure issue and the sweep itself (test/support/crash-matrix.ts).
import { afterEach, describe, expect } from 'vitest';
import { crashCases, PARTS } from '../support/crash-matrix.js';
import type { Flavor, Loop } from '../support/loop.js';

const state: { loop?: Loop } = {};
afterEach(async () => {
  const loop = state.loop;
  state.loop = undefined;
  if (!loop) return;
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

// GitHub's semantics in `npm test`; CRASH_MATRIX_FORGES=github,forgejo adds Forgejo's (its sweeps also
// stand in for the workflow_run event it lacks, so its sweep counts mean less).
for (const flavor of (process.env.CRASH_MATRIX_FORGES ?? 'github').split(',') as Flavor[])
  describe(`on ${flavor}`, () => crashCases(flavor, PARTS.merge, state));
