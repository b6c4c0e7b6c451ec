import { defineConfig } from 'vitest/config';
import { mdText } from './test/support/md-plugin.js';

// Two projects: `unit` runs in memory in seconds; `e2e` spawns node, git and agent CLIs against the
// embedded forge. `npm test` runs both, `npm run test:unit` the fast one.
export default defineConfig({
  // Built-in prompts are imported as text; esbuild does the same with its 'text' loader.
  plugins: [mdText()],
  test: {
    // End-to-end tests spawn node and git; two cores, so keep the pool small.
    maxWorkers: 2,
    // These import JSON without import attributes; Node refuses them unless vitest transforms them.
    server: { deps: { inline: [/@actions\/(workflow-parser|expressions)/] } },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'embedded-forge/test/**/*.test.ts'],
          // Agents run as other OS users: they must reach the fixtures and dist/ (see the file).
          globalSetup: ['test/support/agent-reachable.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
