// GitHub's OpenAPI description (@octokit/openapi), loosely typed (only what the checks need).
// The spec (~13 MB) is read with fs on first use and cached; never import the package index (~385 MB).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { $ref?: string; value?: unknown }>;
}

export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}

export type PathItem = Partial<Record<string, Operation>> & { parameters?: Parameter[] };

export interface Spec {
  paths: Record<string, PathItem>;
  components: Record<string, Record<string, unknown>>;
}

const SPEC_PATH = 'node_modules/@octokit/openapi/generated/api.github.com.json';

/** The spec file of the installed @octokit/openapi (a dev dependency), found above this module. */
export function specFile(from: string = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, SPEC_PATH))) return join(dir, SPEC_PATH);
    if (dirname(dir) === dir) return undefined;
  }
}
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let cachedSpec: Spec | undefined;

export function loadSpec(): Spec {
  if (!cachedSpec) {
    const file = specFile();
    if (!file) throw new Error(`GitHub's OpenAPI description is not installed (${SPEC_PATH}): run npm ci`);
    cachedSpec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  }
  return cachedSpec;
}

/** Follow a local `#/components/...` reference (repeatedly). */
export function deref<T extends { $ref?: string }>(node: T): T {
  let current: T = node;
  for (let hops = 0; current.$ref !== undefined; hops++) {
    if (hops > 32 || !current.$ref.startsWith('#/')) throw new Error(`unresolvable $ref ${current.$ref}`);
    let target: unknown = loadSpec();
    for (const key of current.$ref.slice(2).split('/'))
      target = (target as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === undefined) throw new Error(`dangling $ref ${current.$ref}`);
    current = target as T;
  }
  return current;
}
