import type { RouteCache } from '../config/compile-config.js';
import { buildEntry, storeLifetime, type MakeVariants } from '../cache/build-entry.js';
import { decodeEntry, encodeEntry, type Entry } from '../cache/cache-entry.js';
import { hash, headerValue, lockKey } from '../cache/cache-key.js';
import { replayableHeaders } from '../cache/replayable-headers.js';
import { conditionalRequestHeaders } from '../cache/policy/conditional-request.js';
import { entryState } from '../cache/policy/entry-state.js';
import { headersAfterNotModified, notModifiedApplies } from '../cache/policy/headers-after-not-modified.js';
import { storeDecision, type StoreYes } from '../cache/policy/store-decision.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { BackendReply } from '../upstream/backend-exchange.js';
import type { CacheFetch } from './cache-fetch.js';
import type { HttpContext } from './request-context.js';

/** What a fill gives: a usable entry (stored, or revalidated), or the backend's answer that could not be stored (for the filler only). */
export type FillResult =
  | { entry: Entry; revalidated: boolean; collapsed: boolean; stored: boolean; reply: null; reason: null }
  | { entry: null; revalidated: false; collapsed: false; stored: false; reply: BackendReply | null; reason: string };

export interface Lookup {
  key: string;
  tagKeys: string[];
  /** The tags' generations when looked up: stored with the entry, so an invalidation racing the fill wins. */
  generations: (string | null)[];
  /** The stored entry, usable or stale, to revalidate and to fall back on. */
  stale: Entry | null;
}

export interface FillDeps {
  cache: ResponseCache;
  fetch: CacheFetch;
  clock: () => number;
  makeVariants: MakeVariants;
}

const POLL_MS = 25;

/**
 * How long a fill may take: the backend's own deadlines for this route. Waiters (in the process
 * and on other instances) wait that long for it, and its store lock lasts that long: a slow
 * backend is asked once, not once more per waiter that gave up.
 */
export function fillBound(route: { headersTimeout: number; bodyTimeout: number }): number {
  return route.headersTimeout + route.bodyTimeout + 1000;
}

/** How long a key whose answer could not be stored is filled without coordination (hit-for-pass). */
const PASS_MS = 5000;

/**
 * Fills one key: takes the store lock so that one instance asks the backend while the others
 * poll for the entry it stores (as long as the fill may take, then they go themselves);
 * revalidates a stale entry with a conditional request (RFC 9111 4.3) and keeps it on 304;
 * stores what the policy allows. An answer that cannot be stored (no-store, Set-Cookie, too
 * large ...) leaves a short pass mark instead of the lock: the requests behind it go to the
 * backend side by side rather than one after another. `background` (stale-while-revalidate):
 * when another instance holds the lock, it is already refreshing; do nothing.
 */
export async function fillEntry(ctx: HttpContext, at: Lookup, deps: FillDeps, background = false): Promise<FillResult> {
  const { cache, clock } = deps;
  const lock = lockKey(at.key);
  const lease = fillBound(ctx.route!);
  // A store that fails here: fill without coordination rather than not at all.
  const tryLock = () => cache.backend.lock(lock, lease).catch(() => 'pass' as const);
  let state = await tryLock();
  if (state === 'held') {
    if (background) return { entry: null, revalidated: false, collapsed: false, stored: false, reply: null, reason: 'refreshing elsewhere' };
    const deadline = clock() + lease;
    while (state === 'held' && clock() < deadline) {
      await sleep(POLL_MS);
      const found = await cache.backend.lookup(at.key, at.tagKeys).catch(() => null);
      const entry = found && usableEntry(found, ctx, at.tagKeys.length);
      if (entry && entryState(entry.meta, clock()).state === 'fresh') return { entry, revalidated: false, collapsed: true, stored: true, reply: null, reason: null };
      state = await tryLock();
    }
  }
  if (state !== 'acquired') return fetchAndStore(ctx, at, deps);
  let result: FillResult;
  try {
    result = await fetchAndStore(ctx, at, deps);
  } catch (err) {
    await cache.backend.unlock(lock).catch(() => {});
    throw err;
  }
  const pass = result.entry === null && result.reply !== null && result.reply.status < 500;
  await (pass ? cache.backend.markPass(lock, PASS_MS) : cache.backend.unlock(lock)).catch(() => {});
  return result;
}

