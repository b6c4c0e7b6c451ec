// vitest globalSetup for the e2e project. Agents run as their own OS users (DESIGN §8), so the programs
// the tests run as agents (test/fixtures/agents, dist/scripted-agent.js) must be reachable by other
// users: when the suite runs as root, give every directory above the checkout the traverse bit (o+x:
// enter, not list) if it lacks it — a checkout inside a 0700 temp directory would otherwise refuse
// every agent.
import { chmodSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export default function setup(): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = resolve('.'); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dirname(dir) === dir) break;
  }
}
