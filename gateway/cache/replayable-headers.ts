import type { IncomingHttpHeaders } from 'node:http';
import { connectionListed, HOP_BY_HOP } from '../upstream/hop-by-hop.js';

/**
 * Fields that describe one exchange, not the stored response: they are made anew for each
 * request that an entry answers (Age, RateLimit, the request id, the cache's own status), set
 * per variant (Content-Length, Content-Encoding), or never stored at all (Set-Cookie: a cached
 * Set-Cookie would hand one client's session to the next, RFC 9111 7.3).
 */
const PER_EXCHANGE = new Set([
  'set-cookie', 'age', 'x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after',
  'x-cache', 'cache-status', 'content-length', 'content-encoding',
]);

/** The backend's fields an entry may replay, lower-case names, list fields joined (RFC 9110 5.3). */
export function replayableHeaders(headers: IncomingHttpHeaders, drop: ReadonlySet<string>): Record<string, string> {
  const listed = headers.connection === undefined ? null : connectionListed(headers.connection);
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || PER_EXCHANGE.has(name) || drop.has(name) || (listed !== null && listed.has(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}
