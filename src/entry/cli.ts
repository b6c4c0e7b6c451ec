#!/usr/bin/env node
// `agentloop`: the same work outside Actions (DESIGN §9).
//   agentloop tick --repo owner/name [--lane plan|code|sweep] [--item N] [--dry-run] [--input key=value …]
//   agentloop demo
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage:
  agentloop tick --repo owner/name [--lane plan|code|sweep] [--item N] [--dry-run] [--input key=value ...]
      One run against a real forge, as a workflow_dispatch would start it.
      The token comes from GITHUB_TOKEN (or --input token=...); GITHUB_API_URL picks the API.
  agentloop status --repo owner/name
      Every item in the loop by state, and the red workflows (read-only).
  agentloop demo [--verbose] [--keep] [--agent claude --repo PATH --issue "title" [--body text] [--ci "npm test"]]
      The whole loop on the embedded forge, offline.`;

async function tickCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      lane: { type: 'string' },
      item: { type: 'string' },
      'dry-run': { type: 'boolean' },
      input: { type: 'string', multiple: true },
    },
  });
  if (!values.repo) throw new Error(`--repo is required\n${USAGE}`);
  const dir = mkdtempSync(join(tmpdir(), 'agentloop-tick-'));
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ inputs: { lane: values.lane ?? '', item: values.item ?? '' } }));
  Object.assign(process.env, {
    GITHUB_REPOSITORY: values.repo,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    RUNNER_TEMP: dir,
  });
  if (values.lane) process.env.INPUT_LANE = values.lane;
  if (values['dry-run']) process.env['INPUT_DRY-RUN'] = 'true';
  for (const pair of values.input ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--input takes key=value, got "${pair}"`);
    process.env[`INPUT_${pair.slice(0, eq).toUpperCase()}`] = pair.slice(eq + 1);
  }
  if (!process.env.INPUT_TOKEN && process.env.GITHUB_TOKEN) process.env.INPUT_TOKEN = process.env.GITHUB_TOKEN;
  const { main } = await import('./main.js');
  await main();
}

async function statusCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { repo: { type: 'string' } } });
  if (!values.repo) throw new Error(`--repo is required\n${USAGE}`);
  process.env.GITHUB_REPOSITORY = values.repo;
  if (!process.env.INPUT_TOKEN && process.env.GITHUB_TOKEN) process.env.INPUT_TOKEN = process.env.GITHUB_TOKEN;
  const [{ readActionsEnv }, { setupRun }, { loadSweepSnapshot }, { renderDashboard }, { silentLogger }] = await Promise.all([
    import('../runtime/actions-env.js'),
    import('./setup.js'),
    import('../runtime/sweep-snapshot.js'),
    import('../transitions/dashboard.js'),
    import('../runtime/logger.js'),
  ]);
  // Reading needs no agent: a placeholder satisfies the schema for agent: command.
  process.env['INPUT_AGENT-COMMAND'] ||= 'true';
  const setup = await setupRun(readActionsEnv(process.env), silentLogger, process.env);
  if (!setup.ok) throw new Error(setup.message);
  const ss = await loadSweepSnapshot(setup.rc, { kind: 'schedule' });
  console.log(renderDashboard(setup.rc, ss).replace(/<!--[^>]*-->\n?/g, ''));
}

async function cli(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'tick':
      return tickCommand(rest);
    case 'status':
      return statusCommand(rest);
    case 'demo': {
      const { demo } = await import('../demo/demo.js');
      return demo(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

cli(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`agentloop: ${(err as Error).message}`);
  process.exitCode = 1;
});
