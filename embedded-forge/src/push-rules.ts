// The `workflows` permission rule (docs/embedded-forge.md): a token may create or change files under
// `.github/workflows/` only with the `workflows` permission (GitHub Apps, fine-grained PATs; the workflow
// token never has it) or the `workflow` scope (classic PATs, which may still commit a workflow file whose
// path and contents already exist on another branch). Enforced on git pushes — before receive-pack runs,
// so a refused push changes nothing and git prints GitHub's reason, `! [remote rejected] main -> main
// (refusing to allow a GitHub App to create or update workflow …)` — and on the API's merges.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listBranches } from './git-read.js';
import { git, hermeticGitEnv, ZERO_SHA } from './git-run.js';
import type { TokenRec } from './state.js';

export interface WorkflowRule {
  /** Who GitHub says is refused: "a GitHub App", "a Personal Access Token". */
  who: string;
  /** What is missing: "`workflows` permission" or "`workflow` scope". */
  without: string;
  /** Classic PATs: a file whose path and contents exist on another branch may be committed anyway. */
  sameFileElsewhereOk: boolean;
}

/** The rule a token is under, or undefined when it may write workflow files. */
export function workflowRuleFor(t: TokenRec): WorkflowRule | undefined {
  if (t.kind === 'classic') {
    return t.scopes?.includes('workflow')
      ? undefined
      : { who: 'a Personal Access Token', without: '`workflow` scope', sameFileElsewhereOk: true };
  }
  if (t.kind !== 'workflow' && t.permissions?.workflows === 'write') return undefined;
  const who = t.kind === 'fine-grained' ? 'a Personal Access Token' : 'a GitHub App';
  return { who, without: '`workflows` permission', sameFileElsewhereOk: false };
}

export function workflowRefusal(rule: WorkflowRule, file: string): string {
  return `refusing to allow ${rule.who} to create or update workflow \`${file}\` without ${rule.without}`;
}

const WORKFLOWS = '.github/workflows/';
type Env = Record<string, string>;

/** Paths under .github/workflows/ that commit `to` adds or changes relative to `from` (null: the empty tree). */
export async function changedWorkflowFiles(gitDir: string, from: string | null, to: string, env: Env = {}): Promise<string[]> {
  const args = from
    ? ['diff-tree', '-r', '--no-renames', '--name-status', '-z', from, to, '--', WORKFLOWS]
    : ['diff-tree', '-r', '--root', '--no-commit-id', '--no-renames', '--name-status', '-z', to, '--', WORKFLOWS];
  const parts = (await git(gitDir, args, { env })).stdout.split('\0').filter((x) => x !== '');
  const out: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) if (/^[AMT]/.test(parts[i]!)) out.push(parts[i + 1]!);
  return out;
}

/** Workflow files the commits `base..head` add or change (what merging head into base brings). */
export async function workflowFilesBrought(gitDir: string, base: string, head: string): Promise<string[]> {
  const mb = await git(gitDir, ['merge-base', base, head], { okCodes: [1] });
  return changedWorkflowFiles(gitDir, mb.code === 0 ? mb.stdout.trim() : null, head);
}

/**
 * The first workflow file the rule refuses when `from` is merged into the branch `into` (the API's merge
 * and update-branch): what `from` brings since the merge base; a classic PAT may bring files that already
 * exist, with the same contents, on another branch.
 */
export async function refusedMergeFile(gitDir: string, into: string, from: string, rule: WorkflowRule): Promise<string | undefined> {
  for (const file of await workflowFilesBrought(gitDir, into, from)) {
    if (rule.sameFileElsewhereOk && (await sameFileOnAnotherBranch(gitDir, from, file, [`refs/heads/${into}`], {}))) continue;
    return file;
  }
  return undefined;
}

