// The agent as a port: the run context holds one, and the dry-run boundary replaces it. A session is
// one sandbox: a copy of the repository files the agent may change, its own user and HOME; agentloop
// reads the files back as data and closes the session.
import { cp } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type AgentRunRequest, type AgentRunResult, runAgent } from './runner.js';
import { createSandbox, type Isolation, type IsolationMode, removeSandbox, resolveIsolation, type Sandbox } from './sandbox.js';

/** The agent cannot be isolated here and the maintainer has not opted out: nothing may start. */
export class IsolationError extends Error {}

export type SessionRequest = Omit<AgentRunRequest, 'cwd' | 'sandbox'>;

export interface AgentSession {
  /** The agent's working directory; what is in it afterwards is the agent's result, as data. */
  readonly dir: string;
  run(request: SessionRequest): Promise<AgentRunResult>;
  close(): Promise<void>;
}

export interface AgentPort {
  /** Throws IsolationError when the agent could not run isolated. Cheap; call before claiming an item. */
  check(): Promise<void>;
  /**
   * A sandbox holding a copy of `fromDir`'s files (its top-level .git left out); `prepare` runs on the
   * copy before the agent user gets it.
   */
  open(fromDir: string, prepare?: (dir: string) => Promise<void>): Promise<AgentSession>;
}

export function processAgent(mode: IsolationMode): AgentPort {
  let isolation: Promise<Isolation> | undefined;
  const resolve = () => {
    isolation ??= resolveIsolation(mode).then((r) => {
      if (!r.ok) throw new IsolationError(r.message);
      return r.isolation;
    });
    return isolation;
  };
  return {
    async check() {
      await resolve();
    },
    async open(fromDir, prepare) {
      const sandbox = await createSandbox(await resolve());
      try {
        await copyFiles(fromDir, sandbox.dir);
        await prepare?.(sandbox.dir);
      } catch (err) {
        await removeSandbox(sandbox);
        throw err;
      }
      return session(sandbox);
    },
  };
}

function session(sandbox: Sandbox): AgentSession {
  return {
    dir: sandbox.dir,
    run: (request) => runAgent({ ...request, cwd: sandbox.dir, sandbox }),
    close: () => removeSandbox(sandbox),
  };
}

/** Copy a checkout's files, symlinks as links, without its top-level .git. */
async function copyFiles(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
    filter: (src) => !(basename(src) === '.git' && dirname(src) === from),
  });
}
