#!/usr/bin/env node
// `agentloop`: the same work outside Actions (DESIGN §9).
//   agentloop tick|status|demo|init|doctor …   (`agentloop <command> --help` for each)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../demo/package-root.js';
import type { RunIO } from '../run/main.js';

/** Set by scripts/bundle.mjs: the commit this bundle was built from, '' when not a clean commit. */
declare const __AGENTLOOP_COMMIT__: string | undefined;

const HELP: Record<string, string> = {
  tick: `agentloop tick --repo owner/name [--lane plan|code|sweep] [--item N] [--dry-run] [--input key=value ...]
    One run against a real forge, as a workflow_dispatch would start it.
    The token comes from GITHUB_TOKEN (or --input token=...); GITHUB_API_URL picks the API.`,
  status: `agentloop status --repo owner/name
    Every item in the loop by state, and the red workflows (read-only). Token: GITHUB_TOKEN.`,
  demo: `agentloop demo [--forge github|forgejo] [--agent claude|codex|gemini|opencode [--live]] [--repo PATH --issue "title" [--body text] [--ci "npm test"]] [--verbose] [--keep]
    The whole loop on the embedded forge, offline. --forge forgejo runs it with Forgejo's semantics and API
    (default github). --agent runs that real agent CLI (installed with agentloop's dev dependencies), its
    model API answered by a scripted model server, still offline; with --live it uses the real model and
    your key from the environment, and --repo PATH rehearses on a copy of another repository. --verbose
    also shows the runs their if: skipped; --keep keeps the sandbox.`,
  init: `agentloop init (--repo owner/name | --dir PATH) [--forge github|forgejo] [--agent claude|codex|gemini|opencode|command] [--agent-command CMD]
               [--token-kind pat|app|workflow] [--label-prefix loop/] [--ci NAME ...] [--pin SHA] [--force] [--dry-run]
    Installs agentloop: the three workflows, pinned to this release, into a local checkout (--dir) or as a
    pull request (--repo, with GITHUB_TOKEN; it also creates agentloop's labels), then lists what is left
    to do by hand (secrets, the App, repository settings). --ci names your CI workflows (default: the
    templates' "CI"); --force overwrites changed files in --dir; --dry-run lists what it would do and
    writes nothing. Running it again with the same options changes nothing. --forge forgejo writes the
    Forgejo templates (token kind pat: an admin bot user's token; with --repo, GITHUB_API_URL=https://your-forgejo/api/v1; docs/forgejo.md).`,
  doctor: `agentloop doctor --repo owner/name [--forge github|forgejo]
    Checks an installation with the token in GITHUB_TOKEN (pass the token agentloop uses): the token's kind
    and permissions, the "Actions may create pull requests" setting, the labels, the workflows, their pins,
    the CI workflows they wait for, and the agent's key. Prints each finding with its fix; exits 1 when it
    finds a problem. Reads only. --forge forgejo (GITHUB_API_URL=https://your-forgejo/api/v1) checks a
    Forgejo installation instead: the version (v14 or later), the bot user (a repository Administrator),
    Actions on, the three workflows in the directory Forgejo reads (full-URL uses:, pinned, concurrency,
    the AGENTLOOP_TOKEN secret) and the trigger labels.`,
};

const USAGE = `usage:\n${Object.values(HELP)
  .map((h) => `  ${h}`)
  .join('\n')}\n  agentloop --version`;

/** This agentloop's version and, when it was bundled from a clean commit, that commit. */
function release(): { version: string; commit: string } {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return { version, commit: typeof __AGENTLOOP_COMMIT__ === 'string' ? __AGENTLOOP_COMMIT__ : '' };
}

const apiUrl = () => process.env.GITHUB_API_URL || 'https://api.github.com';

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
  if (!values.repo) throw new Error(`--repo is required\n${HELP.tick}`);
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
  if (!values.repo) throw new Error(`--repo is required\n${HELP.status}`);
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

async function initCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string' },
      dir: { type: 'string' },
      forge: { type: 'string', default: 'github' },
      agent: { type: 'string', default: 'claude' },
      'agent-command': { type: 'string' },
      'token-kind': { type: 'string', default: 'pat' },
      'label-prefix': { type: 'string', default: 'loop/' },
      ci: { type: 'string', multiple: true },
      pin: { type: 'string' },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const { INIT_FORGES, runInit } = await import('../run/init.js');
  const forge = values.forge!;
  if (!(INIT_FORGES as readonly string[]).includes(forge))
    throw new Error(`--forge must be one of ${INIT_FORGES.join(', ')}, got "${forge}"`);
  await runInit({
    forge,
    ...(values.repo ? { repo: values.repo } : {}),
    ...(values.dir ? { dir: values.dir } : {}),
    token: process.env.GITHUB_TOKEN ?? '',
    apiUrl: apiUrl(),
    agent: values.agent!,
    ...(values['agent-command'] ? { agentCommand: values['agent-command'] } : {}),
    tokenKind: values['token-kind']!,
    labelPrefix: values['label-prefix']!,
    ...(values.ci ? { ciWorkflows: values.ci.flatMap((c) => c.split(',').map((x) => x.trim())).filter(Boolean) } : {}),
    ...(values.pin ? { pin: values.pin } : {}),
    release: release(),
    templatesDir: join(packageRoot(), 'workflows-templates', forge),
    dryRun: values['dry-run']!,
    force: values.force!,
    out: (line) => console.log(line),
  });
}

async function doctorCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { repo: { type: 'string' }, forge: { type: 'string', default: 'github' } } });
  if (!values.repo) throw new Error(`--repo is required\n${HELP.doctor}`);
  const { DOCTOR_FORGES, runDoctor } = await import('../run/doctor.js');
  const forge = DOCTOR_FORGES.find((f) => f === values.forge);
  if (!forge) throw new Error(`--forge must be one of ${DOCTOR_FORGES.join(', ')}, got "${values.forge}"`);
  const report = await runDoctor({
    repo: values.repo,
    forge,
    token: process.env.GITHUB_TOKEN ?? '',
    apiUrl: apiUrl(),
    release: release(),
  });
  console.log(report.text);
  if (report.problems > 0) process.exitCode = 1;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  tick: tickCommand,
  status: statusCommand,
  demo: async (argv) => (await import('../demo/demo.js')).demo(argv),
  init: initCommand,
  doctor: doctorCommand,
};

async function cli(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    console.log(USAGE);
    return;
  }
  if (command === '--version' || command === '-v') {
    const r = release();
    console.log(`agentloop ${r.version}${r.commit ? ` (${r.commit})` : ''}`);
    return;
  }
  if (command === 'help' && rest[0] && HELP[rest[0]]) {
    console.log(HELP[rest[0]]);
    return;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new Error(`unknown command "${command}"\n${USAGE}`);
  // Every command answers --help, before its own options are parsed.
  const end = rest.indexOf('--');
  if ((end === -1 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    console.log(HELP[command]);
    return;
  }
  return run(rest);
}

cli(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`agentloop: ${(err as Error).message}`);
  process.exitCode = 1;
});
