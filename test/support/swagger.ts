// Forgejo's API description (../shared/forgejo/swagger.v15.0.3.json, basePath /api/v1) for contract
// tests of agentloop's Forgejo adapter. Requests are validated by the embedded forge's validator (the
// same one its Forgejo mode applies), plus Forgejo's page cap; this file adds sample answers built from
// the description's definitions, for fake forges.
import { readFileSync } from 'node:fs';
import { type ForgejoOperation, findForgejoOperation, swaggerFile, validateForgejoRequest } from '@agentloop/embedded-forge';

export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
}
interface Swagger {
  definitions: Record<string, SwaggerSchema>;
  responses: Record<string, { schema?: SwaggerSchema }>;
}

/** Forgejo's default `[api] MAX_RESPONSE_ITEMS`: a larger `limit` is silently capped, so asking for one is a bug. */
export const MAX_LIMIT = 50;

let cached: Swagger | undefined;
function swagger(): Swagger {
  const file = swaggerFile();
  if (!file) throw new Error('swagger.v15.0.3.json not found beside the repository (set FORGEJO_SWAGGER)');
  cached ??= JSON.parse(readFileSync(file, 'utf8')) as Swagger;
  return cached;
}

function deref(schema: SwaggerSchema): SwaggerSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const target = swagger().definitions[s.$ref.replace(/^#\/definitions\//, '')];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

export type FoundOperation = ForgejoOperation;

/** The operation a URL path (with or without /api/v1) names. */
export function findOperation(method: string, urlPath: string): FoundOperation | undefined {
  return findForgejoOperation(method, urlPath.replace(/^\/api\/v1(?=\/)/, ''));
}

export interface RecordedRequest {
  method: string;
  url: string;
  body?: unknown;
}

/** Everything the description does not allow about a request, and a `limit` over Forgejo's cap. */
export function validateRequest(req: RecordedRequest): string[] {
  const problems = validateForgejoRequest(req);
  const limit = new URL(req.url, 'http://forge.invalid').searchParams.get('limit');
  if (limit !== null && Number(limit) > MAX_LIMIT)
    problems.push(`${req.method} ${req.url}: limit ${limit} exceeds Forgejo's page cap of ${MAX_LIMIT}`);
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
  const entry = Object.entries(found.operation.responses ?? {}).find(([code]) => /^2\d\d$/.test(code));
  if (!entry) return undefined;
  const [code, response] = entry;
  const schema = (response.$ref ? swagger().responses[response.$ref.replace(/^#\/responses\//, '')]?.schema : response.schema) as
    | SwaggerSchema
    | undefined;
  return { status: Number(code), body: schema ? sampleOf(schema) : undefined };
}
