// The crash matrix, part 2: merge, rebase, the ci-failure issue and the sweep itself (test/support/crash-matrix.ts).
import { afterEach, describe, expect } from 'vitest';
import { crashCases, PARTS } from '../support/crash-matrix.js';
import type { Loop } from '../support/loop.js';

const state: { loop?: Loop } = {};
afterEach(async () => {
  const loop = state.loop;
  state.loop = undefined;
  if (!loop) return;
  expect(loop.forge.violations, 'requests the forge would reject').toEqual([]);
  await loop.stop();
});

describe('on github', () => crashCases('github', PARTS.merge, state));
