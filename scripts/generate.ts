// The files generated from other files, and how. `npm run generate` (scripts/generate.mjs) writes them;
// test/generated.test.ts regenerates them in memory and fails when a committed copy is stale.
//
//   schema/agentloop.schema.json  JSON Schema for `.github/agentloop.yml`, from the zod schema in
//                                 src/core/config.ts (z.toJSONSchema) plus action.yml's descriptions
//   README.md (## Inputs table)   from action.yml's inputs, between the INPUTS_START/INPUTS_END markers
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ConfigKey, DEFAULTS, FIELDS } from '../src/core/config.js';

export const SCHEMA_FILE = 'schema/agentloop.schema.json';
export const README_FILE = 'README.md';
export const INPUTS_START = '<!-- inputs:start (generated from action.yml by `npm run generate`: edit the descriptions there) -->';
export const INPUTS_END = '<!-- inputs:end -->';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
}

/** action.yml's inputs, in file order. */
export function actionInputs(actionYml: string): [string, ActionInput][] {
  const action = parseYaml(actionYml) as { inputs?: Record<string, ActionInput> };
  return Object.entries(action.inputs ?? {});
}

/**
 * An input's default, as the README shows it, and its description without the default. action.yml
 * declares no `default:` except for `token` (so that the repository file can set the others); every
 * other input states its default in its description, as a sentence `Default: <value>.`
 */
export function splitDefault(input: ActionInput): { default: string; description: string } {
  const description = input.description.replace(/\s+/g, ' ').trim();
  if (input.default !== undefined) return { default: `\`${input.default}\``, description };
  const m = /(?:^|\s)Default: (.+?)\.(?=\s|$)/.exec(description);
  if (!m) return { default: '—', description };
  return { default: m[1]!, description: `${description.slice(0, m.index)}${description.slice(m.index + m[0].length)}`.trim() };
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The README's inputs table (header and one row per input, no markers). */
export function inputsTable(actionYml: string): string {
  const rows = actionInputs(actionYml).map(([name, input]) => {
    const { default: def, description } = splitDefault(input);
    return `| \`${name}\` | ${cell(def)} | ${cell(description)} |`;
  });
  return ['| input | default | description |', '|---|---|---|', ...rows].join('\n');
}

/** `readme` with the text between the inputs markers replaced by `table`. */
export function spliceInputs(readme: string, table: string): string {
  const start = readme.indexOf(INPUTS_START);
  const end = readme.indexOf(INPUTS_END);
  if (start < 0 || end < start) throw new Error(`${README_FILE}: the inputs markers are missing (${INPUTS_START} … ${INPUTS_END})`);
  return `${readme.slice(0, start + INPUTS_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Descriptions of the keys action.yml does not document (the file-only ones), before what they allow. */
const FILE_ONLY_DESCRIPTIONS: Partial<Record<ConfigKey, { text: string; see: string }>> = {
  labels: { text: 'Rename single state labels.', see: 'docs/configuration.md' },
  routes: {
    text: "Send issues to another agent, model or prompt appendix by label; the first route naming any of the issue's labels wins.",
    see: 'docs/configuration.md#routing',
  },
};

/**
 * The JSON Schema of `.github/agentloop.yml`: every key the file accepts (not the input-only ones), as
 * zod accepts it (the input side: `max-open-prs: 2` and `max-open-prs: "2"` alike), with descriptions
 * and defaults for editors. An empty value (`model:`) means "not set" to agentloop, so null is allowed.
 */
export function configJsonSchema(actionYml: string): Record<string, unknown> {
  const inputs = new Map(actionInputs(actionYml));
  const metadata = z.registry<{ description?: string; title?: string }>();
  const shape: Record<string, z.ZodType> = {};
  const defaults: Record<string, unknown> = {};
  for (const key of Object.keys(FIELDS) as ConfigKey[]) {
    const field = FIELDS[key];
    if (field.from === 'input') continue;
    const input = inputs.get(key);
    const fileOnly = FILE_ONLY_DESCRIPTIONS[key];
    let description: string;
    if (input) description = input.description.replace(/\s+/g, ' ').trim();
    else if (fileOnly) description = `Repository file only. ${fileOnly.text} Allowed: ${field.allowed}. See ${fileOnly.see}.`;
    else throw new Error(`${key}: not an action input, so it needs a description in FILE_ONLY_DESCRIPTIONS (scripts/generate.ts)`);
    const schema = (field.schema as z.ZodType).nullable().optional();
    metadata.add(schema, { description });
    shape[key] = schema;
    if (key in DEFAULTS) defaults[key] = DEFAULTS[key];
  }
  const file = z.strictObject(shape);
  metadata.add(file, {
    title: 'agentloop repository configuration (.github/agentloop.yml)',
    description:
      'Settings read from the default branch; action inputs set in the workflow win over them. token, lane and config-file can only be action inputs. See docs/configuration.md.',
  });
  const json = z.toJSONSchema(file, { io: 'input', target: 'draft-7', metadata }) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
  };
  // zod drops `default` on schemas that transform (it describes the output); agentloop's own defaults
  // are what an editor should show.
  for (const [key, value] of Object.entries(defaults)) json.properties[key]!.default = value;
  return json;
}

/** Every generated file, as it should be, from the sources under `root`. */
export function generate(root: string): GeneratedFile[] {
  const actionYml = readFileSync(join(root, 'action.yml'), 'utf8');
  const readme = readFileSync(join(root, README_FILE), 'utf8');
  return [
    { path: SCHEMA_FILE, content: `${JSON.stringify(configJsonSchema(actionYml), null, 2)}\n` },
    { path: README_FILE, content: spliceInputs(readme, inputsTable(actionYml)) },
  ];
}
