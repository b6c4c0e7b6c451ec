// The Gemini API dialect (Gemini CLI): `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` for the
// turns (server-sent events without names, one `data:` object per chunk) and `…:generateContent` (one JSON
// object) for Gemini CLI's own side calls, which ask for JSON that matches a schema (the model router's
// `{complexity_reasoning, complexity_score}`, the next-speaker check's `{reasoning, next_speaker}`).
// Tool names and argument names are Gemini CLI's: read_file, write_file, replace and run_shell_command,
// with the argument names their declarations in the request give.
// Shapes: https://ai.google.dev/api/generate-content (GenerateContentResponse: candidates[].content.parts,
// finishReason, usageMetadata), as Gemini CLI 0.61 reads them.

import type { ServerResponse } from 'node:http';
import { isAbsolute, join } from 'node:path';
import type { ChosenTurn, ConversationFacts, ModelAction, ModelTurn } from './script.js';
import { type ModelDialect, type ModelRequest, sse } from './server.js';

interface Part {
  text?: string;
  thought?: boolean;
  functionCall?: unknown;
  functionResponse?: unknown;
}
interface Content {
  role?: string;
  parts?: Part[];
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
}
interface Declaration {
  name: string;
  parameters?: Schema;
  parametersJsonSchema?: Schema;
}
interface Body {
  contents?: Content[];
  systemInstruction?: Content | string;
  tools?: { functionDeclarations?: Declaration[] }[];
  generationConfig?: { responseJsonSchema?: Schema; responseSchema?: Schema; responseMimeType?: string };
}

const ROUTE = /^\/v1(?:beta|alpha)?\/models\/([^/:?]+):(streamGenerateContent|generateContent)(?:\?|$)/;

const textOf = (c: Content | string | undefined): string =>
  typeof c === 'string' ? c : (c?.parts ?? []).map((p) => (typeof p.text === 'string' && !p.thought ? p.text : '')).join('\n');

/** Gemini CLI opens every conversation with its own context (date, OS, workspace), a first user part. */
const isSessionContext = (p: Part): boolean => (p.text ?? '').trimStart().startsWith('<session_context>');

/** The first user text that is not Gemini CLI's session context: the CLI's prompt. */
const promptOf = (contents: Content[]): string =>
  contents
    .filter((c) => c.role === 'user')
    .flatMap((c) => c.parts ?? [])
    .find((p) => typeof p.text === 'string' && p.text.trim() !== '' && !p.thought && !isSessionContext(p))?.text ?? '';

const declarations = (b: Body): Declaration[] => (b.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);

/** The working directory: the first of the "Workspace Directories" Gemini CLI lists in its session context. */
export function geminiWorkingDirectory(text: string): string | undefined {
  return /Workspace Directories:\**\s*\n\s*-\s*(\/[^\s`]+)/.exec(text)?.[1];
}

/** The action's tool and the names of its arguments, as the declaration the request offers spells them. */
function toolCall(a: ModelAction, decls: Declaration[], cwd: string | undefined): { name: string; args: Record<string, unknown> } {
  const path = (p: string) => (cwd && !isAbsolute(p) ? join(cwd, p) : p);
  const [name, values]: [string, Record<string, unknown>] =
    'read' in a
      ? ['read_file', { path: path(a.read) }]
      : 'write' in a
        ? ['write_file', { path: path(a.write), content: a.content }]
        : 'edit' in a
          ? ['replace', { path: path(a.edit), old: a.old, new: a.new }]
          : ['run_shell_command', { command: a.bash }];
  const schema = decls.find((d) => d.name === name);
  const props = schema?.parametersJsonSchema?.properties ?? schema?.parameters?.properties ?? {};
  const required = schema?.parametersJsonSchema?.required ?? schema?.parameters?.required ?? [];
  const names = Object.keys(props);
  const pick = (re: RegExp, fallback: string) => names.find((n) => re.test(n)) ?? fallback;
  const key: Record<string, string> = {
    path: pick(/^(file_?path|absolute_path|path)$/i, 'file_path'),
    content: pick(/^content$/, 'content'),
    old: pick(/^old_(string|str|text)$/, 'old_string'),
    new: pick(/^new_(string|str|text)$/, 'new_string'),
    command: pick(/^command$/, 'command'),
  };
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) args[key[k]!] = v;
  // Required arguments the script has no value for (a description, an instruction): a short text.
  for (const r of required)
    if (!(r in args) && (props[r]?.type ?? 'string').toLowerCase() === 'string') args[r] = 'As the scripted turn asks.';
  return { name, args };
}

/** A value of `schema`: the first of an enum, a short text, the smallest number, false, [] (Gemini CLI's JSON side calls). */
function sample(schema: Schema | undefined): unknown {
  if (schema?.enum?.length) return schema.enum[0];
  switch ((schema?.type ?? 'string').toLowerCase()) {
    case 'object':
      return Object.fromEntries(Object.entries(schema?.properties ?? {}).map(([k, s]) => [k, sample(s)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return 'Scripted.';
  }
}

let nextId = 1;

export const geminiDialect: ModelDialect = {
  name: 'gemini',
  handles: (req) => req.method === 'POST' && ROUTE.test(req.path),
  facts(req): ConversationFacts {
    const b = (req.body ?? {}) as Body;
    const contents = b.contents ?? [];
    const names = declarations(b).map((d) => d.name);
    return {
      prompt: promptOf(contents),
      modelTurns: contents.filter((c) => c.role === 'model').length,
      tools: names.length > 0,
      toolNames: names,
    };
  },
  answer(res: ServerResponse, turn: ModelTurn, req: ModelRequest, chosen: ChosenTurn) {
    const b = (req.body ?? {}) as Body;
    const stream = ROUTE.exec(req.path)?.[2] === 'streamGenerateContent';
    const model = ROUTE.exec(req.path)?.[1] ?? 'gemini-scripted';
    const schema = b.generationConfig?.responseJsonSchema ?? b.generationConfig?.responseSchema;
    const all = [textOf(b.systemInstruction), ...(b.contents ?? []).map(textOf)].join('\n');
    const cwd = geminiWorkingDirectory(all);
    const parts: Part[] = [];
    if (chosen.side && schema) parts.push({ text: JSON.stringify(sample(schema)) });
    else if (turn.text !== undefined) parts.push({ text: turn.text });
    for (const a of chosen.side ? [] : (turn.actions ?? [])) {
      const call = toolCall(a, declarations(b), cwd);
      parts.push({ functionCall: { id: `call_${nextId++}`, ...call } });
    }
    if (parts.length === 0) parts.push({ text: '' });
    const out = 20 + Math.round(JSON.stringify(parts).length / 4);
    // Side calls report no tokens: Gemini CLI adds every response's usage to the session's stats.
    const prompt = chosen.side ? 0 : 1000 + 100 * chosen.index;
    const data = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: prompt,
        candidatesTokenCount: chosen.side ? 0 : out,
        totalTokenCount: chosen.side ? 0 : prompt + out,
      },
      modelVersion: model,
      responseId: `resp_scripted_${nextId++}`,
    };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
      return;
    }
    sse(res, [{ data }]);
  },
  malformed(res) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"candidates":[{"content":{"role":"model","parts":[{"text":\n\n');
  },
};
