import type { HeaderRecord } from './header-value.js';
import { deltaSeconds, flag, parseCacheControl, type CacheDirectives } from './parse-cache-control.js';
import { explicitLifetimeMs, heuristicLifetimeMs } from './freshness-lifetime.js';
import { initialAgeMs, responseDateMs } from './initial-age.js';
import { hasValidator } from './conditional-request.js';
import { parseVary } from './vary.js';
import { staleWindowMs } from './stale-window.js';
import { HEURISTICALLY_CACHEABLE, UNDERSTOOD_STATUSES } from './status-codes.js';

export type CacheScope = 'user' | 'role' | 'shared';

export interface StoreRules {
  /** null: HTTP mode (RFC 9111 shared cache); a number: the route's TTL. */
  readonly ttlMs: number | null;
  readonly staleWhileRevalidateMs: number | null;
  readonly staleIfErrorMs: number | null;
  readonly scope: CacheScope;
  readonly statuses: ReadonlySet<number>;
  readonly respectUpstream: boolean;
  readonly requestHadAuthorization: boolean;
}

export interface StoreInput {
  readonly method: string;
  readonly requestHeaders: HeaderRecord;
  readonly status: number;
  readonly responseHeaders: HeaderRecord;
  /** Epoch ms when the request went upstream and when its response head arrived (4.2.3). */
  readonly requestTime: number;
  readonly responseTime: number;
}

export type NoStoreReason =
  | 'method' | 'status' | 'no-store' | 'set-cookie' | 'vary-star' | 'vary-invalid' | 'private'
  | 'authorization' | 'no-freshness' | 'no-cache-without-validator';

export interface StoreYes {
  store: true;
  /** Freshness lifetime (4.2.1), compared with the current age: fresh while age < freshMs. */
  freshMs: number;
  staleWhileRevalidateMs: number;
  staleIfErrorMs: number;
  /** corrected_initial_age (4.2.3); store it with storedAt = input.responseTime. */
  initialAgeMs: number;
  /** no-cache: never reused without a successful validation (5.2.2.4). */
  revalidateAlways: boolean;
  /** Stale serving forbidden (4.2.4): must-revalidate, proxy-revalidate, s-maxage, no-cache. */
  noStale: boolean;
  /** Lower-cased field names from Vary: the secondary key (4.1). */
  vary: string[];
}

export type StoreDecision = { store: false; reason: NoStoreReason } | StoreYes;

/**
 * May this response be stored, and with which freshness? RFC 9111 3 for the "must not store"
 * rules, 4.2 for freshness. TTL mode (rules.ttlMs set): the operator's TTL is the lifetime,
 * counted from storage (so freshMs = initial age + ttl); with respectUpstream a lower explicit
 * lifetime (4.2.1 order: s-maxage, max-age, Expires) shortens it. In both modes the response's
 * in-protocol MUSTs hold: no-store, private, no-cache (revalidate always), and the stale
 * prohibitions of must-revalidate / proxy-revalidate / s-maxage (4.2.4); respectUpstream only
 * decides whether upstream lifetimes and RFC 5861 windows count.
 *
 * After a 304 the caller runs this again on the merged headers (headers-after-not-modified.ts)
 * with the revalidation's times: 4.3.4 freshens the entry, and a no-store there removes it.
 */
