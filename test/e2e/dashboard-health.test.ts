// The doctor's cheap check in the sweep (DESIGN §9): the dashboard issue says which of agentloop's labels
// are missing, with the commands that create them, and says so no more once they exist.
import { afterEach, expect, it } from 'vitest';
import { labelCatalog, labelNames } from '../../src/core/labels.js';
import { type Loop, startLoop } from '../support/loop.js';

let loop: Loop;
afterEach(async () => {
  expect(loop.forge.violations, 'requests GitHub would reject').toEqual([]);
  await loop.stop();
});

it('the dashboard reports missing labels with their fix, then that all are there', async () => {
  loop = await startLoop({ script: { plan: 'a plan' } });
  const dashboard = () => loop.repo.issues.find((i) => i.labels.includes('loop/dashboard'))!;
  loop.runner.tickSchedule(loop.repo);
  await loop.runner.idle();
  expect(dashboard().body).toMatch(/### Setup\n- \*\*problem\*\*: missing labels: loop\/plan, loop\/plan-in-process, /);
  expect(dashboard().body).toContain(
    "  gh label create 'loop/code' -R acme/calc --color 1d76db --description 'agentloop: implement this issue and open a PR'",
  );
  // The dashboard's own label is created with it, so it is never reported missing.
  expect(dashboard().body).not.toMatch(/missing labels:.*loop\/dashboard/);

  for (const l of labelCatalog(labelNames('loop/')))
    await loop.maria.createLabel({ name: l.name, color: l.color, description: l.description });
  loop.runner.tickSchedule(loop.repo);
  await loop.runner.idle();
  expect(dashboard().body).toMatch(/### Setup\nall 19 agentloop labels exist\. `npx agentloop doctor` checks the rest/);
});
