// Git smart HTTP for the embedded forge: token auth in front of `git http-backend` run as a CGI.
// Real git clients (and actions/checkout's extraheader) talk to it exactly as they talk to GitHub.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { hermeticGitEnv, listRefs, withRepoLock, ZERO_SHA } from './git-ops.js';
import { readBody } from './http-util.js';
import { parsePushRequest, refusedPushReport } from './push-rules.js';

export interface RefUpdate {
  ref: string;
  /** ZERO_SHA when the ref was created. */
  before: string;
  /** ZERO_SHA when the ref was deleted. */
  after: string;
}

/** Whether a request may go on; a push may also be checked before git applies it (the `workflows` rule). */
export type GitAuthorization =
  | {
      ok: true;
      /** Inspects the whole receive-pack request; a string refuses the push with that reason. */
      checkPush?: (gitDir: string, body: Buffer) => Promise<string | undefined>;
    }
  | { ok: false; status: 401 | 403 | 404; message: string };

export interface GitHttpOptions {
  /** Directory containing <owner>/<name>.git. */
  projectRoot: string;
  /** token is undefined for anonymous requests; repoPath is 'owner/name'. */
  authorize(token: string | undefined, repoPath: string, write: boolean): GitAuthorization;
  /** Called after a receive-pack that changed refs (and after the response has been sent). */
  onPush?(repoPath: string, updates: RefUpdate[], token: string | undefined): void;
}

type Service = 'git-upload-pack' | 'git-receive-pack';

