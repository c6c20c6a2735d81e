import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { MakeVariants } from '../cache/build-entry.js';
import { compressibility } from '../compression/compressible.js';
import { makeVariants } from '../compression/make-variants.js';
import { Coalescer, within } from '../cache/coalescer.js';
import { ALL_TAG, entryKey, pathTag, principalPart, principalPathTag, resolveTag, tagKey } from '../cache/cache-key.js';
import { entryState } from '../cache/policy/entry-state.js';
import { clientAccepts, requestDecision } from '../cache/policy/request-decision.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { StoreUnavailableError } from '../store/store.js';
import { createCacheFetch, forwardedOrigin } from './cache-fetch.js';
import { upstreamOfRoute, type UpstreamSet } from '../upstream/upstream-client.js';
import { answersRequest, fillBound, fillEntry, usableEntry, type FillDeps, type FillResult, type Lookup } from './cache-fill.js';
import { parseCacheControl } from '../cache/policy/parse-cache-control.js';
import { writeReply } from './relay-reply.js';
import type { HttpContext, Stage } from './request-context.js';
import { dropField, responseHead } from './response-head.js';
import { serveEntry } from './serve-entry.js';

export interface CacheStageDeps {
  cache: ResponseCache;
  upstreams: UpstreamSet;
  logger: Logger;
  clock: () => number;
}

// RFC 5861 4: the errors stale-if-error covers; a backend that cannot be reached or timed out is one too.
const ERROR_STATUSES = new Set([500, 502, 503, 504]);
const TIMED_OUT = Symbol('timed out');

/**
 * GET and HEAD on a route with `cache`: after the limits (hits are limited too), before the
 * proxy. One store round trip looks up the entry and its tags' generations; a fresh entry is
 * served (HIT), a stale one within stale-while-revalidate is served and refreshed in the
 * background once (STALE), anything else is filled: one backend request per key for this
 * process (Coalescer) and, through a store lock, for every instance (MISS). A backend failure
 * with an entry within stale-if-error serves that entry (STALE). A store failure sends the
 * request straight to the backend (BYPASS): the cache never fails a request.
 */
