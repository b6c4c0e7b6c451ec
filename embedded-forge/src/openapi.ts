// Checks requests against GitHub's OpenAPI description (@octokit/openapi), so a fake forge can refuse
// what the real one would: unknown routes, undeclared query/body fields, wrong value types.
// Modules: openapi-spec.ts (loading), openapi-routes.ts (route matching), openapi-schema.ts (values).
import { type FoundOperation, findOperation, pathMatches } from './openapi-routes.js';
import { checkParamString, checkValue } from './openapi-schema.js';
import { deref } from './openapi-spec.js';

export { type FoundOperation, findOperation } from './openapi-routes.js';
export { loadSpec, specFile } from './openapi-spec.js';

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

// ---- responses ----

/**
 * What GitHub's description does not declare about a 2xx answer: an undeclared status, fields its schema
 * does not have, missing required fields, mistyped values. (Not on for the whole forge: for routes whose
 * answers are known to match, e.g. the reviews'.)
 */
export function validateResponse(res: { method: string; url: string; status: number; body: unknown; basePath?: string }): string[] {
  const url = new URL(res.url, 'http://forge.invalid');
  let path = url.pathname;
  if (res.basePath && path.startsWith(res.basePath)) path = path.slice(res.basePath.length) || '/';
  const found = findOperation(res.method, path);
  if (!found || res.status >= 300) return [];
  const prefix = `${found.method} ${found.template} → ${res.status}`;
  const declared = found.operation.responses?.[String(res.status)];
  if (!declared) return [`${prefix}: status not declared by the operation`];
  const schema = deref(declared).content?.['application/json']?.schema;
  if (!schema) return res.body === undefined ? [] : [`${prefix}: the operation declares no JSON body`];
  const problems: string[] = [];
  checkValue([schema], res.body, 'response', problems);
  return problems.map((p) => `${prefix}: ${p}`);
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
