// A small Swagger 2.0 validator for Forgejo's API description (../shared/forgejo/swagger.v15.0.3.json,
// basePath /api/v1), as openapi.ts is for GitHub's: a request's route and method must exist, its path and
// query parameters must be declared with valid values (and `limit` ≤ 50, Forgejo's page cap), and its
// JSON body must match the body parameter's schema, `$ref`s resolved into `#/definitions`. It also
// builds sample answers from the definitions, for fake forges.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: boolean | SwaggerSchema;
  required?: string[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'body' | 'header' | 'formData';
  type?: string;
  enum?: unknown[];
  items?: SwaggerSchema;
  required?: boolean;
  schema?: SwaggerSchema;
}
interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, { $ref?: string; schema?: SwaggerSchema }>;
}
interface Swagger {
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, SwaggerSchema>;
  responses: Record<string, { schema?: SwaggerSchema }>;
}

const SPEC_NAME = 'swagger.v15.0.3.json';
/** Forgejo's default `[api] MAX_RESPONSE_ITEMS`. */
export const MAX_LIMIT = 50;

function specPath(): string {
  if (process.env.FORGEJO_SWAGGER) return process.env.FORGEJO_SWAGGER;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'forgejo', SPEC_NAME);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${SPEC_NAME} not found beside the repository (set FORGEJO_SWAGGER)`);
}

let cached: Swagger | undefined;
export function swagger(): Swagger {
  cached ??= JSON.parse(readFileSync(specPath(), 'utf8')) as Swagger;
  return cached;
}

export function deref(schema: SwaggerSchema): SwaggerSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace(/^#\/definitions\//, '');
    const target = swagger().definitions[name];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/** Trailing parameters that Forgejo routes as `/*`: they may hold slashes. */
const SLASHED = ['filepath', 'branch', 'tag'];
function stringParam(item: Record<string, Operation>, name: string): boolean {
  return (
    SLASHED.includes(name) &&
    Object.values(item).some((op) => op.parameters?.some((p) => p.in === 'path' && p.name === name && p.type === 'string'))
  );
}

export interface FoundOperation {
  method: string;
  template: string;
  op: Operation;
  pathParams: Record<string, string>;
}

/** The operation a URL path (with or without /api/v1) names; literal segments win over templates. */
export function findOperation(method: string, urlPath: string): FoundOperation | undefined {
  const spec = swagger();
  const path = urlPath.startsWith(spec.basePath) ? urlPath.slice(spec.basePath.length) : urlPath;
  const parts = path.split('/').slice(1);
  let best: { template: string; params: Record<string, string>; score: number } | undefined;
  for (const template of Object.keys(spec.paths)) {
    const t = template.split('/').slice(1);
    const params: Record<string, string> = {};
    let score = 0;
    let ok = t.length <= parts.length;
    for (let i = 0; ok && i < t.length; i++) {
      const m = /^\{(.+)\}$/.exec(t[i]!);
      const last = i === t.length - 1;
      if (m) {
        // A trailing parameter (a file path, a branch) may hold slashes, raw or encoded.
        const raw = last ? parts.slice(i).join('/') : parts[i]!;
        if (raw === '' || (raw.includes('/') && !stringParam(spec.paths[template]!, m[1]!))) ok = false;
        else params[m[1]!] = decodeURIComponent(raw);
      } else if (t[i] === parts[i]) score += 1;
      else ok = false;
    }
    if (ok && t.length < parts.length && !/^\{.+\}$/.test(t.at(-1) ?? '')) ok = false;
    if (ok && (!best || score > best.score)) best = { template, params, score };
  }
  if (!best) return undefined;
  const op = spec.paths[best.template]![method.toLowerCase()];
  return op ? { method: method.toUpperCase(), template: best.template, op, pathParams: best.params } : undefined;
}

