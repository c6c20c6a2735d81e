import { DELTA_SECONDS_MAX } from './parse-cache-control.js';

/** What the store keeps beside the body: storeDecision's numbers and storedAt = its responseTime. */
export interface EntryMeta {
  readonly storedAt: number;
  readonly initialAgeMs: number;
  readonly freshMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly revalidateAlways: boolean;
  readonly noStale: boolean;
}

/**
 * - fresh: reusable as is (RFC 9111 4.2: freshness_lifetime > current_age);
 * - stale-while-revalidate: serve now, refresh in the background (RFC 5861 3);
 * - stale-if-error-only: serve only if the origin fails or cannot be reached (RFC 5861 4);
 * - expired: reusable only after a successful validation (4.3). Not "delete": an entry with a
 *   validator still makes the revalidation conditional, and a 304 freshens it (4.3.4).
 */
export type EntryStateName = 'fresh' | 'stale-while-revalidate' | 'stale-if-error-only' | 'expired';

export interface EntryState {
  state: EntryStateName;
  /** current_age (4.2.3): corrected initial age + resident time. */
  ageMs: number;
  /** Remaining freshness, negative once stale (RFC 9211 Cache-Status `ttl`). */
  ttlMs: number;
}

/**
 * resident_time = now - response_time, never below 0 (a clock stepped back must not make an
 * entry younger than it arrived). no-cache entries are never fresh (5.2.2.4), and whatever
 * forbids stale serving (4.2.4) skips both stale windows: they were zeroed at store time, and
 * `noStale` is checked here again so a meta written by other code cannot widen them.
 */
export function entryState(meta: EntryMeta, now: number): EntryState {
  const ageMs = meta.initialAgeMs + Math.max(0, now - meta.storedAt);
  const ttlMs = meta.freshMs - ageMs;
  if (meta.revalidateAlways) return { state: 'expired', ageMs, ttlMs };
  if (ttlMs > 0) return { state: 'fresh', ageMs, ttlMs };
  if (meta.noStale) return { state: 'expired', ageMs, ttlMs };
  const staleness = -ttlMs;
  if (staleness < meta.staleWhileRevalidateMs) return { state: 'stale-while-revalidate', ageMs, ttlMs };
  if (staleness < meta.staleIfErrorMs) return { state: 'stale-if-error-only', ageMs, ttlMs };
  return { state: 'expired', ageMs, ttlMs };
}

/**
 * The Age field value (RFC 9111 5.1): whole seconds, rounded down, never negative; "if ... any of
 * its subsequent calculations overflows, the cache MUST consider the value to be 2147483648"
 * (1.2.2), so it saturates there.
 */
export function ageHeader(ageMs: number): string {
  return String(Math.min(DELTA_SECONDS_MAX, Math.floor(Math.max(0, ageMs) / 1000)));
}

/**
 * Epoch ms after which the entry is `expired` for good (past freshness and both windows): a store
 * can set its expiry from this, plus whatever it keeps entries with validators for revalidation.
 */
export function usableUntil(meta: EntryMeta): number {
  const freshUntil = meta.storedAt + meta.freshMs - meta.initialAgeMs;
  if (meta.revalidateAlways) return meta.storedAt;
  if (meta.noStale) return freshUntil;
  return freshUntil + Math.max(meta.staleWhileRevalidateMs, meta.staleIfErrorMs);
}
