// Checks requests against GitHub's OpenAPI description (@octokit/openapi), so a fake forge can refuse
// what the real one would: unknown routes, undeclared query/body fields, wrong value types.
// The spec (~13 MB) is read with fs on first use and cached; never import the package index (~385 MB).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---- the spec, loosely typed (only what the checks need) ----

interface Schema {
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

interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { $ref?: string; value?: unknown }>;
}

interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}

type PathItem = Partial<Record<string, Operation>> & { parameters?: Parameter[] };

interface Spec {
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
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let cachedSpec: Spec | undefined;
let cachedRoutes: Route[] | undefined;

export function loadSpec(): Spec {
  if (!cachedSpec) {
    const file = specFile();
    if (!file) throw new Error(`GitHub's OpenAPI description is not installed (${SPEC_PATH}): run npm ci`);
    cachedSpec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
  }
  return cachedSpec;
}

/** Follow a local `#/components/...` reference (repeatedly). */
function deref<T extends { $ref?: string }>(node: T): T {
  let current: T = node;
  for (let hops = 0; current.$ref !== undefined; hops++) {
    if (hops > 32 || !current.$ref.startsWith('#/')) throw new Error(`unresolvable $ref ${current.$ref}`);
    let target: unknown = loadSpec();
    for (const key of current.$ref.slice(2).split('/')) target = (target as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === undefined) throw new Error(`dangling $ref ${current.$ref}`);
    current = target as T;
  }
  return current;
}

// ---- routing ----

/** One template segment: a literal, a whole-segment parameter, or a pattern like `{base}...{head}`. */
type Segment = { literal: string } | { param: string } | { pattern: RegExp; names: string[] };

interface Route {
  template: string;
  segments: Segment[];
  item: PathItem;
  /** The final segment is a string parameter, which may hold raw slashes. */
  slashyTail: boolean;
}

function parseSegment(text: string): Segment {
  const whole = /^\{([^}]+)\}$/.exec(text);
  if (whole) return { param: whole[1]! };
  if (!text.includes('{')) return { literal: text };
  const names: string[] = [];
  const source = text
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '(.+?)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), names };
}

function routes(): Route[] {
  cachedRoutes ??= Object.entries(loadSpec().paths).map(([template, item]) => {
    const segments = template.split('/').slice(1).map(parseSegment);
    const last = segments[segments.length - 1];
    const beforeLast = segments[segments.length - 2];
    return {
      template,
      segments,
      item,
      slashyTail:
        last !== undefined && 'param' in last && beforeLast !== undefined && 'literal' in beforeLast && paramIsString(item, last.param),
    };
  });
  return cachedRoutes;
}

function paramIsString(item: PathItem, name: string): boolean {
  const all = [...(item.parameters ?? []), ...METHODS.flatMap((m) => item[m]?.parameters ?? [])].map((p) => deref(p));
  const param = all.find((p) => p.in === 'path' && p.name === name);
  return param?.schema !== undefined && shapeOf(param.schema).types.has('string');
}

interface PathMatch {
  route: Route;
  params: Record<string, string>;
  /** Per segment: 2 literal, 1 pattern, 0 parameter — compared left to right, literal first. */
  rank: number[];
  /** The last parameter took several segments (a file path or `heads/branch` sent unencoded). */
  greedy: boolean;
}

function matchRoute(route: Route, parts: string[]): PathMatch | undefined {
  const { segments } = route;
  // Octokit encodes slashes inside parameters (%2F); other clients send `contents/a/b.md` raw, which
  // GitHub accepts. So a final string parameter right after a literal (…/contents/{path}, …/refs/{ref})
  // may span several segments; `/repos/{owner}/{repo}` or `…/issues/{issue_number}` may not, or unknown
  // routes below them would match.
  const greedy = parts.length > segments.length && route.slashyTail;
  if (parts.length !== segments.length && !greedy) return undefined;
  const params: Record<string, string> = {};
  const rank: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const part = i === segments.length - 1 && greedy ? parts.slice(i).join('/') : parts[i]!;
    if ('literal' in seg) {
      if (seg.literal !== part) return undefined;
      rank.push(2);
    } else if ('param' in seg) {
      if (part === '') return undefined;
      params[seg.param] = part;
      rank.push(0);
    } else {
      const m = seg.pattern.exec(part);
      if (!m) return undefined;
      seg.names.forEach((name, k) => (params[name] = m[k + 1]!));
      rank.push(1);
    }
  }
  return { route, params, rank, greedy };
}

function compareMatches(a: PathMatch, b: PathMatch): number {
  if (a.greedy !== b.greedy) return a.greedy ? 1 : -1;
  for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) {
    if (a.rank[i] !== b.rank[i]) return b.rank[i]! - a.rank[i]!;
  }
  // Among greedy matches, the longer template explains more of the path.
  return b.rank.length - a.rank.length;
}