async function fetchAndStore(ctx: HttpContext, at: Lookup, deps: FillDeps): Promise<FillResult> {
  const route = ctx.route!;
  const rc = route.cache!;
  const stale = at.stale;
  const requestTime = deps.clock();
  const reply = await deps.fetch(ctx, stale ? { ...conditionalRequestHeaders(stale.meta.headers) } : {});
  const responseTime = deps.clock();
  const input = { method: 'GET', requestHeaders: ctx.req.headers, requestTime, responseTime };
  if (reply.status === 304 && stale !== null) {
    reply.rest?.destroy();
    // RFC 9111 4.3.4: a 304 that does not match the stored response (another validator) cannot
    // update it, and the client never asked a conditional question: ask again, unconditionally.
    if (!notModifiedApplies(stale.meta.headers, reply.headers)) return fetchAndStore(ctx, { ...at, stale: null }, deps);
    // The stored response, its fields updated from the 304 (never its per-exchange ones), fresh again.
    const headers = replayableHeaders(headersAfterNotModified(stale.meta.headers, reply.headers), route.responseDrop);
    const decision = storeDecision({ ...input, status: stale.meta.status, responseHeaders: headers }, rules(rc, ctx));
    // Not storable any more (the 304 said no-store): it answers this request once and is dropped.
    const freshness = decision.store ? freshnessOf(decision) : { ...freshnessOf(NOT_FRESH), noStale: true };
    const entry: Entry = { ...stale, meta: { ...stale.meta, headers, storedAt: responseTime, ...freshness, generations: at.generations } };
    const stored = decision.store && await store(deps, at.key, entry);
    if (!decision.store) await deps.cache.backend.remove(at.key).catch(() => {});
    return { entry, revalidated: true, collapsed: false, stored, reply: null, reason: null };
  }
  if (reply.rest !== null) return notStored(reply, 'too-large');
  const encoding = reply.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') return notStored(reply, 'encoded');
  const decision = storeDecision({ ...input, status: reply.status, responseHeaders: reply.headers }, rules(rc, ctx));
  if (!decision.store) return notStored(reply, decision.reason);
  const vary: Record<string, string> = {};
  // Hashed: a Vary may name Authorization or Cookie, whose values must not sit in the store.
  for (const name of decision.vary) if (name !== 'accept-encoding' && !rc.varyHeaders.includes(name)) vary[name] = hash(headerValue(ctx.req.headers, name));
  const entry = await buildEntry(reply, freshnessOf(decision), { receivedAt: responseTime, generations: at.generations, vary, drop: route.responseDrop, makeVariants: deps.makeVariants });
  const stored = await store(deps, at.key, entry);
  return { entry, revalidated: false, collapsed: false, stored, reply: null, reason: null };
}

function notStored(reply: BackendReply, reason: string): FillResult {
  return { entry: null, revalidated: false, collapsed: false, stored: false, reply, reason };
}

/** false when the store kept nothing (no room, too large, failed): the entry still answers this fill's requests. */
function store(deps: FillDeps, key: string, entry: Entry): Promise<boolean> {
  return deps.cache.put(key, encodeEntry(entry), storeLifetime(entry.meta, deps.cache.maxTtl));
}

type Stored = StoreYes;
const NOT_FRESH: Stored = { store: true, freshMs: 0, staleWhileRevalidateMs: 0, staleIfErrorMs: 0, initialAgeMs: 0, revalidateAlways: true, noStale: true, vary: [] };

function freshnessOf(d: Stored) {
  return {
    freshMs: d.freshMs, staleWhileRevalidateMs: d.staleWhileRevalidateMs, staleIfErrorMs: d.staleIfErrorMs,
    initialAgeMs: d.initialAgeMs, revalidateAlways: d.revalidateAlways, noStale: d.noStale,
  };
}

export function rules(rc: RouteCache, ctx: HttpContext) {
  return {
    ttlMs: rc.ttlMs, staleWhileRevalidateMs: rc.staleWhileRevalidateMs, staleIfErrorMs: rc.staleIfErrorMs,
    // `private` is kept in user scope because the entry is one verified caller's; anonymous
    // callers of an optional route share theirs, so for them the scope is as good as shared.
    scope: rc.scope === 'user' && ctx.principal === null ? 'shared' as const : rc.scope,
    statuses: rc.statuses, respectUpstream: rc.respectUpstream,
    // RFC 9111 3.5 speaks of Authorization; an API key is the same kind of credential.
    requestHadAuthorization: ctx.principal !== null,
  };
}

/**
 * The stored entry if it still answers this request: decodable, stored under the tags'
 * current generations (none invalidated since), and for the same values of the fields its
 * Vary names (RFC 9111 4.1; the route's varyHeaders are in the key already).
 */
export function usableEntry(found: { entry: Buffer | null; generations: (string | null)[] }, ctx: HttpContext, tagCount: number): Entry | null {
  if (found.entry === null || found.entry.length === 0) return null;
  const entry = decodeEntry(found.entry);
  if (entry === null) return null;
  const stored = entry.meta.generations;
  if (stored.length !== tagCount) return null;
  for (let i = 0; i < tagCount; i++) if (stored[i] !== found.generations[i]) return null;
  return answersRequest(entry, ctx) ? entry : null;
}

/** RFC 9111 4.1: the request has the values the entry was stored for in the fields its Vary names (also for a collapsed wait). */
export function answersRequest(entry: Entry, ctx: HttpContext): boolean {
  for (const name in entry.meta.vary) if (hash(headerValue(ctx.req.headers, name)) !== entry.meta.vary[name]) return false;
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
