import type { GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import type { Increment, Metrics } from '../observability/metrics.js';
import type { CacheBackend } from '../store/cache-backend.js';
import type { Store } from '../store/store.js';
import type { CacheAdmin, RouteCacheStats } from './cache-admin.js';
import { ALL_TAG, pathPattern, pathTag, principalPart, principalPathTag, routeOfKey, tagKey } from './cache-key.js';

export type Outcome = 'hits' | 'misses' | 'stale' | 'bypass';
type Counters = Record<Outcome, number>;
/** A route's counters (for /admin/cache/stats) and its metrics (bound once, for /metrics). */
interface RouteCounters {
  readonly counts: Counters;
  readonly metrics: Readonly<Record<Outcome, Increment>>;
}

/**
 * The cache of one runtime: the store's cache backend, this instance's counters (kept across
 * reloads, and counted in the metrics too), the once-per-outage log line, and the admin
 * operations. The stage (pipeline/cache-stage.ts) does the per-request work.
 */
export interface ResponseCache extends CacheAdmin {
  readonly backend: CacheBackend;
  readonly maxTtl: number;
  /** Generations live longer than any entry can, so an entry never outlives its tags' record. */
  readonly tagTtl: number;
  count(routeId: string, outcome: Outcome): void;
  /** A lookup failed: the cache is bypassed, logged once until a lookup answers again. */
  storeFailed(err: unknown): void;
  storeAnswered(): void;
  /**
   * Stores an entry; false when it was not stored (no room in Redis, larger than the memory
   * bound, or the write failed), each kind of refusal logged once until a write succeeds.
   */
  put(key: string, value: Buffer, ttlMs: number): Promise<boolean>;
  /** Bumps tag generations: every instance sees the entries carrying them as gone. */
  invalidate(tags: readonly string[]): Promise<void>;
  readonly counters: Map<string, RouteCounters>;
}

export function createResponseCache(config: GatewayConfig, store: Store, logger: Logger, metrics: Metrics, previous?: ResponseCache): ResponseCache {
  const backend = store.cacheBackend({ maxMemoryBytes: config.cache.maxMemory, redisMemoryShare: config.cache.redisMemoryShare });
  const counters = previous?.counters ?? new Map<string, RouteCounters>();
  // Longer than any entry stored before a bump can live (maxTtl): such an entry never sees the
  // tag expire back to "never bumped". Not much longer: anonymous writes bump tags too.
  const tagTtl = config.cache.maxTtl + 60_000;
  let failing = false;
  let refusing: string | null = null;
  let tooLargeTold = false;
  const refused = (why: string, detail?: string) => {
    // An entry too large for the whole bound is told once: the next small one must not re-arm it.
    if (why === 'too-large') {
      if (!tooLargeTold) logger.warn({ kind: 'cache' }, 'cache entry larger than cache.maxMemory: not stored (told once)');
      tooLargeTold = true;
      return false;
    }
    if (refusing === why) return false;
    refusing = why;
    logger.warn({ kind: 'cache', why, err: detail }, why === 'no-room'
      ? 'cache writes paused: Redis uses more than cache.redisMemoryShare of its maxmemory; sessions and limits keep the rest'
      : 'cache write refused by the store');
    return false;
  };
  const counterOf = (routeId: string): RouteCounters => {
    let c = counters.get(routeId);
    if (c === undefined) counters.set(routeId, (c = { counts: { hits: 0, misses: 0, stale: 0, bypass: 0 }, metrics: metrics.cacheOutcomes(routeId) }));
    return c;
  };
  // Every cached route's series exist (at zero) from the start.
  for (const route of config.routes) if (route.cache !== null) counterOf(route.id);
  const invalidate = (tags: readonly string[]) => backend.bump(tags.map(tagKey), tagTtl);

  return {
    backend,
    maxTtl: config.cache.maxTtl,
    tagTtl,
    counters,
    count: (routeId, outcome) => {
      const c = counterOf(routeId);
      c.counts[outcome]++;
      c.metrics[outcome].inc();
    },
    storeFailed(err) {
      if (failing) return;
      failing = true;
      logger.warn({ kind: 'cache', err: (err as Error).message }, 'cache bypassed: the store is not answering; requests go to the backend');
    },
    storeAnswered() {
      if (!failing) return;
      failing = false;
      logger.info({ kind: 'cache' }, 'cache serving again');
    },
    invalidate,
    async put(key, value, ttlMs) {
      try {
        const result = await backend.put(key, value, ttlMs);
        if (result !== 'stored') return refused(result);
      } catch (err) {
        return refused('failed', (err as Error).message);
      }
      if (refusing !== null) {
        refusing = null;
        logger.info({ kind: 'cache' }, 'cache writes stored again');
      }
      return true;
    },
    async purgeTags(tags) {
      await invalidate(tags);
      return tags.length;
    },
    async purgePath(path, principal) {
      // The path's tag makes every entry of it stale on every instance, fills in flight included;
      // deleting by key pattern frees the space and counts them. One caller's: by key alone.
      // A tag, not only the deletion, so a fill in flight or a scan cut short cannot leave one behind.
      if (principal === undefined) {
        await invalidate([pathTag(path)]);
        return backend.deleteMatching(pathPattern(path, null));
      }
      const part = principalPart('user', { ...principal, roles: new Set() });
      await invalidate([principalPathTag(path, part)]);
      return backend.deleteMatching(pathPattern(path, part));
    },
    async purgeAll() {
      await invalidate([ALL_TAG]);
    },
    async stats(): Promise<RouteCacheStats[]> {
      const out: RouteCacheStats[] = [];
      const sizes = await backend.measure(routeOfKey);
      for (const route of config.routes) {
        if (route.cache === null) continue;
        const c = counterOf(route.id).counts;
        const size = sizes === null ? null : sizes.get(route.id) ?? { entries: 0, bytes: 0 };
        const served = c.hits + c.misses + c.stale;
        out.push({ route: route.id, entries: size?.entries ?? null, bytes: size?.bytes ?? null, ...c, hitRatio: served === 0 ? null : (c.hits + c.stale) / served });
      }
      return out;
    },
  };
}

