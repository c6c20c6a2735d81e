import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cluster, Redis } from 'ioredis';
import type { LimiterBackend, LimiterBackendOptions, LimiterWindow } from './store.js';

/**
 * The one owner of rate-limiter-flexible. It needs the Redis client for its atomic script (one
 * round trip, no read-then-write race), so it lives beside the store that owns the client and
 * ratelimit/ asks the store for a backend instead of holding the client itself.
 */
export function memoryLimiterBackend(o: LimiterBackendOptions): LimiterBackend {
  return wrap(new RateLimiterMemory(rlfOptions('', o)));
}

/** On Redis, with an in-memory insurance limiter that takes over per instance while Redis is down. */
export function redisLimiterBackend(client: Redis | Cluster, keyPrefix: string, o: LimiterBackendOptions): LimiterBackend {
  const options = rlfOptions(keyPrefix, o);
  return wrap(new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: new RateLimiterMemory(options), rejectIfRedisNotReady: true }));
}

function rlfOptions(keyPrefix: string, o: LimiterBackendOptions) {
  return {
    keyPrefix: `${keyPrefix}rl:${o.name}`,
    points: o.points,
    duration: Math.max(1, Math.ceil(o.durationMs / 1000)),
    blockDuration: o.blockMs ? Math.ceil(o.blockMs / 1000) : 0,
  };
}

function wrap(limiter: RateLimiterAbstract): LimiterBackend {
  const window = (res: RateLimiterRes): LimiterWindow => ({ consumed: res.consumedPoints, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext });
  return {
    async consume(key, points) {
      try {
        return { ...window(await limiter.consume(key, points)), refused: false };
      } catch (err) {
        // rate-limiter-flexible rejects with a RateLimiterRes for "over budget"; anything else is a failure.
        if (err instanceof RateLimiterRes) return { ...window(err), refused: true };
        throw err;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      return res ? window(res) : { consumed: 0, remaining: limiter.points, msBeforeNext: 0 };
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
