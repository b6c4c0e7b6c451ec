// Which operation of the spec a request hits: path templates matched segment by segment, literal
// segments preferred over parameters.

import { shapeOf } from './openapi-schema.js';
import { deref, loadSpec, METHODS, type Operation, type Parameter, type PathItem } from './openapi-spec.js';

let cachedRoutes: Route[] | undefined;

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

export interface PathMatch {
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
      for (const [k, name] of seg.names.entries()) params[name] = m[k + 1]!;
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

export function pathMatches(urlPath: string): PathMatch[] {
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
