import type { Logger } from '../observability/logger.js';
import type { CacheBackend } from './cache-backend.js';
import { redisCacheBackend } from './redis-cache-backend.js';
import { redisLimiterBackend } from './limiter-backend.js';
import { authRefusalHint, trackAuthRefusals } from './redis-auth-refusal.js';
import { createRedisClient, failedUnanswered, logConnectionChanges, type RedisClient, type RedisConfig } from './redis-client.js';
import { redisKeyspace } from './redis-keyspace.js';
import { createStoreBreaker } from './store-breaker.js';
import { StoreAuthRefusedError, StoreUnavailableError, type Store, type StoreWrite } from './store.js';

/** `breakerOpenMs`: how long a store that stopped answering is not asked before a probe. */
export async function createRedisStore(config: RedisConfig, logger?: Pick<Logger, 'warn' | 'info'>, { breakerOpenMs = 1000 } = {}): Promise<Store> {
  const client = createRedisClient(config);
  client.on('error', () => { /* surfaced per command as StoreUnavailableError; changes logged below */ });
  const connection = logger ? logConnectionChanges(client, logger) : null;
  const refusals = trackAuthRefusals(client, (which) => connection?.refused(which));
  const keyspace = redisKeyspace(client);
  // On a Cluster every master must answer: a stopped one leaves its slots (and so some users'
  // sessions and limits) without a home, and the store counts as down (docs/adr/0007).
  const pingAll = async () => {
    if (!keyspace.clustered) return void (await client.ping());
    await Promise.all(keyspace.nodes().map((n) => n.ping()));
  };
  const breaker = createStoreBreaker({ notAnswering: (err) => failedUnanswered(client, err), probe: pingAll, openMs: breakerOpenMs, logger });
  client.on('close', () => breaker.reset());
  try {
    await connectWithin(client, config);
    // ioredis connects to each Cluster master only at its first command, which then pays the
    // connect and ready check inside its commandTimeout: on a busy machine enough to time out
    // and open the breaker for a second. Connect them all before serving.
    if (keyspace.clustered) await pingAll().catch(() => {});
  } catch (err) {
    // Start anyway: /readyz reports the store, requests fail fast, ioredis keeps reconnecting.
    connection?.startFailed(err, refusals.last());
  }
  const prefix = config.keyPrefix;
  let cache: CacheBackend | null = null;
  const run = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.guard(op);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      // Not connected because Redis refused the credentials: say so (the CLI prints the hint).
      const refused = client.status === 'ready' ? null : refusals.last();
      throw refused === null ? new StoreUnavailableError(err) : new StoreAuthRefusedError(authRefusalHint(refused), err);
    }
  };

  return {
    describe: () => 'redis',
    createLimiterBackend: (o) => redisLimiterBackend(client, prefix, o, breaker),
    cacheBackend: (o) => (cache ??= redisCacheBackend(client, keyspace, prefix, run, o)),
    get: (key) => run(() => client.getBuffer(prefix + key)),
    getMany: (keys) => run(() => keyspace.getMany(keys.map((k) => prefix + k))),
    set: (key, value, ttlMs) => run(async () => {
      if (ttlMs === undefined) await client.set(prefix + key, value);
      else await client.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    }),
    setIfAbsent: (key, value, ttlMs) => run(async () => (await client.set(prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK'),
    delete: (...keys) => run(() => keyspace.del(keys.map((k) => prefix + k))),
    exists: (key) => run(async () => (await client.exists(prefix + key)) === 1),
    ttl: (key) => run(() => client.pttl(prefix + key)),
    hashGetAll: (key) => run(async () => new Map(Object.entries(await client.hgetallBuffer(prefix + key)))),
    hashGet: (key, field) => run(() => client.hgetBuffer(prefix + key, field)),
    multi: (writes) => run(() => runMulti(client, prefix, writes)),
    ping: () => run(pingAll),
    close: async () => {
      breaker.close();
      connection?.closing();
      try {
        await client.quit();
      } catch {
        client.disconnect();
        return;
      }
      // QUIT ends the data connection only; disconnect() also ends the sentinel subscriptions
      // ioredis keeps for failover announcements (they would keep a CLI process alive).
      if (!keyspace.clustered) client.disconnect();
    },
  };
}

/**
 * Through sentinels, ioredis's connect() never settles while none of them answers or accepts
 * sentinelPassword: it asks them again and again. Give up waiting after one connectTimeout for
 * the sentinel and one for the primary, as a refused or unreachable single Redis does by itself.
 */
async function connectWithin(client: RedisClient, config: RedisConfig): Promise<void> {
  const connecting = client.connect();
  if (!config.sentinels) return connecting;
  connecting.catch(() => { /* after the deadline, reconnecting is ioredis's; reported by the store */ });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no primary found through the sentinels within connectTimeout')), 2 * config.connectTimeout);
  });
  try {
    await Promise.race([connecting, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** MULTI/EXEC: a reply error inside the transaction fails the whole call (none is expected). */
async function runMulti(client: RedisClient, prefix: string, writes: readonly StoreWrite[]): Promise<number[]> {
  if (writes.length === 0) return [];
  const tx = client.multi();
  for (const w of writes) {
    if (w.op === 'hset') {
      if (w.ifAbsent) tx.hsetnx(prefix + w.key, w.field, w.value);
      else tx.hset(prefix + w.key, w.field, w.value);
    } else if (w.op === 'hdel') tx.hdel(prefix + w.key, w.field);
    else tx.incr(prefix + w.key);
  }
  const replies = await tx.exec();
  if (replies === null) throw new Error('transaction aborted');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return Number(value);
  });
}
