import type { HeaderRecord } from './header-value.js';
import { deltaSeconds, parseCacheControl } from './parse-cache-control.js';

export interface RequestDecision {
  /** Neither use nor fill the cache (client no-store, honoured). */
  bypass: boolean;
  /** Use a stored response only after a successful validation (no-cache, max-age=0, Pragma). */
  revalidate: boolean;
  /** Never forward: the stored response if usable, else 504 (the caller answers). Always honoured. */
  onlyIfCached: boolean;
  /** Client max-age / min-fresh in ms when honoured (5.2.1.1, 5.2.1.3); see clientAccepts. */
  maxAgeMs: number | null;
  minFreshMs: number | null;
}

/**
 * Request directives (RFC 9111 5.2.1) are advisory: "caches MAY implement them". Those that
 * cost a backend request (no-store, no-cache, max-age, min-fresh, Pragma) count only where the
 * route honours them, so clients cannot use them to hammer the backend (issue 8). Honoured:
 * - no-store (5.2.1.5) bypasses the cache. The RFC would still allow answering from a stored
 *   response (it only forbids storing); bypassing is the simpler permitted behaviour.
 * - no-cache (5.2.1.4) and max-age=0 (5.2.1.1) revalidate; `Pragma: no-cache` counts only when
 *   the request has no Cache-Control field (5.4 MUST).
 * - an invalid or repeated max-age / min-fresh is ignored (a preference we cannot read).
 * - max-stale (5.2.1.2) would allow more staleness; we do not serve beyond our windows anyway.
 * only-if-cached (5.2.1.7) never costs the backend anything, so it is always honoured; with
 * bypass or revalidate it means 504 unless the caller can avoid forwarding.
 */
export function requestDecision(requestHeaders: HeaderRecord, opts: { honourClientNoCache: boolean }): RequestDecision {
  const raw = requestHeaders['cache-control'];
  const cc = parseCacheControl(raw);
  const onlyIfCached = cc.has('only-if-cached');
  if (!opts.honourClientNoCache) return { bypass: false, revalidate: false, onlyIfCached, maxAgeMs: null, minFreshMs: null };
  const maxAge = deltaSeconds(cc, 'max-age');
  const minFresh = deltaSeconds(cc, 'min-fresh');
  const pragmaNoCache = raw === undefined && parseCacheControl(requestHeaders['pragma']).has('no-cache');
  return {
    bypass: cc.has('no-store'),
    revalidate: cc.has('no-cache') || maxAge === 0 || pragmaNoCache,
    onlyIfCached,
    maxAgeMs: typeof maxAge === 'number' ? maxAge * 1000 : null,
    minFreshMs: typeof minFresh === 'number' ? minFresh * 1000 : null,
  };
}

/**
 * Does the client's request accept this stored response without validation? 5.2.1.1: the client
 * "prefers a response whose age is less than or equal to" max-age; 5.2.1.3: one that "will still be
 * fresh for at least" min-fresh.
 */
export function clientAccepts(decision: RequestDecision, entry: { ageMs: number; ttlMs: number }): boolean {
  if (decision.bypass || decision.revalidate) return false;
  if (decision.maxAgeMs !== null && entry.ageMs > decision.maxAgeMs) return false;
  return decision.minFreshMs === null || entry.ttlMs >= decision.minFreshMs;
}
