import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Store } from '../store/store.js';

/**
 * The one owner of rate-limiter-flexible. On Redis: its atomic script (one round trip, no
 * read-then-write race), with an in-memory insurance limiter that takes over per instance
 * while Redis is down and hands back when it returns. Without Redis: memory.
 */
export type Decision = { allowed: true; remaining: number; resetMs: number } | { allowed: false; retryAfterMs: number };

export interface Limiter {
  readonly points: number;
  consume(key: string, points?: number): Promise<Decision>;
  /** Points used in the current window, without consuming; 0 when none. */
  used(key: string): Promise<{ consumed: number; resetMs: number }>;
  reset(key: string): Promise<void>;
}

export interface LimiterOptions {
  name: string;
  points: number;
  durationMs: number;
  blockMs?: number;
}

export function createLimiter(store: Store, o: LimiterOptions): Limiter {
  const base = {
    keyPrefix: `${store.keyPrefix}rl:${o.name}`,
    points: o.points,
    duration: Math.max(1, Math.ceil(o.durationMs / 1000)),
    blockDuration: o.blockMs ? Math.ceil(o.blockMs / 1000) : 0,
  };
  const memory = new RateLimiterMemory(base);
  const limiter: RateLimiterAbstract = store.kind === 'redis'
    ? new RateLimiterRedis({ ...base, storeClient: store.redisClient, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;

  return {
    points: o.points,
    async consume(key, points = 1) {
      try {
        const res = await limiter.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1000, err.msBeforeNext) };
        throw err;
      }
    },
    async used(key) {
      const res = await limiter.get(key);
      return res ? { consumed: res.consumedPoints, resetMs: res.msBeforeNext } : { consumed: 0, resetMs: 0 };
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