export function storeDecision(input: StoreInput, rules: StoreRules): StoreDecision {
  const h = input.responseHeaders;
  // 3: "the request method is understood by the cache"; the key holds the method, so a HEAD
  // entry (no body) only ever answers a HEAD.
  if (input.method !== 'GET' && input.method !== 'HEAD') return no('method');
  const cc = parseCacheControl(h['cache-control']);
  if (!rules.statuses.has(input.status) || !statusStorable(input.status, cc, rules.ttlMs === null)) return no('status');
  if (cc.has('no-store')) return no('no-store'); // 5.2.2.5 (5.2.2.3's SHOULD to ignore it: not taken)
  if (h['set-cookie'] !== undefined) return no('set-cookie'); // issue 8: never replay a cookie
  const vary = parseVary(h['vary']);
  if (vary === '*') return no('vary-star');
  if (vary === null) return no('vary-invalid');
  // 5.2.2.7: a shared cache MUST NOT store a private response. A qualified private="field" would
  // allow storing without those fields (a MAY); we take the simpler reading and do not store.
  // In `user` scope the entry is keyed by the principal (see below), so it is that user's alone.
  if (cc.has('private') && rules.scope !== 'user') return no('private');
  // 3.5: a shared cache reuses a response to a request with Authorization only when public,
  // s-maxage or must-revalidate allows it. A `user` entry is keyed by the principal the gateway
  // itself authenticated, so it is reused only for requests bearing that same principal's
  // credentials: the guarantee a private cache gives, which is what 3.5 protects. `role` and
  // `shared` entries serve other principals, so the rule applies. Either signal counts: the
  // gateway's own authentication, or an Authorization header the client sent anyway.
  // With a `ttl` the operator has taken this decision: `role` or `shared` on an authenticated
  // route can only be written on purpose (the default there is `user`), stating that the answer
  // is the same for everyone in the scope (`gateway check` warns about `shared`).
  const authorized = rules.requestHadAuthorization || input.requestHeaders['authorization'] !== undefined;
  if (authorized && rules.ttlMs === null && rules.scope !== 'user' && !allowsAuthorized(cc)) return no('authorization');

  const dateMs = responseDateMs(h, input.responseTime);
  const ageMs = initialAgeMs(h, input.requestTime, input.responseTime);
  const explicit = explicitLifetimeMs(cc, h, dateMs);
  let freshMs: number;
  if (rules.ttlMs !== null) {
    freshMs = ageMs + rules.ttlMs;
    if (rules.respectUpstream && explicit !== null) freshMs = Math.min(freshMs, explicit);
  } else if (explicit !== null) {
    freshMs = explicit;
  } else if (HEURISTICALLY_CACHEABLE.has(input.status) || flag(cc, 'public') || (rules.scope === 'user' && cc.has('private'))) {
    // 4.2.2: heuristics only without explicit expiry, for heuristically cacheable statuses or
    // responses marked cacheable (public; private where the entry is one user's).
    freshMs = heuristicLifetimeMs(h, dateMs);
  } else {
    return no('no-freshness'); // 3: nothing in the response makes it storable
  }

  const validator = hasValidator(h);
  const revalidateAlways = cc.has('no-cache'); // 5.2.2.4; with field names: the same, simplest faithful
  if (revalidateAlways && !validator) return no('no-cache-without-validator');
  const noStale = revalidateAlways || cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.has('s-maxage');
  const readDirectives = rules.ttlMs === null || rules.respectUpstream;
  const swr = noStale ? 0 : staleWindowMs(rules.staleWhileRevalidateMs, cc, 'stale-while-revalidate', readDirectives);
  const sie = noStale ? 0 : staleWindowMs(rules.staleIfErrorMs, cc, 'stale-if-error', readDirectives);
  // Stale on arrival with nothing to validate against and no stale window: no later request
  // could use it.
  if (freshMs <= ageMs && !validator && swr === 0 && sie === 0) return no('no-freshness');
  return {
    store: true, freshMs, staleWhileRevalidateMs: swr, staleIfErrorMs: sie, initialAgeMs: ageMs,
    revalidateAlways, noStale, vary,
  };
}

function no(reason: NoStoreReason): StoreDecision {
  return { store: false, reason };
}

/**
 * 3: only final statuses; in HTTP mode only the ones this cache understands (status-codes.ts),
 * in TTL mode the operator's list is the contract but 1xx, 206 and 304 are never whole responses.
 * must-understand (5.2.2.3): a status not understood MUST NOT be stored, in either mode.
 */
function statusStorable(status: number, cc: CacheDirectives, httpMode: boolean): boolean {
  if (httpMode || cc.has('must-understand')) return UNDERSTOOD_STATUSES.has(status);
  return status >= 200 && status !== 206 && status !== 304;
}

/** 3.5: public, s-maxage or must-revalidate, each in a well-formed form. */
function allowsAuthorized(cc: CacheDirectives): boolean {
  return flag(cc, 'public') || flag(cc, 'must-revalidate') || typeof deltaSeconds(cc, 's-maxage') === 'number';
}
