// The crash matrix, part 1: the plan lane and the code lane's way to green (test/support/crash-matrix.ts).
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

describe('on github', () => crashCases('github', PARTS.lanes, state));
