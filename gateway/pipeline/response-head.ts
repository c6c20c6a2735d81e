import type { IncomingHttpHeaders } from 'node:http';
import { filterResponseHeaders } from '../upstream/response-headers.js';
import type { RequestContext } from './request-context.js';

/**
 * The header list a client gets with a backend answer, streamed or read first: the backend's
 * fields the client may see, the route's headers, the per-request ones (CORS, RateLimit) and
 * the request id.
 */
export function responseHead(ctx: RequestContext, status: number, headers: IncomingHttpHeaders): string[] {
  const route = ctx.route!;
  const out = filterResponseHeaders(headers, route.responseDrop, []);
  for (const h of route.responseHeaders) out.push(h);
  if (ctx.extraHeaders) for (const h of ctx.extraHeaders) out.push(h);
  // Only when the client would otherwise get none (an empty field is none): what the backend says stands.
  if (route.defaultCacheControl !== null && (!headers['cache-control'] || route.responseDrop.has('cache-control'))) {
    if (headers['cache-control'] === '') dropField(out, 'cache-control');
    out.push('cache-control', route.defaultCacheControl);
  }
  out.push('x-request-id', ctx.requestId);
  if (status === 204) dropField(out, 'content-length');
  return out;
}

/** Removes a field from a flat [name, value, ...] list (rare: an empty field a default replaces, a 204's length). */
export function dropField(flat: string[], name: string): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === name) flat.splice(i, 2);
}

/** RFC 9110 6.4.1: these answers have no content, whatever Content-Length says. */
export function bodiless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}