export interface RecordedRequest {
  method: string;
  url: string;
  body?: unknown;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Check a JSON value against a schema; problems are pushed as `where: what`. */
export function checkValue(schema: SwaggerSchema, value: unknown, where: string, problems: string[]): void {
  const s = deref(schema);
  if (s.enum && !s.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`);
  const actual = typeOf(value);
  if (s.type && !(s.type === actual || (s.type === 'number' && actual === 'integer'))) {
    problems.push(`${where}: expected ${s.type}, got ${actual}`);
    return;
  }
  if (actual === 'array' && s.items) {
    const items = s.items;
    (value as unknown[]).forEach((v, i) => {
      checkValue(items, v, `${where}[${i}]`, problems);
    });
  }
  if (actual === 'object' && (s.properties || s.type === 'object')) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in obj)) problems.push(`${where}: missing required "${key}"`);
    for (const [key, v] of Object.entries(obj)) {
      const prop = s.properties?.[key];
      if (prop) checkValue(prop, v, `${where}.${key}`, problems);
      else if (typeof s.additionalProperties === 'object') checkValue(s.additionalProperties, v, `${where}.${key}`, problems);
      else if (s.properties && s.additionalProperties !== true) problems.push(`${where}.${key}: not declared by the operation`);
    }
  }
}

/** A query or path parameter's string value against its declaration. */
function checkParam(p: Parameter, raw: string, where: string, problems: string[]): void {
  const type = p.type === 'array' ? p.items?.type : p.type;
  const allowed = p.type === 'array' ? p.items?.enum : p.enum;
  if ((type === 'integer' && !/^-?\d+$/.test(raw)) || (type === 'boolean' && !/^(true|false)$/.test(raw)))
    problems.push(`${where}: ${JSON.stringify(raw)} is not ${type === 'integer' ? 'an integer' : 'a boolean'}`);
  if (allowed && !allowed.includes(raw)) problems.push(`${where}: ${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`);
  if (p.name === 'limit' && Number(raw) > MAX_LIMIT) problems.push(`${where}: ${raw} exceeds Forgejo's page cap of ${MAX_LIMIT}`);
}

export function validateRequest(req: RecordedRequest): string[] {
  const url = new URL(req.url, 'http://forgejo.invalid');
  const found = findOperation(req.method, url.pathname);
  if (!found) {
    const anyMethod = ['get', 'put', 'post', 'patch', 'delete'].some((m) => findOperation(m, url.pathname));
    return [`${req.method} ${url.pathname}: ${anyMethod ? 'method not allowed by the spec' : 'unknown route'}`];
  }
  const name = `${found.method} ${found.template}`;
  const params = found.op.parameters ?? [];
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(found.pathParams)) {
    const p = params.find((x) => x.in === 'path' && x.name === key);
    if (!p) problems.push(`${name}: path parameter ${key} not declared`);
    else checkParam(p, raw, `${name}: path.${key}`, problems);
  }
  const seen = new Map<string, number>();
  for (const [key, raw] of url.searchParams) {
    const p = params.find((x) => x.in === 'query' && x.name === key);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (!p) problems.push(`${name}: query.${key}: not declared by the operation`);
    else {
      if (p.type !== 'array' && seen.get(key) === 2) problems.push(`${name}: query.${key}: repeated but not an array`);
      checkParam(p, raw, `${name}: query.${key}`, problems);
    }
  }
  for (const p of params)
    if (p.required && p.in === 'query' && !url.searchParams.has(p.name)) problems.push(`${name}: query.${p.name}: required`);
  const bodyParam = params.find((x) => x.in === 'body');
  if (req.body !== undefined) {
    if (!bodyParam?.schema) problems.push(`${name}: sends a body the operation does not take`);
    else checkValue(bodyParam.schema, req.body, `${name}: body`, problems);
  } else if (bodyParam?.required) problems.push(`${name}: body: required`);
  return problems;
}

/** A sample value of a schema: every declared property filled (nested definitions to `depth`). */
export function sampleOf(schema: SwaggerSchema, depth = 2): unknown {
  const s = deref(schema);
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return s.format === 'date-time' ? '2026-01-01T00:00:00Z' : 'string';
    case 'array':
      return depth > 0 && s.items ? [sampleOf(s.items, depth - 1)] : [];
    default: {
      if (!s.properties) return {};
      if (depth < 0) return null;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties)) {
        const isRef = v.$ref !== undefined || v.items?.$ref !== undefined;
        out[k] = isRef && depth === 0 ? null : sampleOf(v, isRef ? depth - 1 : depth);
      }
      return out;
    }
  }
}

/** A sample of a definition, with fields set by the test. */
export function sample<T = Record<string, unknown>>(definition: string, overrides: Record<string, unknown> = {}): T {
  return { ...(sampleOf({ $ref: `#/definitions/${definition}` }) as object), ...overrides } as T;
}

/** The first 2xx answer of an operation: status and a sample body (undefined for an empty answer). */
export function sampleResponse(found: FoundOperation): { status: number; body: unknown } | undefined {
  const entry = Object.entries(found.op.responses ?? {}).find(([code]) => /^2\d\d$/.test(code));
  if (!entry) return undefined;
  const [code, response] = entry;
  const schema = response.$ref ? swagger().responses[response.$ref.replace(/^#\/responses\//, '')]?.schema : response.schema;
  return { status: Number(code), body: schema ? sampleOf(schema) : undefined };
}
