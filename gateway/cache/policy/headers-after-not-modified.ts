import { fieldLines, singleton, type HeaderRecord } from './header-value.js';
import { parseEntityTag, strongMatch, weakMatch } from './entity-tag.js';
import { parseHttpDate } from './parse-http-date.js';

export type StoredHeaders = Record<string, string | string[]>;

/**
 * Fields a 304 never writes into the stored response (RFC 9111 3.2 exceptions):
 * - 3.1: hop-by-hop fields (RFC 9110 7.6.1) and those Connection names, and the proxy-specific
 *   Proxy-Authenticate / Proxy-Authentication-Info / Proxy-Authorization;
 * - "The Content-Length header field": the stored body keeps its length;
 * - "automatically processed" fields such as Content-Range;
 * - fields "the cache's stored response depends upon": Content-Encoding describes the stored
 *   bytes (and the variants made from them), Vary the entry's secondary key (4.1);
 * - Set-Cookie: never stored or replayed by this cache (issue 8), a 304 does not add one.
 * Kept in step with gateway/upstream/hop-by-hop.ts (not imported: this module stays standalone).
 */
const NOT_UPDATED: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'http2-settings', 'proxy-authenticate', 'proxy-authentication-info', 'proxy-authorization',
  'content-length', 'content-range', 'content-encoding', 'vary', 'set-cookie',
]);

/**
 * RFC 9111 4.3.4 + 3.2: the stored headers after a 304 validated them. "The cache MUST add each
 * header field in the provided response to the stored response, replacing field values that are
 * already present", with the exceptions above; fields the 304 lacks stay as stored. Check
 * notModifiedApplies first, then run storeDecision on the result to freshen the entry.
 */
export function headersAfterNotModified(storedHeaders: HeaderRecord, notModifiedHeaders: HeaderRecord): StoredHeaders {
  const out: StoredHeaders = {};
  for (const [name, value] of Object.entries(storedHeaders)) {
    if (value !== undefined) out[name] = typeof value === 'string' ? value : [...value];
  }
  const listed = new Set<string>();
  for (const line of fieldLines(notModifiedHeaders['connection'])) {
    for (const token of line.split(',')) listed.add(token.trim().toLowerCase());
  }
  for (const [name, value] of Object.entries(notModifiedHeaders)) {
    if (value === undefined || NOT_UPDATED.has(name) || listed.has(name)) continue;
    out[name] = typeof value === 'string' ? value : [...value];
  }
  return out;
}

/**
 * 4.3.4: does this 304 update the stored response we asked about? First match of:
 * - a strong ETag in the 304 selects a stored response with the same strong validator, and
 *   otherwise the cache "MUST NOT use the new response to update any stored responses";
 * - a weak ETag (or a Last-Modified, our other validator) selects a stored response it
 *   corresponds to (weak comparison; the same HTTP-date);
 * - no validator: the RFC selects the one stored response when it "also lacks a validator". A
 *   304 to our own conditional request names exactly one entry, and RFC 9110 15.4.5 does not
 *   require Last-Modified in a 304, so a 304 without any validator applies to that entry.
 * A malformed validator identifies nothing: false.
 */
export function notModifiedApplies(storedHeaders: HeaderRecord, notModifiedHeaders: HeaderRecord): boolean {
  if (notModifiedHeaders['etag'] !== undefined) {
    const fresh = parseEntityTag(notModifiedHeaders['etag']);
    const stored = parseEntityTag(storedHeaders['etag']);
    if (fresh === null || stored === null) return false;
    return fresh.weak ? weakMatch(fresh, stored) : strongMatch(fresh, stored);
  }
  if (notModifiedHeaders['last-modified'] !== undefined) {
    const fresh = dateOf(notModifiedHeaders['last-modified']);
    return fresh !== null && fresh === dateOf(storedHeaders['last-modified']);
  }
  return true;
}

function dateOf(value: HeaderRecord[string]): number | null {
  const raw = singleton(value);
  return raw === null ? null : parseHttpDate(raw);
}