function pathMatches(urlPath: string): PathMatch[] {
  // Split before decoding so an encoded slash (%2F) stays inside its segment.
  const parts = urlPath.replace(/\/+$/, '').split('/').slice(1).map(safeDecode);
  return routes()
    .map((route) => matchRoute(route, parts))
    .filter((m): m is PathMatch => m !== undefined)
    .sort(compareMatches);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface FoundOperation {
  method: string;
  /** The spec's path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  template: string;
  operationId: string;
  pathParams: Record<string, string>;
  operation: Operation;
  /** Path-level and operation-level parameters, $refs resolved. */
  parameters: Parameter[];
}

/** The operation a request would hit, preferring literal segments over templates when several match. */
export function findOperation(method: string, urlPath: string): FoundOperation | undefined {
  const m = method.toLowerCase();
  const path = urlPath.split('?')[0]!;
  for (const match of pathMatches(path)) {
    const operation = match.route.item[m];
    if (!operation || !METHODS.includes(m)) continue;
    const parameters = [...(match.route.item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref(p));
    return {
      method: m.toUpperCase(),
      template: match.route.template,
      operationId: operation.operationId ?? '',
      pathParams: match.params,
      operation,
      parameters,
    };
  }
  return undefined;
}

// ---- value checks ----

/** A schema with oneOf/anyOf/allOf folded in: a property declared in any branch is accepted. */
interface Shape {
  types: Set<string>;
  nullable: boolean;
  /** undefined = any value. */
  enum: unknown[] | undefined;
  properties: Map<string, Schema[]>;
  /** Some branch declares properties or forbids extras: unknown keys are then reported. */
  closed: boolean;
  /** Some branch allows extra keys. */
  open: boolean;
  /** Alternatives: satisfied when every name of one alternative is present. */
  required: string[][];
  items: Schema[];
}

function shapeOf(input: Schema): Shape {
  const s = deref(input);
  const shape: Shape = {
    types: new Set(s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]),
    nullable: s.nullable === true || (Array.isArray(s.type) && s.type.includes('null')),
    enum: s.enum,
    properties: new Map(Object.entries(s.properties ?? {}).map(([k, v]) => [k, [v]])),
    closed: s.properties !== undefined || s.additionalProperties === false,
    // A bare `type: object` (no properties) is free-form, even as one branch among others.
    open:
      (s.additionalProperties !== undefined && s.additionalProperties !== false) ||
      (s.properties === undefined && s.additionalProperties === undefined && s.type === 'object' && !s.allOf && !s.oneOf && !s.anyOf),
    required: s.required?.length ? [s.required] : [],
    items: s.items ? [s.items] : [],
  };
  for (const branch of s.allOf ?? []) merge(shape, shapeOf(branch), 'all');
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives?.length) {
    const alt = alternatives.map(shapeOf).reduce((a, b) => (merge(a, b, 'any'), a));
    merge(shape, alt, 'all');
  }
  return shape;
}

function merge(into: Shape, from: Shape, mode: 'all' | 'any'): void {
  // Types: alternatives widen; allOf branches without a type do not narrow.
  for (const t of from.types) into.types.add(t);
  into.nullable ||= from.nullable;
  if (mode === 'any') into.enum = into.enum && from.enum ? [...into.enum, ...from.enum] : undefined;
  else into.enum ??= from.enum;
  for (const [name, schemas] of from.properties) into.properties.set(name, [...(into.properties.get(name) ?? []), ...schemas]);
  into.closed ||= from.closed;
  into.open ||= from.open;
  if (mode === 'any') {
    // Any branch's requirement suffices; a branch requiring nothing makes the whole optional.
    into.required = into.required.length === 0 || from.required.length === 0 ? [] : [...into.required, ...from.required];
  } else if (from.required.length) {
    into.required = into.required.length ? into.required.flatMap((a) => from.required.map((b) => [...a, ...b])) : from.required;
  }
  into.items.push(...from.items);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'bigint') return 'integer';
  return typeof value; // string, boolean, object
}

function typeAccepts(types: Set<string>, value: unknown): boolean {
  if (types.size === 0) return true;
  const t = jsonType(value);
  return types.has(t) || (t === 'integer' && types.has('number'));
}

