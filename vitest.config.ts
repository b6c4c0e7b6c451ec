import { defineConfig } from 'vitest/config';
import { mdText } from './test/support/md-plugin.js';

export default defineConfig({
  // Built-in prompts are imported as text; esbuild does the same with its 'text' loader.
  plugins: [mdText()],
  test: {
    include: ['test/**/*.test.ts', 'embedded-forge/test/**/*.test.ts'],
    // End-to-end tests spawn node and git; two cores, so keep the pool small.
    maxWorkers: 2,
    // These import JSON without import attributes; Node refuses them unless vitest transforms them.
    server: { deps: { inline: [/@actions\/(workflow-parser|expressions)/] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
