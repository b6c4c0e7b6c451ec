// The OpenAI Responses API dialect (Codex CLI): `POST /v1/responses`, always streamed as SSE.
// Codex offers `exec_command` (a function tool, arguments as a JSON string) for commands and reads, and
// `apply_patch` (a custom tool whose input is a patch in its own grammar) for writes and edits.
// Event shapes: https://platform.openai.com/docs/api-reference/responses-streaming (response.created,
// response.output_item.added / .done, response.output_text.delta, response.completed), as Codex 0.169 reads them.

import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { isAbsolute, join, relative } from 'node:path';
import type { ChosenTurn, ConversationFacts, ModelAction, ModelTurn } from './script.js';
import { type ModelDialect, type ModelRequest, sse } from './server.js';

interface Part {
  type?: string;
  text?: string;
}
interface Item {
  type?: string;
  role?: string;
  content?: string | Part[];
  name?: string;
  arguments?: string;
  input?: string;
  call_id?: string;
  output?: unknown;
}
interface Body {
  model?: string;
  instructions?: string;
  input?: Item[];
  tools?: { type?: string; name?: string }[];
  stream?: boolean;
}

const textOf = (c: string | Part[] | undefined): string =>
  typeof c === 'string' ? c : (c ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('\n');

/** A tool output's text (a string, or content parts). */
const outputText = (o: unknown): string => (typeof o === 'string' ? o : Array.isArray(o) ? textOf(o as Part[]) : JSON.stringify(o ?? ''));

/** Items the model produced in an earlier turn (its messages, tool calls and reasoning). */
const MODEL_ITEMS = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'reasoning', 'web_search_call']);
const isModelItem = (i: Item) => (i.type !== undefined && MODEL_ITEMS.has(i.type)) || i.role === 'assistant';

/** Model turns in the input: runs of consecutive model items (a turn's text and tool calls sit together). */
function modelTurns(input: Item[]): number {
  let turns = 0;
  let inTurn = false;
  for (const item of input) {
    const model = isModelItem(item);
    if (model && !inTurn) turns++;
    inTurn = model;
  }
  return turns;
}

/**
 * The prompt: the first user message that is not context Codex adds itself (its `<environment_context>`,
 * AGENTS.md instructions and the like, each a text wrapped in one tag).
 */
