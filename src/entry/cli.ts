#!/usr/bin/env node
// `agentloop`: the same work outside Actions (DESIGN §9).
//   agentloop tick --repo owner/name [--lane plan|code|sweep] [--item N] [--dry-run] [--input key=value …]
//   agentloop demo
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunIO } from '../run/main.js';

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
  const inputs: Record<string, string> = {};
  if (values.lane) inputs.lane = values.lane;
  if (values['dry-run']) inputs['dry-run'] = 'true';
  for (const pair of values.input ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`--input takes key=value, got "${pair}"`);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const processEnv = cliEnv(values.repo, inputs);
  const [{ readActionsEnv }, { main }] = await Promise.all([import('../run/actions-env.js'), import('../run/main.js')]);
  // As a workflow_dispatch would start it; nothing is written into this process's environment.
  const env = {
    ...readActionsEnv(processEnv),
    eventName: 'workflow_dispatch',
    payload: { inputs: { lane: values.lane ?? '', item: values.item ?? '' } },
  };
  await main(env, processEnv, consoleIO());
}

/** The Actions variables a run reads, for a repository named on the command line. */
function cliEnv(repo: string, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_REPOSITORY: repo,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'agentloop-tick-')),
  };
  delete env.GITHUB_EVENT_PATH;
  for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.toUpperCase()}`] = value;
  if (!env.INPUT_TOKEN && env.GITHUB_TOKEN) env.INPUT_TOKEN = env.GITHUB_TOKEN;
  return env;
}

/** The CLI's RunIO: plain lines on stdout/stderr, secrets masked; outputs and the summary are not kept. */
function consoleIO(): RunIO {
  const secrets: string[] = [];
  const mask = (m: string) => secrets.reduce((text, s) => text.split(s).join('***'), m);
  return {
    log: {
      info: (m) => console.log(mask(m)),
      warning: (m) => console.error(`warning: ${mask(m)}`),
      error: (m) => console.error(`error: ${mask(m)}`),
      group: async (name, fn) => {
        console.log(`── ${name}`);
        return fn();
      },
    },
    debug: () => {},
    setSecret: (v) => {
      if (v) secrets.push(v);
    },
    setOutput: () => {},
    setFailed: (m) => {
      console.error(mask(m));
      process.exitCode = 1;
    },
    summary: () => {},
  };
}

async function statusCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { repo: { type: 'string' } } });
  if (!values.repo) throw new Error(`--repo is required\n${USAGE}`);
  // Reading needs no agent: a placeholder satisfies the schema for agent: command.
  const processEnv = cliEnv(values.repo, { 'agent-command': process.env['INPUT_AGENT-COMMAND'] || 'true' });
  const [{ readActionsEnv }, { setupRun }, { loadSweepSnapshot }, { dashboardBody }, { silentLogger }] = await Promise.all([
    import('../run/actions-env.js'),
    import('../run/setup.js'),
    import('../services/sweep-snapshot.js'),
    import('../transitions/dashboard.js'),
    import('../core/logger.js'),
  ]);
  const setup = await setupRun(readActionsEnv(processEnv), silentLogger, processEnv);
  if (!setup.ok) throw new Error(setup.message);
  const ss = await loadSweepSnapshot(setup.rc, { kind: 'schedule' });
  console.log(dashboardBody(setup.rc, ss).replace(/<!--[^>]*-->\n?/g, ''));
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
