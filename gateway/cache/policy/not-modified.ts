import { ifNoneMatchMatches } from './entity-tag.js';
import { singleton, type HeaderValue } from './header-value.js';
import { parseHttpDate } from './parse-http-date.js';

/** The request's side of a conditional GET/HEAD answered from a stored response. */
export interface ConditionalGet {
  method: string;
  ifNoneMatch: HeaderValue;
  ifModifiedSince: HeaderValue;
}

/** The stored response's validators, for the representation being served. */
export interface StoredValidators {
  /** The served representation's entity-tag (a compressed variant has its own). */
  etag: string;
  lastModified: string | undefined;
  date: string | undefined;
  /** When the cache received the response (ms epoch). */
  receivedAt: number;
}

/**
 * Whether a GET or HEAD answered from a stored 200 gets 304 instead, by RFC 9110 13.2.2 (steps 3
 * and 4; the cache does not evaluate If-Match / If-Unmodified-Since):
 * - If-None-Match present: it alone decides (13.1.3: "A recipient MUST ignore If-Modified-Since
 *   if the request contains an If-None-Match header field"), weak comparison (13.1.2).
 * - Else If-Modified-Since, ignored when not one valid HTTP-date (13.1.3; parse-http-date.ts) or
 *   later than now (RFC 2616 14.25: "A date which is later than the server's current time is
 *   invalid"; a client clock ahead would otherwise pin a 304 past the next change). Not modified
 *   when the stored Last-Modified is at or before it; without one the stored Date, else the time
 *   the response was received (RFC 9111 4.3.2), in whole seconds like the field.
 */
export function notModified(req: ConditionalGet, stored: StoredValidators, nowMs: number): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.ifNoneMatch !== undefined) return ifNoneMatchMatches(req.ifNoneMatch, stored.etag);
  const field = singleton(req.ifModifiedSince);
  if (field === null) return false;
  const since = parseHttpDate(field, nowMs);
  if (since === null || since > nowMs) return false;
  const modified = dateOf(stored.lastModified, nowMs) ?? dateOf(stored.date, nowMs) ?? Math.floor(stored.receivedAt / 1000) * 1000;
  return modified <= since;
}

function dateOf(value: string | undefined, nowMs: number): number | null {
  return value === undefined ? null : parseHttpDate(value, nowMs);
}
