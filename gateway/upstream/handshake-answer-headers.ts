import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledRouteHeaders } from '../config/schema/route-headers.js';
import { filterResponseHeaders } from './response-headers.js';

/** What a route adds to and removes from a backend's answer; a CompiledRoute is one. */
export interface AnswerPolicy extends Pick<CompiledRouteHeaders, 'responseHeaders' | 'responseDrop'> {
  readonly defaultCacheControl: string | null;
}

/**
 * The headers the client gets with the backend's answer to a WebSocket handshake, as the
 * object http-proxy serializes (a repeated name becomes an array, one line each). The same rules
 * as a proxied response (proxy-stage.ts): hop-by-hop fields, the ones Connection names and the
 * route's drop set (Server, X-Powered-By, the gateway's own names) go; the route's security
 * headers, the request's own (`extra`: CORS, RateLimit) and X-Request-Id come.
 *
 * A 101 keeps what switching needs (RFC 6455 4.2.2): Upgrade as the backend said it,
 * Connection: Upgrade, and the Sec-WebSocket-* fields (end-to-end, so kept by the filter). Any
 * other answer is the end of the connection: http-proxy pipes the body (already de-chunked by
 * Node, so Transfer-Encoding must not be repeated) and ends the socket, so it says
 * Connection: close; it gets the route's default Cache-Control when the backend sent none.
 */
export function handshakeAnswerHeaders(status: number, backend: IncomingHttpHeaders, policy: AnswerPolicy, extra: readonly string[] | null, requestId: string): Record<string, string | string[]> {
  const flat = filterResponseHeaders(backend, policy.responseDrop, []);
  if (status === 101) flat.push('upgrade', backend.upgrade ?? 'websocket', 'connection', 'Upgrade');
  for (const h of policy.responseHeaders) flat.push(h);
  if (extra) for (const h of extra) flat.push(h);
  if (status !== 101) {
    if (policy.defaultCacheControl !== null && (backend['cache-control'] === undefined || policy.responseDrop.has('cache-control'))) {
      flat.push('cache-control', policy.defaultCacheControl);
    }
    flat.push('connection', 'close');
  }
  flat.push('x-request-id', requestId);

  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    const had = out[name];
    if (had === undefined) out[name] = value;
    else if (typeof had === 'string') out[name] = [had, value];
    else had.push(value);
  }
  return out;
}
