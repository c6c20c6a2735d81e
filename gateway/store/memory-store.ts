import type { CacheBackend } from './cache-backend.js';
import { memoryCacheBackend } from './memory-cache-backend.js';
import { memoryLimiterBackend } from './limiter-backend.js';
import type { Store } from './store.js';

interface Entry {
  value: Buffer;
  expiresAt: number; // Infinity: no expiry
}

/** The embedded single-instance store. Expiry is lazy on read plus a periodic sweep. */
export function createMemoryStore(now: () => number = Date.now, sweepEveryMs = 30_000): Store {
  const entries = new Map<string, Entry>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of entries) if (e.expiresAt <= t) entries.delete(k);
  }, sweepEveryMs);
  sweep.unref();

  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  let cache: CacheBackend | null = null;
  const toBuffer = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));

  return {
    describe: () => 'memory',
    createLimiterBackend: memoryLimiterBackend,
    cacheBackend: (o) => (cache ??= memoryCacheBackend(o, now)),
    async get(key) {
      return live(key)?.value ?? null;
    },
    async getMany(keys) {
      return keys.map((k) => live(k)?.value ?? null);
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value: toBuffer(value), expiresAt: ttlMs === undefined ? Infinity : now() + ttlMs });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value: toBuffer(value), expiresAt: now() + ttlMs });
      return true;
    },
    async delete(...keys) {
      let n = 0;
      for (const k of keys) if (live(k) && entries.delete(k)) n++;
      return n;
    },
    async exists(key) {
      return live(key) !== undefined;
    },
    async ttl(key) {
      const e = live(key);
      if (!e) return -2;
      return e.expiresAt === Infinity ? -1 : e.expiresAt - now();
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
