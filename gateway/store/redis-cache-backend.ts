import { randomBytes } from 'node:crypto';
import type { CacheBackend } from './cache-backend.js';
import type { RedisClient } from './redis-client.js';

/** Scans stop counting here: stats on a huge keyspace say "unknown" rather than block Redis. */
const MAX_SCANNED = 100_000;

/**
 * Entries with TTLs (Redis evicts nothing else: run it with noeviction, docs/adr/0004), tag
 * generations and locks beside them. `run` is the store's guard (breaker, error translation).
 */
export function redisCacheBackend(client: RedisClient, prefix: string, run: <T>(op: () => Promise<T>) => Promise<T>): CacheBackend {
  const scanKeys = async (pattern: string, each: (keys: string[]) => Promise<void>): Promise<boolean> => {
    // Cluster: SCAN per master (issue 9); a single node or Sentinel primary here.
    let cursor = '0';
    let seen = 0;
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', prefix + pattern, 'COUNT', 1000);
      cursor = next;
      seen += keys.length;
      if (keys.length > 0) await each(keys);
      if (seen > MAX_SCANNED) return false;
    } while (cursor !== '0');
    return true;
  };

  return {
    lookup: (entryKey, tagKeys) => run(async () => {
      const values = await client.mgetBuffer(prefix + entryKey, ...tagKeys.map((k) => prefix + k));
      return { entry: values[0] ?? null, generations: values.slice(1).map((v) => (v === null ? null : v.toString())) };
    }),
    put: (entryKey, value, ttlMs) => run(async () => {
      await client.set(prefix + entryKey, value, 'PX', Math.max(1, Math.round(ttlMs)));
    }),
    bump: (tagKeys, ttlMs) => run(async () => {
      if (tagKeys.length === 0) return;
      const multi = client.multi();
      for (const key of tagKeys) multi.set(prefix + key, randomBytes(8).toString('base64url'), 'PX', Math.max(1, Math.round(ttlMs)));
      await multi.exec();
    }),
    lock: (lockKey, ttlMs) => run(async () => (await client.set(prefix + lockKey, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK'),
    unlock: (lockKey) => run(async () => {
      await client.del(prefix + lockKey);
    }),
    measure: (keyPrefix) => run(async () => {
      let entries = 0;
      let bytes = 0;
      const complete = await scanKeys(`${escapeGlob(keyPrefix)}*`, async (keys) => {
        const pipeline = client.pipeline();
        for (const k of keys) pipeline.strlen(k);
        const lengths = (await pipeline.exec()) ?? [];
        for (const [err, n] of lengths) {
          if (err || typeof n !== 'number' || n === 0) continue;
          entries++;
          bytes += n;
        }
      });
      return complete ? { entries, bytes } : null;
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

/** Route ids and hashes contain no glob characters, but a prefix is matched literally all the same. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
