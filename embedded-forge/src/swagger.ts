// Checks requests and responses against Forgejo's API description (Swagger 2.0, basePath /api/v1), as
// openapi.ts does against GitHub's: unknown routes and methods, undeclared or mistyped query parameters,
// body fields and types, and — for answers — undeclared 2xx statuses and fields Forgejo does not send.
// The description is ../shared/forgejo/swagger.v15.0.3.json beside the repository: found through the
// `FORGEJO_SWAGGER` environment variable, or by walking up from process.cwd() (then from this module).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SchemaChecker, schemaChecker } from './openapi-schema.js';
import type { Schema } from './openapi-spec.js';

export const FORGEJO_SWAGGER_NAME = 'swagger.v15.0.3.json';
const RELATIVE = ['shared/forgejo', '../shared/forgejo'];

interface SwaggerParameter {
  type?: string;
  enum?: unknown[];
  items?: Schema;
  name: string;
  in: 'path' | 'query' | 'body' | 'header' | 'formData';
  required?: boolean;
  schema?: Schema;
}
interface SwaggerOperation {
  operationId?: string;
  parameters?: SwaggerParameter[];
  responses?: Record<string, { $ref?: string; schema?: Schema }>;
}
type PathItem = Partial<Record<string, SwaggerOperation>> & { parameters?: SwaggerParameter[] };
interface Swagger {
  basePath: string;
  paths: Record<string, PathItem>;
  definitions: Record<string, Schema>;
  responses: Record<string, { schema?: Schema }>;
}

/** The Forgejo description: `explicit`, $FORGEJO_SWAGGER, or shared/forgejo/ found above cwd or this module. */
export function swaggerFile(explicit?: string): string | undefined {
  if (explicit) return resolve(explicit);
  if (process.env.FORGEJO_SWAGGER) return resolve(process.env.FORGEJO_SWAGGER);
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = dirname(dir)) {
      for (const rel of RELATIVE) if (existsSync(join(dir, rel, FORGEJO_SWAGGER_NAME))) return join(dir, rel, FORGEJO_SWAGGER_NAME);
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

let cached: { spec: Swagger; checker: SchemaChecker; routes: Route[] } | undefined;

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const file = swaggerFile();
  if (!file) throw new Error(`Forgejo's API description (${FORGEJO_SWAGGER_NAME}) was not found: set FORGEJO_SWAGGER`);
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Swagger;
  const deref = <T extends { $ref?: string }>(node: T): T => {
    let current: T = node;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      const m = /^#\/(definitions|responses)\/(.+)$/.exec(current.$ref);
      const target = m ? (spec[m[1] as 'definitions' | 'responses'] as Record<string, unknown>)[m[2]!] : undefined;
      if (hops > 32 || target === undefined) throw new Error(`unresolvable $ref ${current.$ref}`);
      current = target as T;
    }
    return current;
  };
  const routes = Object.entries(spec.paths).map(([template, item]) => ({ template, parts: template.split('/').slice(1), item }));
  cached = { spec, checker: schemaChecker(deref, { nullAlways: true }), routes };
  return cached;
}

interface Route {
  template: string;
  parts: string[];
  item: PathItem;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const GREEDY = ['{filepath}', '{branch}', '{tag}'];

function matchPath(path: string): { route: Route; params: Record<string, string> }[] {
  const parts = path.replace(/\/+$/, '').split('/').slice(1);
  const out: { route: Route; params: Record<string, string>; rank: number[] }[] = [];
  for (const route of load().routes) {
    // A trailing `{filepath}`, `{branch}` or `{tag}` may hold slashes (Forgejo routes them as `/*`);
    // other parameters hold one segment.
    const greedy = GREEDY.includes(route.parts.at(-1) ?? '') && parts.length > route.parts.length;
    if (parts.length !== route.parts.length && !greedy) continue;
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (const [i, seg] of route.parts.entries()) {
      const part = greedy && i === route.parts.length - 1 ? parts.slice(i).join('/') : parts[i]!;
      const param = /^\{(\w+)\}$/.exec(seg);
      if (param) {
        if (part === '') ok = false;
        params[param[1]!] = decodeURIComponent(part);
        rank.push(0);
      } else if (seg === part) rank.push(1);
      else ok = false;
      if (!ok) break;
    }
    if (ok) out.push({ route, params, rank });
  }
  // Literal segments win over parameters, left to right (`issues/comments/{id}` over `issues/{index}/…`).
  return out.sort((a, b) => {
    for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) if (a.rank[i] !== b.rank[i]) return b.rank[i]! - a.rank[i]!;
    return 0;
  });
}

export interface ForgejoOperation {
  method: string;
  template: string;
  operationId: string;
  pathParams: Record<string, string>;
  operation: SwaggerOperation;
  parameters: SwaggerParameter[];
}

