import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cluster, Redis } from 'ioredis';
import type { StoreBreaker } from './store-breaker.js';
import type { LimiterBackend, LimiterBackendOptions, LimiterWindow } from './store.js';

/**
 * The one owner of rate-limiter-flexible. It needs the Redis client for its atomic script (one
 * round trip, no read-then-write race), so it lives beside the store that owns the client and
 * ratelimit/ asks the store for a backend instead of holding the client itself.
 */
export function memoryLimiterBackend(o: LimiterBackendOptions): LimiterBackend {
  return wrap(new RateLimiterMemory(rlfOptions('', o)));
}

/**
 * On Redis, with an in-memory insurance limiter that takes over per instance while Redis is down
 * or, with the store's breaker open, not answering. Safe on a Redis Cluster as it is: in
 * rate-limiter-flexible 11 (lib/RateLimiterRedis.js) every round trip touches one key, the
 * counter (its Lua script is defined with numberOfKeys 1; blocks and reads are a MULTI over that
 * key alone), so ioredis routes it to the counter's master and the count stays exact.
 */
export function redisLimiterBackend(client: Redis | Cluster, keyPrefix: string, o: LimiterBackendOptions, breaker: StoreBreaker): LimiterBackend {
  const options = rlfOptions(keyPrefix, o);
  return wrap(new GuardedRateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: new RateLimiterMemory(options), rejectIfRedisNotReady: true }, breaker));
}

// rate-limiter-flexible 11 sends each Redis round trip through these three (lib/RateLimiterRedis.js)
// and hands whatever they reject with to the insurance limiter; its typings do not list them.
declare module 'rate-limiter-flexible' {
  interface RateLimiterRedis {
    _upsert(...args: unknown[]): Promise<unknown>;
    _get(...args: unknown[]): Promise<unknown>;
    _delete(...args: unknown[]): Promise<unknown>;
  }
}

/** With the breaker open a round trip fails at once, so the insurance answers without waiting for commandTimeout. */
class GuardedRateLimiterRedis extends RateLimiterRedis {
  constructor(opts: ConstructorParameters<typeof RateLimiterRedis>[0], private readonly breaker: StoreBreaker) {
    super(opts);
  }
  override _upsert(...args: unknown[]) {
    return this.breaker.guard(() => super._upsert(...args));
  }
  override _get(...args: unknown[]) {
    return this.breaker.guard(() => super._get(...args));
  }
  override _delete(...args: unknown[]) {
    return this.breaker.guard(() => super._delete(...args));
  }
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
  // On every limited request (three calls on a typical route): one object per answer, no spread.
  const answer = (res: RateLimiterRes, refused: boolean) => ({ consumed: res.consumedPoints, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext, refused });
  return {
    consume(key, points) {
      return limiter.consume(key, points).then(
        (res) => answer(res, false),
        (err: unknown) => {
          // rate-limiter-flexible rejects with a RateLimiterRes for "over budget"; anything else is a failure.
          if (err instanceof RateLimiterRes) return answer(err, true);
          throw err;
        },
      );
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
