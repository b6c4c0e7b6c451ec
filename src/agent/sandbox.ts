// Where and as whom the agent runs (DESIGN §8). Filtering the agent's environment is not isolation: a
// process of the same OS user can read /proc/<pid>/environ of agentloop and of the runner, so the agent
// runs as its own unprivileged user (AGENT_USER), in a directory that user owns, with its own HOME.
// agentloop's repository, token and temp files stay where that user cannot read them.
//   root (self-hosted runners, containers): create the user, spawn with its uid/gid.
//   passwordless sudo (GitHub-hosted runners): create the user and run the agent through `sudo -u`.
//   neither: refuse, unless the maintainer opted out with `agent-isolation: unsafe-none`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Agent users are created per sandbox and removed with it: concurrent agents cannot see each other. */
export const AGENT_USER_PREFIX = 'agentloop-';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
  /** root: spawn with uid/gid. sudo: `sudo -n -u <name>`. */
  via: 'root' | 'sudo';
}

/** user: the agent runs as a fresh unprivileged user. same-user: the maintainer's explicit, unsafe opt-out. */
export type Isolation = { kind: 'user'; via: 'root' | 'sudo' } | { kind: 'same-user' };

export type IsolationMode = 'user' | 'unsafe-none';

export interface Sandbox {
  /** Root-owned 0755 directory holding dir, home and files. */
  root: string;
  /** The agent's working directory (a copy of the repository files). */
  dir: string;
  home: string;
  /** Prompt and CLI settings files. */
  files: string;
  /** Who the agent runs as; undefined for the same-user opt-out. */
  user?: AgentUser;
}

type Exec = (file: string, args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

const exec: Exec = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });

export const ISOLATION_FIX =
  'Run the job as root (a container job or a self-hosted runner service as root) or give the runner user passwordless sudo, as GitHub-hosted runners have; ' +
  "or accept that the agent can read agentloop's token and set agent-isolation: unsafe-none.";

/** How this process can run the agent as another user. Asks nothing of the forge: runs before any claim. */
export async function resolveIsolation(
  mode: IsolationMode,
  run: Exec = exec,
  uid = process.getuid?.() ?? -1,
): Promise<{ ok: true; isolation: Isolation } | { ok: false; message: string }> {
  if (mode === 'unsafe-none') return { ok: true, isolation: { kind: 'same-user' } };
  if (uid === 0) return { ok: true, isolation: { kind: 'user', via: 'root' } };
  if ((await run('sudo', ['-n', 'true'])).code === 0) return { ok: true, isolation: { kind: 'user', via: 'sudo' } };
  return {
    ok: false,
    message: `agentloop cannot run the agent as a separate user here: it is not root and has no passwordless sudo. ${ISOLATION_FIX}`,
  };
}

const asAdmin = (via: 'root' | 'sudo', run: Exec, args: string[]) =>
  via === 'root' ? run(args[0]!, args.slice(1)) : run('sudo', ['-n', ...args]);

async function createUser(via: 'root' | 'sudo', run: Exec, name: string): Promise<AgentUser> {
  let last = '';
  // useradd fails while another process holds /etc/passwd's lock (exit 10): try again briefly.
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = await asAdmin(via, run, [
      'useradd',
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
    if (r.code === 0) break;
    last = r.stderr.trim() || `useradd exited ${r.code}`;
    if (r.code !== 10 && r.code !== 1) throw new Error(`could not create the agent user ${name}: ${last}. ${ISOLATION_FIX}`);
    await new Promise((done) => setTimeout(done, 50 + attempt * 25));
  }
  const [u, g] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  if (u.code !== 0 || g.code !== 0) throw new Error(`could not create the agent user ${name}: ${last}. ${ISOLATION_FIX}`);
  const uid = Number(u.stdout.trim());
  if (!(uid > 0)) throw new Error(`the agent user ${name} has uid ${uid}; agentloop runs agents only as an unprivileged user`);
  return { name, uid, gid: Number(g.stdout.trim()), via };
}

/** A fresh sandbox in the system temp directory (world-traversable, unlike the runner's temp), with its own user. */
export async function createSandbox(isolation: Isolation, run: Exec = exec): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'agentloop-agent-'));
  await chmod(root, 0o755);
  const dirs = { dir: join(root, 'work'), home: join(root, 'home'), files: join(root, 'files') };
  for (const d of Object.values(dirs)) await mkdir(d, { mode: 0o700 });
  if (isolation.kind === 'same-user') return { root, ...dirs };
  const name = `${AGENT_USER_PREFIX}${randomBytes(4).toString('hex')}`;
  return { root, ...dirs, user: await createUser(isolation.via, run, name) };
}

/** Hand dir, home and files to the agent user (after agentloop has filled dir). */
export async function giveToAgent(s: Sandbox, run: Exec = exec): Promise<void> {
  const { user } = s;
  if (!user) return;
  if (user.via === 'sudo') {
    const r = await run('sudo', ['-n', 'chown', '-R', `${user.uid}:${user.gid}`, s.dir, s.home, s.files]);
    if (r.code !== 0) throw new Error(`could not hand the workspace to ${user.name}: ${r.stderr.trim()}`);
    return;
  }
  for (const d of [s.dir, s.home, s.files]) await chownTree(d, user.uid, user.gid);
}

/**
 * After the agent: kill every process of the agent user (a daemon it left behind could still edit
 * files while agentloop reads them), then take the files back so this process can read them.
 */
export async function reclaimFromAgent(s: Sandbox, run: Exec = exec): Promise<void> {
  const { user } = s;
  if (!user) return;
  if (user.via === 'sudo') {
    await run('sudo', ['-n', '-u', user.name, 'kill', '-KILL', '-1']);
    const me = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    const r = await run('sudo', ['-n', 'chown', '-R', me, s.dir]);
    if (r.code !== 0) throw new Error(`could not take the workspace back from ${user.name}: ${r.stderr.trim()}`);
    return;
  }
  await killUserProcesses(user.uid);
}

/** Remove the files and the user (its processes die first). */
export async function removeSandbox(s: Sandbox, run: Exec = exec): Promise<void> {
  const { user } = s;
  if (user?.via === 'sudo') await run('sudo', ['-n', 'rm', '-rf', s.root]);
  else await rm(s.root, { recursive: true, force: true });
  if (!user) return;
  if (user.via === 'root') await killUserProcesses(user.uid);
  else await run('sudo', ['-n', '-u', user.name, 'kill', '-KILL', '-1']);
  await asAdmin(user.via, run, ['userdel', user.name]);
}

/** Root only: SIGKILL every process whose real uid is `uid`, until none is left. */
export async function killUserProcesses(uid: number): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 5; round++) {
    const pids = await processesOf(uid);
    if (!pids.length) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Already gone.
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return killed;
}

async function processesOf(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real !== undefined && Number(real) === uid) pids.push(Number(name));
  }
  return pids;
}

/** chown -R without following symlinks (lchown on links). */
async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  await chown(path, uid, gid);
  if (!st.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

/** argv for a command run as the agent user through sudo (PATH passes as an argument: secure_path would reset it). */
export function sudoArgv(user: AgentUser, env: Record<string, string>, file: string, args: string[]): { file: string; args: string[] } {
  const keep = Object.keys(env).filter((k) => k !== 'PATH');
  return {
    file: 'sudo',
    args: [
      '-n',
      '-u',
      user.name,
      ...(keep.length ? [`--preserve-env=${keep.join(',')}`] : []),
      '--',
      '/usr/bin/env',
      `PATH=${env.PATH ?? '/usr/bin:/bin'}`,
      file,
      ...args,
    ],
  };
}
