import type { RedisKeyspace } from './redis-keyspace.js';

/** How often INFO memory is asked: a cache write costs no extra round trip in between. */
const CHECK_EVERY_MS = 2000;

/**
 * Whether Redis has room for cache entries: used_memory under `share` of maxmemory. Redis runs
 * with noeviction (docs/adr/0004), so a full Redis refuses every write: session records, limiter
 * counters and idempotency keys too. Entries are what can go without; they stop first. Without a
 * maxmemory (0), the gauge never objects. Read at most every 2 s; a failed read keeps the last answer.
 * On a Cluster each master has its own maxmemory and INFO answers for one node: the fullest
 * master (highest used / maxmemory) is the one read, as the first to refuse writes.
 */
export function redisMemoryGauge(keyspace: RedisKeyspace, share: number, now: () => number): { left(bytes: number): Promise<boolean> } {
  let checkedAt = -Infinity;
  let used = 0;
  let max = 0;
  // Bytes this instance wrote since the last reading: a burst between two readings counts too.
  let written = 0;
  let pending: Promise<void> | null = null;
  const check = async () => {
    try {
      const readings = (await Promise.all(keyspace.nodes().map((n) => n.info('memory')))).map((info) => ({
        used: Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0),
        max: Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0),
      }));
      const fullest = readings.reduce((a, b) => (fill(b) > fill(a) ? b : a));
      ({ used, max } = fullest);
      written = 0;
    } catch {
      // The write that follows fails on its own if Redis is gone.
    } finally {
      checkedAt = now();
      pending = null;
    }
  };
  return {
    async left(bytes) {
      if (now() - checkedAt >= CHECK_EVERY_MS) await (pending ??= check());
      if (max > 0 && used + written + bytes > share * max) return false;
      written += bytes;
      return true;
    },
  };
}

/** A node without maxmemory never fills (0). */
function fill(r: { used: number; max: number }): number {
  return r.max > 0 ? r.used / r.max : 0;
}
