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
  agentloop demo
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

async function cli(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'tick':
      return tickCommand(rest);
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
