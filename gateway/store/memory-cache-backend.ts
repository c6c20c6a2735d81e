import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { globToRegExp, type CacheBackend, type CacheBackendOptions } from './cache-backend.js';

/** What an entry costs beyond its bytes (the Buffer object, the key string, the LRU's slots), measured roughly. */
const ENTRY_OVERHEAD = 400;

/**
 * Entries in an LRU bounded by bytes (lru-cache: maintained, size- and TTL-aware, O(1)); tags and
 * locks in small maps. A process has one: the store outlives reloads, and so do its entries.
 */
export function memoryCacheBackend(o: CacheBackendOptions, now: () => number): CacheBackend {
  const entries = new LRUCache<string, Buffer>({
    maxSize: o.maxMemoryBytes,
    sizeCalculation: (value, key) => value.length + key.length + ENTRY_OVERHEAD,
    ttlAutopurge: false,
    perf: { now },
  });
  const tags = new Map<string, { generation: string; until: number }>();
  const locks = new Map<string, { until: number; pass: boolean }>();
  const generation = (key: string): string | null => {
    const t = tags.get(key);
    if (t === undefined) return null;
    if (t.until > now()) return t.generation;
    tags.delete(key);
    return null;
  };

  return {
    async lookup(entryKey, tagKeys) {
      return { entry: entries.get(entryKey) ?? null, generations: tagKeys.map(generation) };
    },
    async put(entryKey, value, ttlMs) {
      // lru-cache refuses (silently) a value larger than its whole bound.
      if (value.length + entryKey.length + ENTRY_OVERHEAD > o.maxMemoryBytes) return 'too-large';
      // A small Buffer from Buffer.concat is a view of an 8 KiB pool slab and would keep the whole
      // slab alive: an entry of 300 bytes cost 8 KiB. Stored entries get memory of their own.
      const own = Buffer.allocUnsafeSlow(value.length);
      value.copy(own);
      entries.set(entryKey, own, { ttl: Math.max(1, Math.round(ttlMs)) });
      return 'stored';
    },
    async bump(tagKeys, ttlMs) {
      for (const key of tagKeys) tags.set(key, { generation: randomBytes(8).toString('base64url'), until: now() + ttlMs });
    },
    async lock(lockKey, ttlMs) {
      const held = locks.get(lockKey);
      if (held !== undefined && held.until > now()) return held.pass ? 'pass' : 'held';
      locks.set(lockKey, { until: now() + ttlMs, pass: false });
      return 'acquired';
    },
    async markPass(lockKey, ttlMs) {
      locks.set(lockKey, { until: now() + ttlMs, pass: true });
    },
    async remove(entryKey) {
      entries.delete(entryKey);
    },
    async unlock(lockKey) {
      locks.delete(lockKey);
    },
    async measure(routeOf) {
      const out = new Map<string, { entries: number; bytes: number }>();
      for (const [key, value] of entries.entries()) {
        const route = routeOf(key);
        if (route === null) continue;
        const m = out.get(route) ?? { entries: 0, bytes: 0 };
        m.entries++;
        m.bytes += value.length;
        out.set(route, m);
      }
      return out;
    },
    async deleteMatching(pattern) {
      const re = globToRegExp(pattern);
      let n = 0;
      for (const key of [...entries.keys()]) if (re.test(key) && entries.delete(key)) n++;
      return n;
    },
  };
}
