import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { exchange, type BackendReply } from '../upstream/backend-exchange.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames } from '../upstream/identity-headers.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { backendHeaders } from './backend-headers.js';
import type { HttpContext } from './request-context.js';

/**
 * Request fields the cache answers itself: the client's validators and range (a 304 or 206
 * for one client must not become the entry everyone gets), its cache directives (ignored
 * unless the route honours them, and never passed on to make the backend skip its own cache),
 * and its encodings (the entry is stored as identity and compressed once by the gateway).
 */
const ANSWERED_BY_CACHE = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range', 'cache-control', 'pragma', 'accept-encoding']);

export type CacheFetch = (ctx: HttpContext, conditional: Record<string, string>) => Promise<BackendReply>;

/** A GET for the cache (a HEAD is filled with a GET too, RFC 9110 9.3.2), its answer read up to the route's maxBodyBytes. */
export function createCacheFetch(route: CompiledRoute, config: GatewayConfig, upstream: UpstreamClient): CacheFetch {
  const names = identityHeaderNames(config);
  const policy = headerPolicyFor(route, config);
  const upstreamHost = config.upstream.preserveHost ? null : upstream.host;
  const maxBodyBytes = route.cache!.maxBodyBytes;
  return (ctx, conditional) => {
    const base = backendHeaders(ctx, upstreamHost, names, policy);
    const headers: string[] = [];
    for (let i = 0; i < base.length; i += 2) {
      if (!ANSWERED_BY_CACHE.has(base[i]!.toLowerCase())) headers.push(base[i]!, base[i + 1]!);
    }
    headers.push('accept-encoding', 'identity');
    for (const name in conditional) headers.push(name, conditional[name]!);
    return exchange(upstream, {
      path: ctx.path + ctx.query, method: 'GET', headers, body: null,
      headersTimeout: route.headersTimeout, bodyTimeout: route.bodyTimeout,
      bufferUpTo: maxBodyBytes, retry: config.upstream.retryIdempotent,
    });
  };
}