/** The operation of the description a request hits (path without /api/v1). */
export function findForgejoOperation(method: string, path: string): ForgejoOperation | undefined {
  const m = method.toLowerCase();
  for (const { route, params } of matchPath(path.split('?')[0]!)) {
    const operation = route.item[m];
    if (!operation || !METHODS.includes(m)) continue;
    const parameters = [...(route.item.parameters ?? []), ...(operation.parameters ?? [])];
    return {
      method: m.toUpperCase(),
      template: route.template,
      operationId: operation.operationId ?? '',
      pathParams: params,
      operation,
      parameters,
    };
  }
  return undefined;
}

function stripBase(url: string): URL {
  const u = new URL(url, 'http://forge.invalid');
  const base = load().spec.basePath;
  if (u.pathname.startsWith(`${base}/`)) u.pathname = u.pathname.slice(base.length);
  return u;
}

/** A non-body parameter carries its schema itself (Swagger 2.0). */
const asSchema = (p: SwaggerParameter): Schema => ({ ...(p.type ? { type: p.type } : {}), ...(p.enum ? { enum: p.enum } : {}) });

/** Everything Forgejo's description does not allow about a request; [] when it conforms. */
export function validateForgejoRequest(req: { method: string; url: string; body?: unknown }): string[] {
  const url = stripBase(req.url);
  const label = `${req.method.toUpperCase()} ${url.pathname}`;
  const found = findForgejoOperation(req.method, url.pathname);
  if (!found) return [matchPath(url.pathname).length ? `${label}: method not allowed by the spec` : `${label}: unknown route`];
  const { checker } = load();
  const problems: string[] = [];
  const prefix = `${found.method} ${found.template}`;
  for (const p of found.parameters.filter((x) => x.in === 'path')) {
    const value = found.pathParams[p.name];
    if (value !== undefined) checker.checkParamString(asSchema(p), value, `${prefix}: path ${p.name}`, problems);
  }
  const declared = new Map(found.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, value] of url.searchParams) {
    const param = declared.get(name);
    if (!param) problems.push(`${prefix}: query parameter "${name}" is not declared by the operation`);
    else if (param.type === 'array') {
      for (const v of value.split(',')) if (param.items) checker.checkParamString(param.items, v, `${prefix}: query ${name}`, problems);
    } else checker.checkParamString(asSchema(param), value, `${prefix}: query ${name}`, problems);
  }
  for (const p of declared.values())
    if (p.required && !url.searchParams.has(p.name)) problems.push(`${prefix}: missing required query parameter "${p.name}"`);
  const bodyParam = found.parameters.find((p) => p.in === 'body');
  if (req.body !== undefined) {
    if (!bodyParam) problems.push(`${prefix}: the operation takes no request body`);
    else if (bodyParam.schema) checker.checkValue([bodyParam.schema], req.body, `${prefix}: body`, problems);
  } else if (bodyParam?.required) problems.push(`${prefix}: missing required request body`);
  return problems;
}

/**
 * Everything about an answer that Forgejo's description does not declare: a 2xx status the operation
 * does not list, a body where it declares none, fields its schema does not have, mistyped values.
 * Error answers (4xx/5xx) are checked only when the operation declares their status.
 */
export function validateForgejoResponse(req: { method: string; url: string; status: number; body: unknown }): string[] {
  const url = stripBase(req.url);
  const found = findForgejoOperation(req.method, url.pathname);
  if (!found) return [];
  const { checker } = load();
  const prefix = `${found.method} ${found.template} → ${req.status}`;
  const declared = found.operation.responses?.[String(req.status)] ?? found.operation.responses?.default;
  if (!declared) return req.status < 300 ? [`${prefix}: status not declared by the operation`] : [];
  const response = declared.$ref ? load().spec.responses[declared.$ref.replace('#/responses/', '')] : declared;
  if (!response?.schema)
    return req.status >= 300 || req.body === undefined || req.body === '' ? [] : [`${prefix}: the operation declares no response body`];
  if (req.body === undefined) return req.status < 300 ? [`${prefix}: missing response body`] : [];
  const problems: string[] = [];
  // The contents route answers "a list of entries if a dir" (its summary), which its schema cannot say.
  const listed = found.template === CONTENTS_ROUTE && Array.isArray(req.body);
  if (listed) for (const item of req.body as unknown[]) checker.checkValue([response.schema], item, 'response[]', problems);
  else checker.checkValue([response.schema], req.body, 'response', problems);
  return problems.map((p) => `${prefix}: ${p}`);
}

const CONTENTS_ROUTE = '/repos/{owner}/{repo}/contents/{filepath}';
