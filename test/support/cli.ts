// dist/cli.js as a person runs it against the embedded forge, and the sample repository the init and
// doctor tests install agentloop into.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedForge, type RepoState, validateForgejoRequest, validateForgejoResponse } from '@agentloop/embedded-forge';
import { SAMPLE_FILES } from '../../src/demo/sample.js';
import { validateRequest } from './openapi.js';

/** Runs `agentloop <args>` (dist/cli.js) with exactly this environment (PATH added); stdout and stderr together. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((done) => child.on('close', (code) => done({ code, out })));
}

export interface SampleForge {
  forge: EmbeddedForge;
  /** acme/calc: the demo's sample package with its CI in .github/workflows; maria is an admin. */
  repo: RepoState;
  dir: string;
  /** The CLI as `token`'s owner against this forge. */
  cli(args: string[], token: string): Promise<{ code: number | null; out: string }>;
  stop(): Promise<void>;
}

export async function startSampleForge(flavor: 'github' | 'forgejo' = 'github'): Promise<SampleForge> {
  const dir = await mkdtemp(join(tmpdir(), `agentloop-cli-${flavor}-`));
  const forge = new EmbeddedForge({
    root: dir,
    ...(flavor === 'forgejo'
      ? { flavor, validate: validateForgejoRequest, validateResponse: validateForgejoResponse }
      : { validate: validateRequest }),
  });
  await forge.start();
  const repo = await forge.createRepo('acme', 'calc', SAMPLE_FILES);
  forge.addCollaborator(repo, 'maria', 'admin');
  return {
    forge,
    repo,
    dir,
    cli: (args, token) => runCli(args, { HOME: dir, GITHUB_TOKEN: token, GITHUB_API_URL: forge.urls.api }),
    stop: async () => {
      await forge.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