function promptOf(input: Item[]): string {
  for (const item of input) {
    if (item.role !== 'user' || (item.type !== undefined && item.type !== 'message')) continue;
    const parts = typeof item.content === 'string' ? [item.content] : (item.content ?? []).map((p) => p.text ?? '');
    const text = parts.find((t) => !/^\s*(<[\w-]+>[\s\S]*<\/[\w-]+>|# AGENTS\.md instructions[\s\S]*)\s*$/.test(t));
    if (text !== undefined) return text;
  }
  return '';
}

/** The working directory Codex told the model, in its environment context. */
function codexWorkingDirectory(input: Item[]): string | undefined {
  for (const item of input) {
    const cwd = /<cwd>([^<]+)<\/cwd>/.exec(textOf(item.content))?.[1];
    if (cwd) return cwd.trim();
  }
  return undefined;
}

/** A shell word, quoted. */
const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const lines = (text: string) => text.replace(/\n$/, '').split('\n');

/** The lines of `text` that hold `old`, or undefined. */
function linesHolding(text: string, old: string): string | undefined {
  const at = text.indexOf(old);
  if (at < 0) return undefined;
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const newline = text.indexOf('\n', at + old.length);
  return text.slice(start, newline < 0 ? text.length : newline);
}

/**
 * The patch for an edit: Codex's patches replace whole lines, so the lines holding `old` come from the
 * file (when this server may read it: the agent may run as another OS user), else from the tool output
 * the model has seen (it read the file first), else `old` and `new` are taken as whole lines.
 */
function editPatch(path: string, abs: string, old: string, replacement: string, seen: string[]): string {
  let file: string | undefined;
  try {
    file = readFileSync(abs, 'utf8');
  } catch {
    // Not readable from here.
  }
  const before =
    (file === undefined ? undefined : linesHolding(file, old)) ??
    seen.map((text) => linesHolding(text, old)).find((l) => l !== undefined) ??
    old;
  const at = before.indexOf(old);
  const after = before.slice(0, at) + replacement + before.slice(at + old.length);
  const body = [...lines(before).map((l) => `-${l}`), ...lines(after).map((l) => `+${l}`)];
  return ['*** Begin Patch', `*** Update File: ${path}`, '@@', ...body, '*** End Patch', ''].join('\n');
}

type Call = { type: 'function_call'; name: string; arguments: string } | { type: 'custom_tool_call'; name: string; input: string };

/** `known`: the working directory codex named (commands run there); `seen`: the tool outputs in the request. */
function toolCall(a: ModelAction, known: string | undefined, names: string[], seen: string[]): Call {
  const cwd = known ?? '/';
  const workdir = known ? { workdir: known } : {};
  const abs = (p: string) => (isAbsolute(p) ? p : join(cwd, p));
  // Codex's paths are relative to its working directory; a path outside it stays absolute.
  const rel = (p: string) => {
    const r = relative(cwd, abs(p));
    return r.startsWith('..') || isAbsolute(r) ? abs(p) : r;
  };
  const shellTool = names.includes('exec_command') ? 'exec_command' : 'shell';
  const command = (cmd: string): Call =>
    shellTool === 'exec_command'
      ? { type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd, ...workdir }) }
      : { type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', cmd], ...workdir }) };
  if ('read' in a) return command(`cat ${quote(rel(a.read))}`);
  if ('bash' in a) return command(a.bash);
  if ('write' in a) {
    const body = lines(a.content).map((l) => `+${l}`);
    const patch = ['*** Begin Patch', `*** Add File: ${rel(a.write)}`, ...body, '*** End Patch', ''].join('\n');
    return { type: 'custom_tool_call', name: 'apply_patch', input: patch };
  }
  return { type: 'custom_tool_call', name: 'apply_patch', input: editPatch(rel(a.edit), abs(a.edit), a.old, a.new, seen) };
}

let nextId = 1;

export const openaiResponsesDialect: ModelDialect = {
  name: 'openai-responses',
  handles: (req) => req.method === 'POST' && /^\/(v1\/)?responses(\?|$)/.test(req.path),
  facts(req): ConversationFacts {
    const b = (req.body ?? {}) as Body;
    const input = b.input ?? [];
    const names = (b.tools ?? []).map((t) => t.name ?? t.type ?? '');
    return { prompt: promptOf(input), modelTurns: modelTurns(input), tools: names.length > 0, toolNames: names };
  },
  answer(res: ServerResponse, turn: ModelTurn, req: ModelRequest, chosen: ChosenTurn) {
    const b = (req.body ?? {}) as Body;
    const names = (b.tools ?? []).map((t) => t.name ?? '');
    const cwd = codexWorkingDirectory(b.input ?? []);
    const seen = (b.input ?? []).filter((i) => i.type?.endsWith('_output')).map((i) => outputText(i.output));
    const responseId = `resp_scripted_${nextId++}`;
    const items: Record<string, unknown>[] = [];
    if (turn.text !== undefined || chosen.side || !turn.actions?.length)
      items.push({
        type: 'message',
        id: `msg_${nextId++}`,
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: turn.text ?? '', annotations: [] }],
      });
    for (const a of chosen.side ? [] : (turn.actions ?? []))
      items.push({ id: `fc_${nextId++}`, call_id: `call_${nextId++}`, status: 'completed', ...toolCall(a, cwd, names, seen) });
    const usage = {
      input_tokens: 1000 + 100 * chosen.index,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 20 + Math.round(JSON.stringify(items).length / 4),
      output_tokens_details: { reasoning_tokens: 0 },
    };
    const model = b.model ?? 'gpt-scripted';
    const response = (status: string, output: unknown[], extra: Record<string, unknown> = {}) => ({
      id: responseId,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      model,
      output,
      ...extra,
    });
    const events: { event: string; data: unknown }[] = [
      { event: 'response.created', data: { type: 'response.created', response: response('in_progress', []) } },
    ];
    items.forEach((item, output_index) => {
      const added =
        item.type === 'message'
          ? { ...item, status: 'in_progress', content: [] }
          : item.type === 'function_call'
            ? { ...item, status: 'in_progress', arguments: '' }
            : { ...item, status: 'in_progress', input: '' };
      events.push({ event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index, item: added } });
      if (item.type === 'message') {
        const text = (item.content as { text: string }[])[0]!.text;
        events.push({
          event: 'response.output_text.delta',
          data: { type: 'response.output_text.delta', item_id: item.id, output_index, content_index: 0, delta: text },
        });
      }
      events.push({ event: 'response.output_item.done', data: { type: 'response.output_item.done', output_index, item } });
    });
    const total = usage.input_tokens + usage.output_tokens;
    events.push({
      event: 'response.completed',
      data: { type: 'response.completed', response: response('completed', items, { usage: { ...usage, total_tokens: total } }) },
    });
    sse(res, events);
  },
  malformed(res) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('event: response.created\ndata: {"type":"response.created","response":\n\n');
  },
};
