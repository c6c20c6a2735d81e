import { normalizedQuery } from '../cache/cache-key.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { exchange, type BackendReply } from '../upstream/backend-exchange.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames } from '../upstream/identity-headers.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { backendHeaders } from './backend-headers.js';
import type { HttpContext } from './request-context.js';

/**
 * What the backend learns on a fill is what the key holds, and nothing else: an answer stored for
 * everyone in the scope must not depend on a field one client chose and the next one does not
 * share. Sent: the fields the gateway itself states (Host, X-Forwarded-*, X-Request-Id,
 * traceparent (the trace of the request that fills; its tracestate is the client's, not sent), the
 * caller's identity, the route's `headers.request.set`, Authorization where the route forwards
 * it and the entry is that caller's), the route's `varyHeaders` (keyed), `Accept-Encoding:
 * identity` (the entry is stored as identity and coded by the gateway), and the validators of a
 * revalidation. Not sent: Cookie, User-Agent, Accept-Language, any X-* the client made up. The
 * query is the key's: its pairs sorted, the ignored parameters left out.
 */
const GATEWAY_STATED = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'traceparent'];

export type CacheFetch = (ctx: HttpContext, conditional: Record<string, string>) => Promise<BackendReply>;

/** A GET for the cache (a HEAD is filled with a GET too, RFC 9110 9.3.2), its answer read up to the route's maxBodyBytes. */
export function createCacheFetch(route: CompiledRoute, config: GatewayConfig, upstream: UpstreamClient): CacheFetch {
  const names = identityHeaderNames(config);
  const policy = headerPolicyFor(route, config);
  const upstreamHost = upstream.config.preserveHost ? null : upstream.host;
  const rc = route.cache!;
  const sent = new Set([
    ...GATEWAY_STATED, ...policy.identityHeaders, ...policy.set.map(([name]) => name), ...rc.varyHeaders,
    ...(route.auth.forwardAuthorization && rc.scope === 'user' ? ['authorization'] : []),
  ]);
  return (ctx, conditional) => {
    const base = backendHeaders(ctx, upstreamHost, names, policy);
    const headers: string[] = [];
    for (let i = 0; i < base.length; i += 2) {
      const name = base[i]!.toLowerCase();
      if (sent.has(name)) headers.push(name, base[i + 1]!);
    }
    headers.push('accept-encoding', 'identity');
    for (const name in conditional) headers.push(name, conditional[name]!);
    const query = normalizedQuery(ctx.query, rc.ignoreQueryParams);
    return exchange(upstream, {
      path: query === '' ? ctx.path : `${ctx.path}?${query}`, method: 'GET', headers, body: null,
      headersTimeout: route.headersTimeout, bodyTimeout: route.bodyTimeout,
      bufferUpTo: rc.maxBodyBytes, retry: upstream.config.retryIdempotent,
    });
  };
}

/**
 * The origin the backend is told about (X-Forwarded-Host and -Proto, as upstream/request-headers.ts
 * states them): part of the key, so an answer that embeds it (absolute links) is only ever served
 * to requests that would have made the backend say the same. Every candidate value is kept
 * (a superset of what is sent): two requests share an entry only if they agree on all of them.
 */
export function forwardedOrigin(ctx: HttpContext): string {
  const raw = ctx.req.rawHeaders;
  let out = `host=${ctx.req.headers.host ?? ''}`;
  if (!ctx.peerTrusted) return out;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'x-forwarded-host' || name === 'x-forwarded-proto') out += `\u0000${name}=${raw[i + 1]!}`;
  }
  return out;
}
