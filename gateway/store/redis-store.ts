import { Redis, Cluster, type RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../config/compile-config.js';
import { StoreUnavailableError, type Store } from './store.js';

type RedisConfig = NonNullable<GatewayConfig['store']['redis']>;

/**
 * The one owner of ioredis. The request-path client never queues behind an outage (security
 * notes, item 11): no offline queue, one retry, a command timeout of a few hundred ms. A Redis
 * failure is then an immediate StoreUnavailableError instead of a hung request.
 */
export function createRedisClient(config: RedisConfig): Redis | Cluster {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeout,
    connectTimeout: config.connectTimeout,
    // Reconnect forever, backing off to 2 s: the gateway keeps serving while Redis is away.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: true,
  };
  if (config.cluster) {
    return new Cluster(config.cluster, { redisOptions: options, enableOfflineQueue: false, lazyConnect: true });
  }
  if (config.sentinels) {
    return new Redis({ ...options, sentinels: config.sentinels, name: config.name });
  }
  return new Redis(config.url, options);
}

export async function createRedisStore(config: RedisConfig): Promise<Store> {
  const client = createRedisClient(config);
  client.on('error', () => { /* surfaced per command as StoreUnavailableError; logged by readiness */ });
  try {
    await client.connect();
  } catch {
    // Start anyway: /readyz reports the store, requests fail fast, ioredis keeps reconnecting.
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
    kind: 'redis',
    keyPrefix: prefix,
    redisClient: client,
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
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
