// Small HTTP helpers for the embedded forge's REST API.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  /** Response headers (X-Accepted-GitHub-Permissions, …). */
  readonly headers: Record<string, string> = {};
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, 'Not Found');

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(status === 204 ? undefined : text);
}

/** One page of a list, with GitHub's Link header (rel="next"/"last") when there is more. */
export function paginate<T>(items: T[], url: URL, maxPerPage = 100): { page: T[]; link?: string } {
  const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), maxPerPage);
  const pageNo = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
  const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  if (pageNo >= last) return { page };
  const at = (n: number) => {
    const u = new URL(url);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return u.toString();
  };
  return { page, link: `<${at(pageNo + 1)}>; rel="next", <${at(last)}>; rel="last"` };
}
