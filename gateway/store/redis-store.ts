import type { Logger } from '../observability/logger.js';
import { redisLimiterBackend } from './limiter-backend.js';
import { createRedisClient, logConnectionChanges, type RedisConfig } from './redis-client.js';
import { StoreUnavailableError, type Store } from './store.js';

export async function createRedisStore(config: RedisConfig, logger?: Pick<Logger, 'warn' | 'info'>): Promise<Store> {
  const client = createRedisClient(config);
  client.on('error', () => { /* surfaced per command as StoreUnavailableError; changes logged below */ });
  const connection = logger ? logConnectionChanges(client, logger) : null;
  try {
    await client.connect();
  } catch (err) {
    // Start anyway: /readyz reports the store, requests fail fast, ioredis keeps reconnecting.
    connection?.startFailed(err);
  }
  const prefix = config.keyPrefix;
  const run = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  };

  return {
    describe: () => 'redis',
    createLimiterBackend: (o) => redisLimiterBackend(client, prefix, o),
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
      connection?.closing();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