/** Push problems for `value` against `schema`; `where` names the value in messages (e.g. `body.labels[0]`). */
function checkValue(schemas: Schema[], value: unknown, where: string, problems: string[]): void {
  // Several candidate schemas (a property declared in several branches): one must accept the value.
  if (schemas.length > 1) {
    const attempts = schemas.map((s) => {
      const p: string[] = [];
      checkValue([s], value, where, p);
      return p;
    });
    if (!attempts.some((p) => p.length === 0)) problems.push(...attempts.reduce((a, b) => (b.length < a.length ? b : a)));
    return;
  }
  if (schemas.length === 0) return;
  const shape = shapeOf(schemas[0]!);
  if (value === null) {
    if (!shape.nullable && shape.types.size > 0) problems.push(`${where}: null is not allowed`);
    return;
  }
  if (!typeAccepts(shape.types, value)) {
    problems.push(`${where}: expected ${[...shape.types].join(' | ')}, got ${jsonType(value)}`);
    return;
  }
  if (shape.enum && !shape.enum.includes(value)) {
    problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(shape.enum)}`);
    return;
  }
  if (Array.isArray(value)) {
    if (shape.items.length) value.forEach((v, i) => checkValue(shape.items, v, `${where}[${i}]`, problems));
    return;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      const declared = shape.properties.get(key);
      if (declared) checkValue(declared, v, `${where}.${key}`, problems);
      else if (shape.closed && !shape.open) problems.push(`${where}.${key}: not declared by the operation`);
    }
    if (shape.required.length && !shape.required.some((names) => names.every((n) => n in obj))) {
      const missing = shape.required[0]!.filter((n) => !(n in obj));
      problems.push(`${where}: missing required ${missing.map((n) => `"${n}"`).join(', ')}`);
    }
  }
}

/** Query/path parameters arrive as strings: check what a string can show (integer, boolean, enum). */
function checkParamString(schema: Schema | undefined, raw: string, where: string, problems: string[]): void {
  if (!schema) return;
  const shape = shapeOf(schema);
  const types = shape.types;
  if (types.size === 1 && types.has('integer') && !/^-?\d+$/.test(raw)) problems.push(`${where}: expected integer, got ${JSON.stringify(raw)}`);
  else if (types.size === 1 && types.has('boolean') && raw !== 'true' && raw !== 'false')
    problems.push(`${where}: expected boolean, got ${JSON.stringify(raw)}`);
  else if (shape.enum && !shape.enum.map(String).includes(raw)) problems.push(`${where}: ${JSON.stringify(raw)} is not one of ${JSON.stringify(shape.enum)}`);
}

// ---- requests ----

export interface RecordedRequest {
  method: string;
  /** Absolute URL or path (with query). */
  url: string;
  /** Parsed JSON body, a raw string, or undefined. */
  body?: unknown;
  /** Prefix the forge serves the API under (e.g. `/api/v3`), stripped before routing. */
  basePath?: string;
}

/** Everything GitHub would reject (or silently ignore) about a request; [] when it conforms. */
export function validateRequest(req: RecordedRequest): string[] {
  const url = new URL(req.url, 'http://forge.invalid');
  let path = url.pathname;
  if (req.basePath && path.startsWith(req.basePath)) path = path.slice(req.basePath.length) || '/';
  const label = `${req.method.toUpperCase()} ${path}`;

  const found = findOperation(req.method, path);
  if (!found) {
    return [pathMatches(path).length ? `${label}: method not allowed by the spec` : `${label}: unknown route`];
  }
  const problems: string[] = [];
  const prefix = `${found.method} ${found.template}`;

  for (const p of found.parameters.filter((p) => p.in === 'path')) {
    const value = found.pathParams[p.name];
    if (value !== undefined) checkParamString(p.schema, value, `${prefix}: path ${p.name}`, problems);
  }

  const declaredQuery = new Map(found.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, value] of url.searchParams) {
    const param = declaredQuery.get(name);
    if (!param) problems.push(`${prefix}: query parameter "${name}" is not declared by the operation`);
    else checkParamString(param.schema, value, `${prefix}: query ${name}`, problems);
  }
  for (const p of declaredQuery.values()) {
    if (p.required && !url.searchParams.has(p.name)) problems.push(`${prefix}: missing required query parameter "${p.name}"`);
  }

  problems.push(...checkBody(found, req.body).map((p) => `${prefix}: ${p}`));
  return problems;
}

function checkBody(found: FoundOperation, rawBody: unknown): string[] {
  let body = rawBody;
  if (typeof body === 'string') {
    if (body === '') body = undefined;
    else {
      try {
        body = JSON.parse(body);
      } catch {
        return ['body is not JSON'];
      }
    }
  }
  const requestBody = found.operation.requestBody ? deref(found.operation.requestBody) : undefined;
  if (!requestBody) return body === undefined ? [] : ['the operation takes no request body'];
  if (body === undefined) return requestBody.required ? ['missing required request body'] : [];
  const json = requestBody.content?.['application/json'];
  if (!json) return []; // binary or text uploads: nothing to check here
  const problems: string[] = [];
  if (json.schema) checkValue([json.schema], body, 'body', problems);
  return problems;
}

// ---- examples (for fakes that answer like GitHub) ----

/** The spec's first example answer for an operation (first 2xx status), e.g. to seed a fake forge. */
export function exampleResponse(found: FoundOperation): { status: number; body: unknown } | undefined {
  const entries = Object.entries(found.operation.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
  const [code, ref] = entries[0] ?? [];
  if (!code || !ref) return undefined;
  const response = deref(ref);
  const json = response.content?.['application/json'];
  if (!json) return { status: Number(code), body: undefined };
  const first = json.examples ? Object.values(json.examples)[0] : undefined;
  let body = first ? deref(first).value : json.example;
  // Some examples point their `value` at a shared example object instead of holding it.
  if (body !== null && typeof body === 'object' && '$ref' in body) body = deref(body as { $ref: string; value?: unknown }).value;
  return { status: Number(code), body: structuredClone(body) };
}
