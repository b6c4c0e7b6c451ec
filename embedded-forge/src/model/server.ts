// A scripted model server: answers a coding-agent CLI's model API with the turns of a ModelScript, so the
// real CLI (Claude Code, Codex, Gemini CLI, opencode) reads, edits, runs commands and answers, offline.
// Every request is recorded. Dialects (one per model API) are plugged in; the server picks the one whose
// route the request hits. The script can be replaced between runs (the file is read on each request).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChosenTurn, type ConversationFacts, chooseTurn, type ModelScript, type ModelTurn } from './script.js';

export interface ModelRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ModelDialect {
  name: string;
  /** Whether the request is one of this dialect's model calls. */
  handles(req: ModelRequest): boolean;
  facts(req: ModelRequest): ConversationFacts;
  /** Writes the turn as the dialect's answer (a stream when the request asked for one). */
  answer(res: ServerResponse, turn: ModelTurn, req: ModelRequest, chosen: ChosenTurn): void;
  /** Writes an answer the CLI cannot parse. */
  malformed(res: ServerResponse, req: ModelRequest): void;
  /** Other requests the CLI makes (probes, routing side calls): answered here, or false. */
  other?(res: ServerResponse, req: ModelRequest): boolean;
}

export interface RecordedModelCall {
  dialect: string;
  method: string;
  path: string;
  /** -1: a side call or another request; otherwise the conversation's index in the script. */
  conversation: number;
  turn: number;
  status: number;
  body: unknown;
}

export interface ModelServerOptions {
  dialects: ModelDialect[];
  /** The script, or a JSON file holding it (read on every request, so a test may change it between runs). */
  script: ModelScript | string;
}

export class ModelServer {
  readonly calls: RecordedModelCall[] = [];
  private server: Server | undefined;
  private readonly stalled = new Set<ServerResponse>();
  /** How many times each turn (conversation:index) has failed, for failures limited by `times`. */
  private readonly failedTimes = new Map<string, number>();
  url = '';

  constructor(private readonly opts: ModelServerOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  script(): ModelScript {
    const s = this.opts.script;
    return typeof s === 'string' ? (JSON.parse(readFileSync(s, 'utf8')) as ModelScript) : s;
  }

  private async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // kept as text
    }
    const req: ModelRequest = { method: raw.method ?? 'GET', path: raw.url ?? '/', headers: raw.headers, body };
    const record = (dialect: string, chosen: Partial<ChosenTurn>, status: number) =>
      this.calls.push({
        dialect,
        method: req.method,
        path: req.path,
        conversation: chosen.conversation ?? -1,
        turn: chosen.index ?? -1,
        status,
        body,
      });
    const dialect = this.opts.dialects.find((d) => d.handles(req));
    if (!dialect) {
      const other = this.opts.dialects.find((d) => d.other?.(res, req));
      record(other?.name ?? 'none', {}, other ? res.statusCode : 404);
      if (!other) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no scripted route for ${req.method} ${req.path}` } }));
      }
      return;
    }
    const chosen = chooseTurn(this.script(), dialect.facts(req));
    const failure = chosen.turn.fail;
    const key = `${chosen.conversation}:${chosen.index}`;
    const failed = this.failedTimes.get(key) ?? 0;
    const fail = typeof failure === 'object' && failure.times !== undefined && failed >= failure.times ? undefined : failure;
    if (fail) this.failedTimes.set(key, failed + 1);
    if (fail === 'stall') {
      // Headers sent, then nothing: the CLI waits until its own timeout (or agentloop's) ends it.
      record(dialect.name, chosen, 200);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      this.stalled.add(res);
      res.on('close', () => this.stalled.delete(res));
      return;
    }
    if (fail === 'malformed') {
      record(dialect.name, chosen, 200);
      dialect.malformed(res, req);
      return;
    }
    if (fail) {
      record(dialect.name, chosen, fail.status);
      res.writeHead(fail.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: fail.message ?? `scripted ${fail.status}` } }));
      return;
    }
    record(dialect.name, chosen, 200);
    dialect.answer(res, chosen.turn, req, chosen);
  }
}

/** Server-sent events: `event:` lines when named, one `data:` JSON line each. */
export function sse(res: ServerResponse, events: { event?: string; data: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}
