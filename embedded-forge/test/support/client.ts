// Clients of the embedded forge for its own tests: the REST API with any token (status, headers, body),
// and the real git client over smart HTTP, hermetic (its own HOME, no config, never prompts).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hermeticGitEnv } from '../../src/git-ops.js';
import type { EmbeddedForge } from '../../src/server.js';

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever fields the route answers with
  body: any;
  text: string;
}

/** One REST call as Octokit makes it (fetch follows redirects, as Octokit's does). */
export async function api(forge: EmbeddedForge, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${forge.urls.api}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json', accept: 'application/vnd.github+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface GitClient {
  dir: string;
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  ok(args: string[]): Promise<string>;
  /** Writes files, commits them and returns the commit sha. */
  commit(files: Record<string, string>, message?: string): Promise<string>;
}

/** A clone of `owner/name` made with `token` (the token stays in the remote URL for pushes). */
export async function cloneWith(forge: EmbeddedForge, repo: string, token: string): Promise<GitClient> {
  const root = await mkdtemp(join(tmpdir(), 'embedded-client-'));
  const env = hermeticGitEnv({
    HOME: root,
    GIT_AUTHOR_NAME: 'Client',
    GIT_AUTHOR_EMAIL: 'client@example.com',
    GIT_COMMITTER_NAME: 'Client',
    GIT_COMMITTER_EMAIL: 'client@example.com',
  });
  const dir = join(root, 'clone');
  const run = (args: string[], cwd = dir) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('git', args, { cwd, env, encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      });
    });
  const url = `${forge.urls.web.replace('://', `://x-access-token:${token}@`)}/${repo}.git`;
  const cloned = await run(['clone', '--quiet', url, dir], root);
  if (cloned.code !== 0) throw new Error(`clone failed: ${cloned.stderr}`);
  const ok = async (args: string[]) => {
    const r = await run(args);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} → ${r.code}\n${r.stderr}`);
    return r.stdout.trim();
  };
  return {
    dir,
    run,
    ok,
    async commit(files, message = 'change') {
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), text);
      }
      await ok(['add', '--all']);
      await ok(['commit', '--quiet', '-m', message]);
      return ok(['rev-parse', 'HEAD']);
    },
  };
}
