import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheBackend, CacheBackendOptions } from './cache-backend.js';
import { redisMemoryGauge } from './redis-memory-gauge.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeyspace } from './redis-keyspace.js';

/** SCAN walks the whole keyspace whatever MATCH says: stats stop after ~200 calls (~200k keys) and say "unknown". */
const MAX_SCAN_CALLS = 200;

/**
 * Entries with TTLs (Redis evicts nothing else: run it with noeviction, docs/adr/0004), tag
 * generations and locks beside them. `run` is the store's guard (breaker, error translation).
 * On a Cluster an entry and its tags lie in different slots (a tag is shared by entries all over
 * the keyspace): the lookup is then one GET per key in parallel, a bump one SET per tag, and a
 * walk goes over every master, each key handled on the node that returned it.
 */
export function redisCacheBackend(client: RedisClient, keyspace: RedisKeyspace, prefix: string, run: <T>(op: () => Promise<T>) => Promise<T>, o: CacheBackendOptions, now: () => number = Date.now): CacheBackend {
  const room = redisMemoryGauge(keyspace, o.redisMemoryShare, now);
  /** Calls `each` with a node and keys it holds; false when the walk stopped at MAX_SCAN_CALLS. */
  const scanKeys = async (pattern: string, each: (node: Redis, keys: string[]) => Promise<void>): Promise<boolean> => {
    let calls = 0;
    for (const node of keyspace.nodes()) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', prefix + pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await each(node, keys);
        if (++calls >= MAX_SCAN_CALLS && cursor !== '0') return false;
      } while (cursor !== '0');
    }
    return true;
  };

  return {
    lookup: (entryKey, tagKeys) => run(async () => {
      const values = await keyspace.getMany([prefix + entryKey, ...tagKeys.map((k) => prefix + k)]);
      return { entry: values[0] ?? null, generations: values.slice(1).map((v) => (v === null ? null : v.toString())) };
    }),
    put: (entryKey, value, ttlMs) => run(async () => {
      if (!(await room.left(value.length))) return 'no-room';
      await client.set(prefix + entryKey, value, 'PX', Math.max(1, Math.round(ttlMs)));
      return 'stored';
    }),
    bump: (tagKeys, ttlMs) => run(async () => {
      await keyspace.setEach(tagKeys.map((key) => [prefix + key, randomBytes(8).toString('base64url')] as const), ttlMs);
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
      const complete = await scanKeys('c:e:*', async (node, keys) => {
        const pipeline = node.pipeline();
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
      await scanKeys(pattern, async (node, keys) => {
        // One UNLINK per key, pipelined: a Cluster node refuses one UNLINK over keys of several slots.
        const pipeline = node.pipeline();
        for (const k of keys) pipeline.unlink(k);
        for (const [err, removed] of (await pipeline.exec()) ?? []) if (!err && typeof removed === 'number') n += removed;
      });
      return n;
    }),
  };
}
