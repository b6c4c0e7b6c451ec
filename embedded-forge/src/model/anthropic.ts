// The Anthropic Messages API dialect (Claude Code, opencode): `POST /v1/messages` (streaming SSE or
// JSON). Tool names and arguments follow the CLI whose tools the request offers: Claude Code's
// Read/Write/Edit/Bash with `file_path`, opencode's read/write/edit/bash with `filePath`.
// Event shapes: https://docs.anthropic.com/en/api/messages-streaming (message_start, content_block_*,
// message_delta, message_stop), as Claude Code 2.1 and opencode 1.18 read them.

import type { ServerResponse } from 'node:http';
import { isAbsolute, join } from 'node:path';
import type { ChosenTurn, ConversationFacts, ModelAction, ModelTurn } from './script.js';
import { type ModelDialect, type ModelRequest, sse } from './server.js';

interface Block {
  type: string;
  text?: string;
}
interface Message {
  role: string;
  content: string | Block[];
}
interface Body {
  model?: string;
  system?: string | Block[];
  messages?: Message[];
  tools?: { name: string }[];
  stream?: boolean;
}

const textOf = (c: string | Block[] | undefined): string =>
  typeof c === 'string' ? c : (c ?? []).map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n');

/** The working directory the CLI told the model (its system prompt or first message). */
export function workingDirectory(text: string): string | undefined {
  return /(?:Primary working directory|Working directory|working directory is)[:\s]+`?(\/[^\s`<]+)/.exec(text)?.[1];
}

type Style = 'claude' | 'opencode';

function toolCall(a: ModelAction, style: Style, cwd: string): { name: string; input: Record<string, unknown> } {
  const abs = (p: string) => (isAbsolute(p) ? p : join(cwd, p));
  const key = style === 'claude' ? 'file_path' : 'filePath';
  const name = (n: string) => (style === 'claude' ? n : n.toLowerCase());
  if ('read' in a) return { name: name('Read'), input: { [key]: abs(a.read) } };
  if ('write' in a) return { name: name('Write'), input: { [key]: abs(a.write), content: a.content } };
  if ('edit' in a)
    return {
      name: name('Edit'),
      input:
        style === 'claude'
          ? { file_path: abs(a.edit), old_string: a.old, new_string: a.new }
          : { filePath: abs(a.edit), oldString: a.old, newString: a.new },
    };
  return { name: name('Bash'), input: { command: a.bash, description: 'Run a command' } };
}

let nextId = 1;

export const anthropicDialect: ModelDialect = {
  name: 'anthropic',
  handles: (req) => req.method === 'POST' && /^\/v1\/messages(\?|$)/.test(req.path),
  facts(req): ConversationFacts {
    const b = (req.body ?? {}) as Body;
    const messages = b.messages ?? [];
    return {
      prompt: textOf(messages.find((m) => m.role === 'user')?.content),
      modelTurns: messages.filter((m) => m.role === 'assistant').length,
      tools: (b.tools?.length ?? 0) > 0,
      toolNames: (b.tools ?? []).map((t) => t.name),
    };
  },
  answer(res: ServerResponse, turn: ModelTurn, req: ModelRequest, chosen: ChosenTurn) {
    const b = (req.body ?? {}) as Body;
    const names = (b.tools ?? []).map((t) => t.name);
    // opencode's tools are lower-case; a plan run offers it only read, glob, grep and the like (no write or
    // bash), and a tool the model names there must still be opencode's (`read` with `filePath`).
    const style: Style = ['read', 'write', 'edit', 'bash', 'glob', 'grep'].some((n) => names.includes(n)) ? 'opencode' : 'claude';
    const all = `${textOf(b.system)}\n${(b.messages ?? []).map((m) => textOf(m.content)).join('\n')}`;
    const cwd = workingDirectory(all) ?? '/';
    const blocks: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> })[] = [];
    if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text });
    for (const a of chosen.side ? [] : (turn.actions ?? []))
      blocks.push({ type: 'tool_use', id: `toolu_${nextId++}`, ...toolCall(a, style, cwd) });
    if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
    const stop = blocks.some((x) => x.type === 'tool_use') ? 'tool_use' : 'end_turn';
    const usage = { input_tokens: 1000 + 100 * chosen.index, output_tokens: 20 + Math.round(JSON.stringify(blocks).length / 4) };
    const id = `msg_scripted_${nextId++}`;
    const model = b.model ?? 'claude-scripted';
    if (!b.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stop, stop_sequence: null, usage }),
      );
      return;
    }
    const events: { event: string; data: unknown }[] = [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: usage.input_tokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          },
        },
      },
    ];
    blocks.forEach((block, index) => {
      const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } });
      const delta =
        block.type === 'text'
          ? { type: 'text_delta', text: block.text }
          : { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
      events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    });
    events.push({
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
    });
    events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    sse(res, events);
  },
  malformed(res) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('event: message_start\ndata: {"type":"message_start","message":\n\n');
  },
  other(res, req) {
    // Claude Code probes the base URL (`HEAD /`) before its first call; any answer will do.
    if (req.method !== 'HEAD' && !(req.method === 'GET' && req.path === '/')) return false;
    res.writeHead(200);
    res.end();
    return true;
  },
};
