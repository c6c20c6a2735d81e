import type { SecurityHeadersConfig, SecurityHeadersOverride } from './security-headers.js';

/**
 * The security headers as a flat [name, value, ...] list, built once per config (and per route
 * with overrides) so the hot path only concatenates arrays.
 */
export function buildSecurityHeaders(base: SecurityHeadersConfig, override?: SecurityHeadersOverride): string[] {
  const c = { ...base, ...stripUndefined(override ?? {}) };
  const out: string[] = [];
  if (c.hsts) {
    let v = `max-age=${Math.floor(c.hsts.maxAge / 1000)}`;
    if (c.hsts.includeSubDomains) v += '; includeSubDomains';
    if (c.hsts.preload) v += '; preload';
    out.push('strict-transport-security', v);
  }
  if (c.contentSecurityPolicy) out.push('content-security-policy', c.contentSecurityPolicy);
  out.push('x-content-type-options', 'nosniff');
  if (c.frameOptions) out.push('x-frame-options', c.frameOptions);
  if (c.referrerPolicy) out.push('referrer-policy', c.referrerPolicy);
  if (c.permissionsPolicy) out.push('permissions-policy', c.permissionsPolicy);
  if (c.crossOriginOpenerPolicy) out.push('cross-origin-opener-policy', c.crossOriginOpenerPolicy);
  if (c.crossOriginResourcePolicy) out.push('cross-origin-resource-policy', c.crossOriginResourcePolicy);
  return out;
}

/** Names the gateway owns on responses: the backend's own values for them are dropped. */
export const SECURITY_HEADER_NAMES: readonly string[] = [
  'strict-transport-security', 'content-security-policy', 'x-content-type-options', 'x-frame-options',
  'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy',
];

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** RFC 6797 7.2: HSTS MUST NOT be sent over plain HTTP (a browser ignores it there anyway). */
export function withoutHsts(headers: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i] !== 'strict-transport-security') out.push(headers[i]!, headers[i + 1]!);
  return out;
}