async function blobAt(gitDir: string, rev: string, file: string, env: Env): Promise<string | null> {
  const r = await git(gitDir, ['rev-parse', '--verify', '--quiet', `${rev}:${file}`], { env, okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : null;
}

async function sameFileOnAnotherBranch(gitDir: string, sha: string, file: string, updating: string[], env: Env): Promise<boolean> {
  const blob = await blobAt(gitDir, sha, file, env);
  for (const b of await listBranches(gitDir)) {
    if (updating.includes(`refs/heads/${b.name}`)) continue;
    if (blob !== null && (await blobAt(gitDir, b.sha, file, env)) === blob) return true;
  }
  return false;
}

/** The first workflow file the rule refuses among new commits (each compared with its first parent). */
export async function refusedWorkflowFile(
  gitDir: string,
  commits: { sha: string; parent: string | null }[],
  rule: WorkflowRule,
  opts: { env?: Env; updating?: string[] } = {},
): Promise<string | undefined> {
  const env = opts.env ?? {};
  for (const c of commits) {
    for (const file of await changedWorkflowFiles(gitDir, c.parent, c.sha, env)) {
      if (rule.sameFileElsewhereOk && (await sameFileOnAnotherBranch(gitDir, c.sha, file, opts.updating ?? [], env))) continue;
      return file;
    }
  }
  return undefined;
}

// ---- receive-pack: read the push, decide before git applies it ----

export interface PushCommand {
  old: string;
  new: string;
  ref: string;
}

/** The ref updates, capabilities and pack of a receive-pack request body (pkt-lines, flush, PACK). */
export function parsePushRequest(body: Buffer): { commands: PushCommand[]; caps: string[]; pack: Buffer } {
  const commands: PushCommand[] = [];
  let caps: string[] = [];
  let pos = 0;
  const readSection = (onLine: (line: string) => void) => {
    while (pos + 4 <= body.length) {
      const len = Number.parseInt(body.subarray(pos, pos + 4).toString('latin1'), 16);
      if (!Number.isFinite(len)) return;
      if (len === 0) {
        pos += 4;
        return;
      }
      onLine(body.subarray(pos + 4, pos + len).toString('utf8'));
      pos += len;
    }
  };
  readSection((raw) => {
    const [line = '', capText] = raw.replace(/\n$/, '').split('\0');
    if (capText !== undefined) caps = capText.trim().split(/\s+/);
    const [old = '', next = '', ref = ''] = line.split(' ');
    if (ref) commands.push({ old, new: next, ref });
  });
  if (caps.includes('push-options')) readSection(() => {});
  return { commands, caps, pack: body.subarray(pos) };
}

/** `git index-pack --stdin --fix-thin` into a scratch object directory (thin-pack bases come from the repository). */
function indexPack(gitDir: string, pack: Buffer, out: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('git', ['--git-dir', gitDir, 'index-pack', '--stdin', '--fix-thin', out], {
      env: hermeticGitEnv(),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
    child.stdin.on('error', () => {});
    child.stdin.end(pack);
  });
}

/** GitHub's refusal of a push, or undefined when the rule lets it through. Nothing is written to the repository. */
export async function checkPush(gitDir: string, body: Buffer, rule: WorkflowRule): Promise<string | undefined> {
  const { commands, pack } = parsePushRequest(body);
  const tips = commands.map((c) => c.new).filter((sha) => sha !== ZERO_SHA);
  if (tips.length === 0) return undefined;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'embedded-push-'));
  try {
    const objects = path.join(tmp, 'objects');
    await mkdir(path.join(objects, 'pack'), { recursive: true });
    // A pack git cannot index is receive-pack's to refuse.
    if (pack.length > 0 && !(await indexPack(gitDir, pack, path.join(objects, 'pack', 'incoming.pack')))) return undefined;
    const env = { GIT_ALTERNATE_OBJECT_DIRECTORIES: objects };
    const listed = await git(gitDir, ['rev-list', '--parents', ...tips, '--not', '--all'], { env, okCodes: [128] });
    if (listed.code !== 0) return undefined;
    const commits = listed.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [sha = '', parent] = l.split(' ');
        return { sha, parent: parent ?? null };
      });
    const file = await refusedWorkflowFile(gitDir, commits, rule, { env, updating: commands.map((c) => c.ref) });
    return file === undefined ? undefined : workflowRefusal(rule, file);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function pkt(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from((b.length + 4).toString(16).padStart(4, '0'), 'latin1'), b]);
}
const FLUSH = Buffer.from('0000', 'latin1');

/** receive-pack's report for a push refused as a whole: `ng <ref> <reason>` for each ref, side-band framed when asked. */
export function refusedPushReport(commands: PushCommand[], caps: string[], reason: string): Buffer {
  const report = Buffer.concat([pkt('unpack ok\n'), ...commands.map((c) => pkt(`ng ${c.ref} ${reason}\n`)), FLUSH]);
  const band = caps.includes('side-band-64k') ? 65515 : caps.includes('side-band') ? 995 : 0;
  if (band === 0) return report;
  const frames: Buffer[] = [];
  for (let i = 0; i < report.length; i += band) frames.push(pkt(Buffer.concat([Buffer.from([1]), report.subarray(i, i + band)])));
  return Buffer.concat([...frames, FLUSH]);
}