export function createCacheStage(route: CompiledRoute, config: GatewayConfig, deps: CacheStageDeps): Stage<HttpContext> {
  const rc = route.cache!;
  const { cache, clock } = deps;
  const fill: FillDeps = { cache, clock, fetch: createCacheFetch(route, config, upstreamOfRoute(deps.upstreams, route)), makeVariants: variantsFor(route) };
  const coalescer = new Coalescer<FillResult>();

  // Tags without placeholders are hashed once here, not per request (a hit's main CPU cost after TLS).
  const allKey = tagKey(ALL_TAG);
  const fixedKeys = rc.tags.map((t) => (t.every((part) => 'text' in part) ? tagKey(resolveTag(t, {}, null)!) : null));
  const tagKeysOf = (ctx: HttpContext): string[] => {
    const keys = [allKey, tagKey(pathTag(ctx.path))];
    // One caller's entries of a path, for the admin purge of a path for one principal.
    if (rc.scope === 'user' && ctx.principal !== null) keys.push(tagKey(principalPathTag(ctx.path, principalPart('user', ctx.principal))));
    for (let i = 0; i < rc.tags.length; i++) {
      const fixed = fixedKeys[i];
      if (fixed !== null && fixed !== undefined) {
        keys.push(fixed);
        continue;
      }
      const tag = resolveTag(rc.tags[i]!, ctx.params, ctx.principal);
      if (tag !== null) keys.push(tagKey(tag));
    }
    return keys;
  };

  const bypass = (ctx: HttpContext, next: () => Promise<void>, detail: string) => {
    cache.count(route.id, 'bypass');
    (ctx.extraHeaders ??= []).push('x-cache', 'BYPASS', 'cache-status', `gateway; fwd=bypass; detail=${detail}`);
    return next();
  };

  const serveStaleOnError = (ctx: HttpContext, at: Lookup, detail: string): boolean => {
    const stale = at.stale;
    if (stale === null || stale.meta.noStale) return false;
    const state = entryState(stale.meta, clock());
    if (-state.ttlMs > stale.meta.staleIfErrorMs) return false;
    cache.count(route.id, 'stale');
    serveEntry(ctx, stale, { xCache: 'STALE', cacheStatus: `gateway; fwd=stale; ttl=${seconds(state.ttlMs)}; detail=${detail}`, ageMs: state.ageMs });
    return true;
  };

  const answerFilled = async (ctx: HttpContext, at: Lookup, result: FillResult) => {
    if (result.entry !== null) {
      const state = entryState(result.entry.meta, clock());
      cache.count(route.id, result.revalidated ? 'hits' : 'misses');
      const stored = result.stored ? 'stored' : 'detail=not-stored';
      const status = result.revalidated ? `fwd=stale; fwd-status=304; ttl=${seconds(state.ttlMs)}; ${stored}` : `fwd=miss; ${result.collapsed ? 'collapsed' : stored}`;
      serveEntry(ctx, result.entry, { xCache: result.revalidated ? 'HIT' : 'MISS', cacheStatus: `gateway; ${status}`, ageMs: state.ageMs });
      return;
    }
    const reply = result.reply!;
    if (ERROR_STATUSES.has(reply.status) && serveStaleOnError(ctx, at, `fwd-status-${reply.status}`)) {
      reply.rest?.destroy();
      return;
    }
    cache.count(route.id, 'misses');
    // The backend's own X-Cache is not ours to pass on; its Cache-Status members stay before ours (RFC 9211 2).
    const head = dropped(responseHead(ctx, reply.status, reply.headers), 'x-cache');
    head.push('x-cache', 'MISS', 'cache-status', `gateway; fwd=miss; fwd-status=${reply.status}; detail=${result.reason}`);
    await writeReply(ctx, reply, head);
  };

  const refreshInBackground = (ctx: HttpContext, at: Lookup, flight: string) => {
    if (coalescer.pending(flight) !== undefined) return;
    coalescer.run(flight, () => fillEntry(ctx, at, fill, true)).then(
      (r) => r.reply?.rest?.destroy(),
      (err: unknown) => deps.logger.debug({ kind: 'cache', route: route.id, err: (err as Error).message }, 'background refresh failed'),
    );
  };

  return async (ctx, next) => {
    const { req } = ctx;
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // A GET with a body, or a range, is passed through: neither is what an entry answers.
    if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') return bypass(ctx, next, 'request-body');
    if (req.headers['transfer-encoding'] !== undefined) return bypass(ctx, next, 'request-body');
    if (req.headers.range !== undefined) return bypass(ctx, next, 'range');
    const asked = requestDecision(req.headers, { honourClientNoCache: rc.allowClientNoCache });
    if (asked.bypass) return bypass(ctx, next, 'request-no-store');

    const key = entryKey(rc, { routeId: route.id, path: ctx.path, query: ctx.query, principal: ctx.principal, headers: req.headers, origin: forwardedOrigin(ctx) });
    const tagKeys = tagKeysOf(ctx);
    let found: { entry: Buffer | null; generations: (string | null)[] };
    try {
      found = await cache.backend.lookup(key, tagKeys);
      cache.storeAnswered();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      cache.storeFailed(err);
      return bypass(ctx, next, 'store-unavailable');
    }
    const entry = usableEntry(found, ctx, tagKeys.length);
    const at: Lookup = { key, tagKeys, generations: found.generations, stale: entry };
    if (entry !== null && !asked.revalidate && !entry.meta.revalidateAlways) {
      const state = entryState(entry.meta, clock());
      if (state.state === 'fresh' && clientAccepts(asked, state)) {
        cache.count(route.id, 'hits');
        return serveEntry(ctx, entry, { xCache: 'HIT', cacheStatus: `gateway; hit; ttl=${seconds(state.ttlMs)}`, ageMs: state.ageMs });
      }
      if (state.state === 'stale-while-revalidate' && !entry.meta.noStale) {
        cache.count(route.id, 'stale');
        refreshInBackground(ctx, at, flightOf(at));
        return serveEntry(ctx, entry, { xCache: 'STALE', cacheStatus: `gateway; fwd=stale; ttl=${seconds(state.ttlMs)}`, ageMs: state.ageMs });
      }
    }
    // RFC 9111 5.2.1.7: only-if-cached and nothing usable: 504, the backend is not asked.
    if (asked.onlyIfCached) {
      if (entry !== null && serveStaleOnError(ctx, at, 'only-if-cached')) return;
      (ctx.extraHeaders ??= []).push('x-cache', 'MISS', 'cache-status', 'gateway; fwd=miss; detail=only-if-cached');
      throw new GatewayError('cache.not_cached');
    }
    // RFC 9111 5.2.1.5: a request's no-store forbids storing its response; a stored one may still answer it.
    if (clientNoStore(req.headers['cache-control'])) {
      return bypass(ctx, next, 'request-no-store');
    }

    let result: FillResult;
    try {
      // A fill started before an invalidation (other generations) answers with what was true
      // before it: a read after a write or a purge never joins it.
      const flight = flightOf(at);
      const pending = coalescer.pending(flight);
      const shared = pending === undefined ? TIMED_OUT : await within(pending, fillBound(route), TIMED_OUT);
      // The leader's answer is shared only when it is an entry that answers this request too (the
      // fields its Vary names); an answer that could not be stored is the leader's alone.
      if (shared !== TIMED_OUT && shared.entry !== null && answersRequest(shared.entry, ctx)) result = { ...shared, collapsed: true, revalidated: false };
      else if (pending === undefined) result = await coalescer.run(flight, () => fillEntry(ctx, at, fill));
      else result = await fillEntry(ctx, at, fill);
    } catch (err) {
      if (err instanceof GatewayError && err.code.startsWith('upstream.') && serveStaleOnError(ctx, at, err.code)) return;
      cache.count(route.id, 'misses');
      (ctx.extraHeaders ??= []).push('x-cache', 'MISS', 'cache-status', `gateway; fwd=miss; detail=${err instanceof GatewayError ? err.code : 'error'}`);
      throw err;
    }
    await answerFilled(ctx, at, result);
  };
}

function seconds(ms: number): number {
  return ms >= 0 ? Math.floor(ms / 1000) : -Math.ceil(-ms / 1000);
}

/** The route's compression settings decide the stored variants; a route that does not compress stores identity only. */
function variantsFor(route: CompiledRoute): MakeVariants {
  const settings = route.compression;
  if (settings === null) return () => Promise.resolve({});
  return (body, headers) => (compressibility('GET', 200, headers, settings) === 'compress' ? makeVariants(body, headers['content-type'], settings) : Promise.resolve({}));
}

function clientNoStore(value: string | undefined): boolean {
  return value !== undefined && parseCacheControl(value).has('no-store');
}

function dropped(flat: string[], name: string): string[] {
  dropField(flat, name);
  return flat;
}

/** The in-process fill a request may join: the same key under the same tag generations. */
function flightOf(at: Lookup): string {
  return `${at.key}\u0000${at.generations.join('\u0000')}`;
}
