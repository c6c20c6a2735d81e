import type { CacheBackend } from './cache-backend.js';
import { memoryCacheBackend } from './memory-cache-backend.js';
import { memoryLimiterBackend } from './limiter-backend.js';
import type { Store, StoreWrite } from './store.js';

interface Entry {
  value: Buffer;
  expiresAt: number; // Infinity: no expiry
}

/** The embedded single-instance store. Expiry is lazy on read plus a periodic sweep. */
export function createMemoryStore(now: () => number = Date.now, sweepEveryMs = 30_000): Store {
  const entries = new Map<string, Entry>();
  // Hashes never expire (the auth directory's records stay until removed).
  const hashes = new Map<string, Map<string, Buffer>>();
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

  const applyWrite = (w: StoreWrite): number => {
    switch (w.op) {
      case 'hset': {
        const hash = hashes.get(w.key) ?? new Map<string, Buffer>();
        hashes.set(w.key, hash);
        const isNew = !hash.has(w.field);
        if (isNew || !w.ifAbsent) hash.set(w.field, Buffer.from(w.value));
        return isNew ? 1 : 0;
      }
      case 'hdel': {
        const hash = hashes.get(w.key);
        const had = hash?.delete(w.field) ?? false;
        if (hash?.size === 0) hashes.delete(w.key);
        return had ? 1 : 0;
      }
      case 'incr': {
        const next = Number(live(w.key)?.value.toString() ?? '0') + 1;
        entries.set(w.key, { value: Buffer.from(String(next)), expiresAt: live(w.key)?.expiresAt ?? Infinity });
        return next;
      }
    }
  };

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
      for (const k of keys) if ((live(k) && entries.delete(k)) || hashes.delete(k)) n++;
      return n;
    },
    async exists(key) {
      return live(key) !== undefined || hashes.has(key);
    },
    async ttl(key) {
      const e = live(key);
      if (!e) return -2;
      return e.expiresAt === Infinity ? -1 : e.expiresAt - now();
    },
    async hashGetAll(key) {
      return new Map(hashes.get(key) ?? []);
    },
    async hashGet(key, field) {
      return hashes.get(key)?.get(field) ?? null;
    },
    async multi(writes) {
      // One synchronous pass: nothing else runs in between, as nothing does between MULTI and EXEC.
      return writes.map((w) => applyWrite(w));
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
      hashes.clear();
    },
  };
}
