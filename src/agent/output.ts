// What the CLI adapters extract from an agent's output, and small helpers to read JSON output that may
// be cut at the front (the runner keeps the tail of stdout) or surrounded by log lines.

/** Token and cost figures a CLI reported; each only when it reported it. */
export interface AgentUsage {
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  turns?: number;
}

export interface AgentOutput {
  /** The agent's answer (the plan, or the PR summary). */
  finalMessage: string;
  /** The CLI said the run failed, even if it exited 0. */
  isError: boolean;
  usage?: AgentUsage;
}

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The last `limit` characters of `text`, trimmed. */
export function tailText(text: string, limit: number): string {
  const trimmed = text.trim();
  return trimmed.length > limit ? trimmed.slice(-limit) : trimmed;
}

/** Every line of `text` that is a JSON object (JSONL event streams); other lines are skipped. */
export function jsonLines(text: string): Json[] {
  const out: Json[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(t);
      if (isObject(parsed)) out.push(parsed);
    } catch {
      // a log line that happens to start with "{", or the cut first line of a kept tail
    }
  }
  return out;
}

/**
 * The last JSON object in `text` that runs to its end: the whole text, or the object starting at the
 * last line that opens with "{" (pretty-printed output after log lines).
 */
export function lastJsonObject(text: string): Json | undefined {
  const trimmed = text.trim();
  const starts: number[] = [];
  for (let i = trimmed.lastIndexOf('\n{'); i >= 0 && starts.length < 20; i = trimmed.lastIndexOf('\n{', i - 1)) {
    starts.push(i + 1);
  }
  // The whole text first, then the last few line starts (each try parses to the end of the text).
  for (const start of [0, ...starts]) {
    if (trimmed[start] !== '{') continue;
    try {
      const parsed: unknown = JSON.parse(trimmed.slice(start));
      if (isObject(parsed)) return parsed;
    } catch {
      // not a complete object from here
    }
  }
  return undefined;
}

/** `usage` without the figures that were not reported, or undefined when none was. */
export function compactUsage(usage: AgentUsage): AgentUsage | undefined {
  const out: AgentUsage = {};
  for (const key of ['costUsd', 'inputTokens', 'outputTokens', 'turns'] as const) {
    const v = usage[key];
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