export interface GitPath {
  owner: string;
  name: string;
  /** 'info/refs' | 'git-upload-pack' | 'git-receive-pack' */
  endpoint: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** `/<owner>/<name>(.git)/<endpoint>` → parts; null for anything else (including `..` tricks). */
export function parseGitPath(pathname: string): GitPath | null {
  const m = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(pathname);
  if (!m) return null;
  const [, owner = '', name = '', endpoint = ''] = m;
  for (const s of [owner, name]) if (!SEGMENT.test(s) || s.startsWith('.')) return null;
  return { owner, name, endpoint };
}

/** The token from Basic (`x-access-token:<token>` or `<token>:x-oauth-basic`), Bearer or `token` auth. */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const scheme = /^(basic|bearer|token)\s+(\S+)\s*$/i.exec(header);
  if (!scheme) return undefined;
  const [, kind = '', value = ''] = scheme;
  if (kind.toLowerCase() !== 'basic') return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = i < 0 ? decoded : decoded.slice(0, i);
  const pass = i < 0 ? '' : decoded.slice(i + 1);
  // GitHub takes the password as the token, or the user name when the password is a placeholder.
  const token = pass !== '' && pass !== 'x-oauth-basic' ? pass : user;
  return token === '' ? undefined : token;
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

export async function handleGitHttp(req: IncomingMessage, res: ServerResponse, opts: GitHttpOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://embedded-forge.invalid');
  const gp = parseGitPath(url.pathname);
  if (!gp) return sendText(res, 404, 'Not Found');

  let service: Service;
  if (gp.endpoint === 'info/refs') {
    const s = url.searchParams.get('service');
    // Only the smart protocol: the dumb one would bypass receive-pack's checks.
    if (s !== 'git-upload-pack' && s !== 'git-receive-pack') return sendText(res, 403, 'Smart HTTP only');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method Not Allowed');
    service = s;
  } else {
    if (req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
    service = gp.endpoint as Service;
  }
  const write = service === 'git-receive-pack';
  const repoPath = `${gp.owner}/${gp.name}`;

  const token = tokenFromAuthorization(req.headers.authorization);
  const auth = opts.authorize(token, repoPath, write);
  if (!auth.ok) {
    // A valid token without the access gets 403 or 404 (git reports it); no or a bad token 401, so git sends credentials.
    if (auth.status !== 401) return sendText(res, auth.status, auth.message);
    return sendText(res, 401, auth.message, { 'WWW-Authenticate': 'Basic realm="embedded-forge"' });
  }

  const projectRoot = path.resolve(opts.projectRoot);
  const gitDir = path.join(projectRoot, gp.owner, `${gp.name}.git`);
  const isDir = await stat(gitDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return sendText(res, 404, 'Repository not found.');

  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${gp.owner}/${gp.name}.git/${gp.endpoint}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  const h = req.headers;
  if (h['content-type']) env.CONTENT_TYPE = h['content-type'];
  // Chunked requests have no length; http-backend then reads stdin to EOF.
  if (h['content-length'] && !h['transfer-encoding']) env.CONTENT_LENGTH = h['content-length'];
  // http-backend inflates gzip bodies itself when told the encoding.
  if (typeof h['content-encoding'] === 'string') env.HTTP_CONTENT_ENCODING = h['content-encoding'];
  // Protocol v2 negotiation travels in the Git-Protocol header.
  if (typeof h['git-protocol'] === 'string') env.HTTP_GIT_PROTOCOL = h['git-protocol'];
  if (token !== undefined) env.REMOTE_USER = 'x-access-token';

  if (!(write && gp.endpoint === 'git-receive-pack')) {
    await runBackend(req, res, env);
    return;
  }
  // A push the token may not make (the `workflows` rule) is refused before receive-pack sees it, with
  // receive-pack's own report (`ng <ref> <reason>`), so git prints GitHub's reason and nothing changes.
  let body: Buffer | undefined;
  if (auth.checkPush) {
    body = await readBody(req);
    const reason = await auth.checkPush(gitDir, body);
    if (reason !== undefined) {
      const { commands, caps } = parsePushRequest(body);
      res.writeHead(200, { 'Content-Type': 'application/x-git-receive-pack-result', 'Cache-Control': 'no-cache' });
      res.end(refusedPushReport(commands, caps, reason));
      return;
    }
  }
  // Pushes hold the repository lock so the before/after ref diff is exactly this push's updates
  // (and so API merges cannot interleave with it).
  // The response is ended only after onPush, so a client whose push returned can rely on the
  // forge having seen it (as tests and the workflow runner do).
  const updates = await withRepoLock(gitDir, async () => {
    const before = await listRefs(gitDir);
    await runBackend(req, res, env, { deferEnd: true, ...(body ? { body } : {}) });
    return diffRefs(before, await listRefs(gitDir));
  });
  try {
    if (updates.length > 0) opts.onPush?.(repoPath, updates, token);
  } finally {
    if (!res.writableEnded) res.end();
  }
}

function diffRefs(before: Map<string, string>, after: Map<string, string>): RefUpdate[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const updates: RefUpdate[] = [];
  for (const ref of names) {
    const b = before.get(ref) ?? ZERO_SHA;
    const a = after.get(ref) ?? ZERO_SHA;
    if (a !== b) updates.push({ ref, before: b, after: a });
  }
  return updates;
}

/** Runs `git http-backend` for one request: body → stdin, CGI headers → HTTP headers, rest → body. */
function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  cgiEnv: Record<string, string>,
  opts: { deferEnd?: boolean; body?: Buffer } = {},
): Promise<void> {
  return new Promise<void>((resolve) => {
    // -c enables receive-pack even for repositories not created by initBareRepo.
    const child = spawn('git', ['-c', 'http.receivepack=true', 'http-backend'], {
      env: hermeticGitEnv(cgiEnv),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });

    // The client went away: stop the backend rather than let it wait on a dead socket.
    const onGone = (): void => {
      if (!res.writableFinished) child.kill();
    };
    res.on('close', onGone);
    child.stdin.on('error', () => {}); // EPIPE when the backend answers before reading everything
    if (opts.body) child.stdin.end(opts.body);
    else req.pipe(child.stdin);

    let head: Buffer | null = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (head === null) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = findHeaderEnd(head);
      if (end === null) return;
      const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'));
      const rest = head.subarray(end.at + end.length);
      head = null;
      res.writeHead(status, headers);
      if (rest.length > 0) res.write(rest);
    });

    child.on('error', (err) => {
      if (!res.headersSent) sendText(res, 500, `git http-backend failed to start: ${err.message}`);
      else res.destroy(err);
      resolve();
    });
    child.on('close', (code) => {
      res.off('close', onGone);
      if (!res.headersSent) {
        sendText(res, 502, `git http-backend produced no response (exit ${code}): ${stderr.trim()}`);
      } else if (!res.writableEnded && !opts.deferEnd) {
        res.end();
      }
      resolve();
    });
  });
}

function findHeaderEnd(buf: Buffer): { at: number; length: number } | null {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return null;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
