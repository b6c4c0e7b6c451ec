// Step inputs and outputs of the embedded workflow runner: the file commands (GITHUB_OUTPUT, GITHUB_ENV,
// GITHUB_PATH, GITHUB_STEP_SUMMARY), what a `uses:` runs here, and action manifests.
// Elsewhere: job-log.ts (the log and workflow commands), step-process.ts (processes and shells),
// checkout-plan.ts (actions/checkout).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE: `name=value` lines and `name<<DELIM` … `DELIM` blocks
 * (the runner's own grammar; a block without its closing delimiter is an error there — here the
 * rest of the file is taken).
 */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delim = line.slice(heredoc + 2);
      let end = lines.indexOf(delim, i + 1);
      if (end < 0) end = lines.length;
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/** GITHUB_PATH: one directory per line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

export type UsesKind = 'checkout' | 'agentloop' | 'unsimulated' | 'unresolvable';

/** Forgejo's DEFAULT_ACTIONS_URL: where a short `owner/name` resolves (its action mirror). */
export const FORGEJO_ACTIONS_MIRROR = 'https://code.forgejo.org';

/**
 * What a `uses:` runs here: actions/checkout (emulated with real git), agentloop (`<owner>/agentloop@ref`,
 * `<owner>/agentloop/<path>@ref` or `./` — the repository being agentloop itself), anything else not.
 * GitHub accepts no URL in `uses:`. Forgejo fetches a full URL from there and resolves a short name
 * against its own mirror (docs: "Forgejo Actions" user guide, `uses`), where only `actions/*` is found
 * here: agentloop by its short name is not on the mirror and fails, as it would on a real instance.
 */
export function usesKind(uses: string, flavor: 'github' | 'forgejo' = 'github'): UsesKind {
  const u = uses.trim();
  if (u === './' || u === '.') return 'agentloop';
  const url = /^https?:\/\/([^/]+)\/(.+)$/i.exec(u);
  if (url && flavor === 'github') return 'unresolvable';
  const host = url ? url[1]!.toLowerCase() : new URL(FORGEJO_ACTIONS_MIRROR).host;
  const name = url ? url[2]! : u;
  if (/^actions\/checkout@/i.test(name) && (flavor === 'github' || host === new URL(FORGEJO_ACTIONS_MIRROR).host)) return 'checkout';
  if (/^[^/@\s]+\/agentloop(?:\/[^@]*)?@/i.test(name)) {
    return flavor === 'forgejo' && !url ? 'unresolvable' : 'agentloop';
  }
  return 'unsimulated';
}

/** `INPUT_<NAME>`: upper-cased, spaces → `_` (hyphens kept), as the runner names them. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface ActionManifest {
  /** Declared inputs and their raw defaults (`${{ }}` kept; undefined = no default). */
  inputs: Record<string, { default?: string }>;
  /** Entry point, relative to the action directory. */
  main: string;
}

/** Reads `<dir>/action.yml` (or action.yaml); a missing manifest means no inputs and `dist/index.js`. */
export async function readActionManifest(dir: string): Promise<ActionManifest> {
  let text = '';
  for (const name of ['action.yml', 'action.yaml']) {
    text = await readIfExists(path.join(dir, name));
    if (text !== '') break;
  }
  const manifest: ActionManifest = { inputs: {}, main: 'dist/index.js' };
  if (text === '') return manifest;
  const doc = parseYaml(text) as { inputs?: Record<string, { default?: unknown } | null>; runs?: { main?: unknown } } | null;
  for (const [name, spec] of Object.entries(doc?.inputs ?? {})) {
    const d = spec?.default;
    manifest.inputs[name] = d === undefined || d === null ? {} : { default: String(d) };
  }
  if (typeof doc?.runs?.main === 'string') manifest.main = doc.runs.main;
  return manifest;
}
