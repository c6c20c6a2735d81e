import { randomBytes } from 'node:crypto';
import type { CacheBackend, CacheBackendOptions } from './cache-backend.js';
import { redisMemoryGauge } from './redis-memory-gauge.js';
import type { RedisClient } from './redis-client.js';

/** SCAN walks the whole keyspace whatever MATCH says: stats stop after ~200 calls (~200k keys) and say "unknown". */
const MAX_SCAN_CALLS = 200;

/**
 * Entries with TTLs (Redis evicts nothing else: run it with noeviction, docs/adr/0004), tag
 * generations and locks beside them. `run` is the store's guard (breaker, error translation).
 */
export function redisCacheBackend(client: RedisClient, prefix: string, run: <T>(op: () => Promise<T>) => Promise<T>, o: CacheBackendOptions, now: () => number = Date.now): CacheBackend {
  const room = redisMemoryGauge(client, o.redisMemoryShare, now);
  const scanKeys = async (pattern: string, each: (keys: string[]) => Promise<void>): Promise<boolean> => {
    // Cluster: SCAN per master (issue 9); a single node or Sentinel primary here.
    let cursor = '0';
    let calls = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', prefix + pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await each(keys);
      if (++calls >= MAX_SCAN_CALLS && cursor !== '0') return false;
    } while (cursor !== '0');
    return true;
  };

  return {
    lookup: (entryKey, tagKeys) => run(async () => {
      const values = await client.mgetBuffer(prefix + entryKey, ...tagKeys.map((k) => prefix + k));
      return { entry: values[0] ?? null, generations: values.slice(1).map((v) => (v === null ? null : v.toString())) };
    }),
    put: (entryKey, value, ttlMs) => run(async () => {
      if (!(await room.left(value.length))) return 'no-room';
      await client.set(prefix + entryKey, value, 'PX', Math.max(1, Math.round(ttlMs)));
      return 'stored';
    }),
    bump: (tagKeys, ttlMs) => run(async () => {
      if (tagKeys.length === 0) return;
      const multi = client.multi();
      for (const key of tagKeys) multi.set(prefix + key, randomBytes(8).toString('base64url'), 'PX', Math.max(1, Math.round(ttlMs)));
      await multi.exec();
    }),
    lock: (lockKey, ttlMs) => run(async () => {
      if ((await client.set(prefix + lockKey, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK') return 'acquired';
      return (await client.get(prefix + lockKey)) === 'pass' ? 'pass' : 'held';
    }),
    markPass: (lockKey, ttlMs) => run(async () => {
      await client.set(prefix + lockKey, 'pass', 'PX', Math.max(1, Math.round(ttlMs)));
    }),
    remove: (entryKey) => run(async () => {
      await client.del(prefix + entryKey);
    }),
    unlock: (lockKey) => run(async () => {
      await client.del(prefix + lockKey);
    }),
    measure: (routeOf) => run(async () => {
      const out = new Map<string, { entries: number; bytes: number }>();
      const complete = await scanKeys('c:e:*', async (keys) => {
        const pipeline = client.pipeline();
        for (const k of keys) pipeline.strlen(k);
        const lengths = (await pipeline.exec()) ?? [];
        lengths.forEach(([err, n], i) => {
          const route = routeOf(keys[i]!.slice(prefix.length));
          if (err || typeof n !== 'number' || n === 0 || route === null) return;
          const m = out.get(route) ?? { entries: 0, bytes: 0 };
          m.entries++;
          m.bytes += n;
          out.set(route, m);
        });
      });
      return complete ? out : null;
    }),
    deleteMatching: (pattern) => run(async () => {
      let n = 0;
      await scanKeys(pattern, async (keys) => {
        n += await client.unlink(...keys);
      });
      return n;
    }),
  };
}
