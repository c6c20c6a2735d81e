import { deltaSeconds, type CacheDirectives } from './parse-cache-control.js';
import { singleton, type HeaderRecord } from './header-value.js';
import { parseHttpDate } from './parse-http-date.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * RFC 9111 4.2.1 for a shared cache, first match wins:
 *   s-maxage, else max-age, else Expires - Date (Date: the receipt time when absent), else none.
 * Returns ms, or null when the response states no explicit expiration time at all.
 *
 * An invalid value (4.2.1 "caches are encouraged to consider responses that have invalid freshness
 * information ... to be stale") gives 0 but still counts as explicit, so no heuristic replaces it.
 * Expires: 5.3 "a cache recipient MUST interpret invalid date formats, especially the value "0",
 * as representing a time in the past"; on two lines it is stale too (4.2.1). With max-age or
 * s-maxage present Expires is ignored (5.3 MUST), which the order above already does.
 */
export function explicitLifetimeMs(cc: CacheDirectives, headers: HeaderRecord, dateMs: number): number | null {
  for (const name of ['s-maxage', 'max-age']) {
    const v = deltaSeconds(cc, name);
    if (v !== null) return v === 'invalid' ? 0 : v * 1000;
  }
  if (headers['expires'] === undefined) return null;
  const raw = singleton(headers['expires']);
  const expires = raw === null ? null : parseHttpDate(raw, dateMs);
  return expires === null ? 0 : Math.max(0, expires - dateMs);
}

/**
 * RFC 9111 4.2.2: without an explicit expiration time, a cache MAY use a heuristic; with
 * Last-Modified "a typical setting of this fraction might be 10%" of the time since then. We cap
 * it at 24 hours (past that 4.2.2 of RFC 7234 wanted a warning; a day is plenty for an API) and
 * use nothing without a Last-Modified. Which responses may have one at all is the caller's
 * question (heuristically cacheable status, or `public`).
 */
export function heuristicLifetimeMs(headers: HeaderRecord, dateMs: number): number {
  const raw = singleton(headers['last-modified']);
  const lastModified = raw === null ? null : parseHttpDate(raw, dateMs);
  if (lastModified === null) return 0;
  return Math.min(DAY_MS, Math.floor(Math.max(0, dateMs - lastModified) / 10));
}
