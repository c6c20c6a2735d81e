import { z } from 'zod';
import { headerName, headerValue, listOf } from './fields.js';
import { buildSecurityHeaders, SECURITY_HEADER_NAMES } from './build-security-headers.js';
import type { SecurityHeadersConfig, SecurityHeadersOverride } from './security-headers.js';

/** A route's `headers:` (set and remove, each way), compiled to the lists the hot path walks. */

const headerOps = z.strictObject({
  set: z.record(headerName, headerValue).default({}),
  remove: listOf(headerName, 'X-Debug').default([]),
});
// Framing and connection headers belong to each hop; the backend's connection is the pool's.
const FRAMING = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', 'content-length', 'proxy-connection']);
const requestHeaderOps = z.strictObject({
  set: z.record(headerName.refine((n) => !FRAMING.has(n.toLowerCase()), 'connection and framing headers cannot be set'), headerValue).default({}),
  remove: listOf(headerName, 'X-Debug').default([]),
});

export const routeHeadersSchema = z.strictObject({ request: requestHeaderOps.optional(), response: headerOps.optional() }).default({});
export type RawRouteHeaders = z.output<typeof routeHeadersSchema>;

export interface CompiledRouteHeaders {
  /** Lower-case header names and values the gateway sets on the request to the backend. */
  readonly requestSet: readonly (readonly [string, string])[];
  readonly requestRemove: ReadonlySet<string>;
  /** Flat [name, value, ...] added to every response on this route: security headers and `set`. */
  readonly responseHeaders: readonly string[];
  /** Backend response headers dropped on this route (server, x-powered-by, the gateway's own names). */
  readonly responseDrop: ReadonlySet<string>;
}

const ALWAYS_DROPPED = ['server', 'x-powered-by'];

export function compileRouteHeaders(
  headers: RawRouteHeaders, security: SecurityHeadersConfig, override: SecurityHeadersOverride | undefined, baseSecurity: readonly string[],
): CompiledRouteHeaders {
  const responseSet = Object.entries(headers.response?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const responseHeaders = override ? buildSecurityHeaders(security, override) : [...baseSecurity];
  for (const [k, v] of responseSet) {
    const at = responseHeaders.findIndex((name, i) => i % 2 === 0 && name === k);
    if (at >= 0) responseHeaders[at + 1] = v;
    else responseHeaders.push(k, v);
  }
  return {
    requestSet: Object.entries(headers.request?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
    requestRemove: new Set((headers.request?.remove ?? []).map((h) => h.toLowerCase())),
    responseHeaders,
    responseDrop: new Set([
      ...ALWAYS_DROPPED, ...SECURITY_HEADER_NAMES,
      ...responseSet.map(([k]) => k),
      ...(headers.response?.remove ?? []).map((h) => h.toLowerCase()),
    ]),
  };
}
