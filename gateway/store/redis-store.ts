import type { Logger } from '../observability/logger.js';
import type { CacheBackend } from './cache-backend.js';
import { redisCacheBackend } from './redis-cache-backend.js';
import { redisLimiterBackend } from './limiter-backend.js';
import { createRedisClient, failedUnanswered, logConnectionChanges, type RedisConfig } from './redis-client.js';
import { createStoreBreaker } from './store-breaker.js';
import { StoreUnavailableError, type Store } from './store.js';

/** `breakerOpenMs`: how long a store that stopped answering is not asked before a probe. */
export async function createRedisStore(config: RedisConfig, logger?: Pick<Logger, 'warn' | 'info'>, { breakerOpenMs = 1000 } = {}): Promise<Store> {
  const client = createRedisClient(config);
  client.on('error', () => { /* surfaced per command as StoreUnavailableError; changes logged below */ });
  const connection = logger ? logConnectionChanges(client, logger) : null;
  const breaker = createStoreBreaker({ notAnswering: (err) => failedUnanswered(client, err), probe: () => client.ping(), openMs: breakerOpenMs, logger });
  client.on('close', () => breaker.reset());
  try {
    await client.connect();
  } catch (err) {
    // Start anyway: /readyz reports the store, requests fail fast, ioredis keeps reconnecting.
    connection?.startFailed(err);
  }
  const prefix = config.keyPrefix;
  let cache: CacheBackend | null = null;
  const run = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.guard(op);
    } catch (err) {
      throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
    }
  };

  return {
    describe: () => 'redis',
    createLimiterBackend: (o) => redisLimiterBackend(client, prefix, o, breaker),
    cacheBackend: (o) => (cache ??= redisCacheBackend(client, prefix, run, o)),
    get: (key) => run(() => client.getBuffer(prefix + key)),
    getMany: (keys) => run(() => (keys.length === 0 ? Promise.resolve([]) : client.mgetBuffer(...keys.map((k) => prefix + k)))),
    set: (key, value, ttlMs) => run(async () => {
      if (ttlMs === undefined) await client.set(prefix + key, value);
      else await client.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    }),
    setIfAbsent: (key, value, ttlMs) => run(async () => (await client.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK'),
    delete: (...keys) => run(() => (keys.length === 0 ? Promise.resolve(0) : client.del(...keys.map((k) => prefix + k)))),
    exists: (key) => run(async () => (await client.exists(prefix + key)) === 1),
    ttl: (key) => run(() => client.pttl(prefix + key)),
    ping: () => run(async () => {
      await client.ping();
    }),
    close: async () => {
      breaker.close();
      connection?.closing();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
