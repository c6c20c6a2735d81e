import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMemoryStore } from '../../gateway/store/memory-store.js';
import { createRedisStore } from '../../gateway/store/redis-store.js';
import { StoreUnavailableError, type Store } from '../../gateway/store/store.js';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';

const redisConfig = (url: string) => ({ url, keyPrefix: `test:${process.pid}:`, commandTimeout: 250, connectTimeout: 1000 });

/** One suite, run against every implementation: the interface is the contract. */
function storeContract(name: string, make: () => Promise<Store>) {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    before(async () => { store = await make(); });
    after(async () => { await store?.close(); });

    test('get/set round-trips bytes and strings; missing keys are null', async () => {
      await store.set('a', Buffer.from([0, 1, 2, 255]));
      assert.deepEqual(await store.get('a'), Buffer.from([0, 1, 2, 255]));
      await store.set('s', 'text');
      assert.equal((await store.get('s'))?.toString(), 'text');
      assert.equal(await store.get('missing'), null);
    });

    test('getMany reads several keys in one call, null for the missing', async () => {
      await store.set('{u1}:a', '1');
      await store.set('{u1}:b', '2');
      const got = await store.getMany(['{u1}:a', '{u1}:missing', '{u1}:b']);
      assert.deepEqual(got.map((b) => b?.toString() ?? null), ['1', null, '2']);
      assert.deepEqual(await store.getMany([]), []);
    });

    test('getMany also reads keys without a shared hash tag (several slots on a Cluster)', async () => {
      for (const k of ['m1', 'm2', 'm3', 'm4']) await store.set(k, k.toUpperCase());
      const got = await store.getMany(['m1', 'm2', 'missing-m', 'm3', 'm4']);
      assert.deepEqual(got.map((b) => b?.toString() ?? null), ['M1', 'M2', null, 'M3', 'M4']);
    });

    test('entries with a TTL expire', async () => {
      await store.set('short', 'x', 80);
      assert.equal(await store.exists('short'), true);
      const ttl = await store.ttl('short');
      assert.ok(ttl > 0 && ttl <= 80, `ttl ${ttl}`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await store.exists('short'), false);
      assert.equal(await store.get('short'), null);
      assert.equal(await store.ttl('short'), -2);
      await store.set('forever', 'x');
      assert.equal(await store.ttl('forever'), -1);
    });

    test('setIfAbsent sets once', async () => {
      assert.equal(await store.setIfAbsent('once', '1', 10_000), true);
      assert.equal(await store.setIfAbsent('once', '2', 10_000), false);
      assert.equal((await store.get('once'))?.toString(), '1');
    });

    test('delete reports how many keys it removed', async () => {
      await store.set('d1', '1');
      await store.set('d2', '2');
      assert.equal(await store.delete('d1', 'd2', 'd3'), 2);
      assert.equal(await store.exists('d1'), false);
      assert.equal(await store.delete(), 0);
    });

    test('a limiter backend charges points, refuses over the budget, and resets', async () => {
      const backend = store.createLimiterBackend({ name: `contract-${Math.random()}`, points: 2, durationMs: 60_000 });
      assert.deepEqual(await backend.peek('k'), { consumed: 0, remaining: 2, msBeforeNext: 0 });
      assert.equal((await backend.consume('k', 1)).refused, false);
      const second = await backend.consume('k', 1);
      assert.equal(second.refused, false);
      assert.equal(second.remaining, 0);
      const third = await backend.consume('k', 1);
      assert.equal(third.refused, true);
      assert.ok(third.msBeforeNext > 0);
      assert.equal((await backend.peek('k')).consumed, 3);
      await backend.reset('k');
      assert.equal((await backend.consume('k', 1)).refused, false);
    });

    test('multi applies hash writes and an increment together, with each reply in order', async () => {
      const users = '{dirtest}:users';
      const version = '{dirtest}:version';
      assert.deepEqual(await store.hashGetAll(users), new Map(), 'an absent hash is empty');
      assert.deepEqual(await store.multi([
        { op: 'hset', key: users, field: 'ann', value: '{"a":1}' },
        { op: 'hset', key: users, field: 'ben', value: '{"b":1}' },
        { op: 'incr', key: version },
      ]), [1, 1, 1]);
      assert.deepEqual(await store.multi([
        { op: 'hset', key: users, field: 'ann', value: '{"a":2}' },
        { op: 'hset', key: users, field: 'ben', value: '{"b":2}', ifAbsent: true },
        { op: 'hdel', key: users, field: 'nobody' },
        { op: 'incr', key: version },
      ]), [0, 0, 0, 2], 'a replaced field is 0, ifAbsent leaves an existing one alone');
      const all = await store.hashGetAll(users);
      assert.deepEqual([...all].map(([k, v]) => [k, v.toString()]).sort(), [['ann', '{"a":2}'], ['ben', '{"b":1}']]);
      assert.equal((await store.hashGet(users, 'ann'))?.toString(), '{"a":2}');
      assert.equal(await store.hashGet(users, 'nobody'), null);
      assert.equal((await store.get(version))?.toString(), '2', 'the counter reads as a plain value');
      assert.deepEqual(await store.multi([{ op: 'hdel', key: users, field: 'ann' }, { op: 'hdel', key: users, field: 'ben' }]), [1, 1]);
      assert.equal(await store.exists(users), false, 'a hash with no field left is gone');
      assert.deepEqual(await store.multi([]), []);
    });

    test('the cache backend: an entry with its tags in one lookup, bumps, and walks over every entry', async () => {
      const cache = store.cacheBackend({ maxMemoryBytes: 1 << 20, redisMemoryShare: 1 });
      const route = `route-${Math.random().toString(36).slice(2)}`;
      const seg = (c: string) => c.repeat(22);
      // Entry keys as cache-key.ts makes them: c:e:<route>:<22>:<22>:<22>, spread over slots.
      const keys = Array.from({ length: 12 }, (_, i) => `c:e:${route}:${seg('p')}:${seg('u')}:${String(i).padStart(22, '0')}`);
      for (const [i, k] of keys.entries()) assert.equal(await cache.put(k, Buffer.alloc(10 + i), 60_000), 'stored');
      const tags = [`c:t:${route}-a`, `c:t:${route}-b`];
      const first = await cache.lookup(keys[0]!, tags);
      assert.deepEqual(first, { entry: Buffer.alloc(10), generations: [null, null] });
      await cache.bump(tags, 60_000);
      const bumped = await cache.lookup(keys[0]!, tags);
      assert.ok(bumped.generations.every((g) => typeof g === 'string'), JSON.stringify(bumped.generations));
      await cache.bump(tags.slice(1), 60_000);
      const again = await cache.lookup(keys[0]!, tags);
      assert.equal(again.generations[0], bumped.generations[0]);
      assert.notEqual(again.generations[1], bumped.generations[1]);
      const ofRoute = (k: string) => (k.startsWith(`c:e:${route}:`) ? route : null);
      assert.deepEqual((await cache.measure(ofRoute))?.get(route), { entries: 12, bytes: 12 * 10 + 66 });
      assert.equal(await cache.deleteMatching(`c:e:${route}:*`), 12);
      assert.equal((await cache.measure(ofRoute))?.get(route), undefined);
      assert.deepEqual(await cache.lookup(keys[5]!, []), { entry: null, generations: [] });
    });

    test('ping answers', async () => {
      await store.ping();
    });
  });
}

storeContract('memory', async () => createMemoryStore());

let redis: RedisHandle;
storeContract('redis', async () => {
  redis = await startRedis();
  return createRedisStore(redisConfig(redis.url));
});
after(async () => { await redis?.stop(); });

// Every node requires a password: AUTH must reach each master the client talks to.
const CLUSTER_PASSWORD = 'cluster-test-password';
let cluster: RedisClusterHandle | undefined;
const clusterConfig = (c: RedisClusterHandle, password?: string) => ({ cluster: c.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), password, keyPrefix: `test:${process.pid}:`, commandTimeout: 250, connectTimeout: 1000 });
storeContract('redis cluster (three masters, with a password)', async () => {
  cluster = await startRedisCluster({ password: CLUSTER_PASSWORD });
  return createRedisStore(clusterConfig(cluster, CLUSTER_PASSWORD));
});
describe('redis cluster without its password', () => {
  test('every operation fails with StoreUnavailableError', async () => {
    const store = await createRedisStore(clusterConfig(cluster!));
    try {
      await assert.rejects(store.ping(), StoreUnavailableError);
      await assert.rejects(store.get('a'), StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
after(async () => { await cluster?.stop(); });

describe('redis outage', () => {
  // The timeout only turns a hang (commands queued behind the outage) into a failure.
  test('with Redis down, commands fail fast with StoreUnavailableError instead of queueing; it recovers when Redis returns', { timeout: 20_000 }, async () => {
    const server = await startRedis();
    const store = await createRedisStore(redisConfig(server.url));
    try {
      await store.set('k', 'v');
      await server.stop();
      await new Promise((r) => setTimeout(r, 100));
      // Rejected rather than queued: with an offline queue these would wait for the reconnect.
      await assert.rejects(store.get('k'), StoreUnavailableError);
      await assert.rejects(store.ping(), StoreUnavailableError);

      const again = await startRedis(server.port);
      try {
        let ok = false;
        for (let i = 0; i < 50 && !ok; i++) {
          ok = await store.ping().then(() => true, () => false);
          if (!ok) await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(ok, 'the client reconnected');
        await store.set('k2', 'v2');
        assert.equal((await store.get('k2'))?.toString(), 'v2');
      } finally {
        await again.stop();
      }
    } finally {
      await store.close();
    }
  });
});

// Sentinel: a master and one sentinel (redis-server --sentinel) watching it; the store finds the
// master through the sentinel, as a gateway configured with `sentinels` + `name` does.
let master: RedisHandle | undefined;
let sentinel: import('../helpers/spawn-service.js').Service | undefined;
storeContract('redis via sentinel', async () => {
  master = await startRedis();
  const { freePort } = await import('../helpers/free-port.js');
  const { spawnService } = await import('../helpers/spawn-service.js');
  const { writeFileSync } = await import('node:fs');
  const { tempDir } = await import('../helpers/temp-dir.js');
  const port = await freePort();
  const dir = tempDir('sentinel-');
  writeFileSync(`${dir}/sentinel.conf`, `port ${port}\nbind 127.0.0.1\nprotected-mode no\nsentinel monitor gwmaster 127.0.0.1 ${master.port} 1\n`);
  sentinel = spawnService('redis-server', [`${dir}/sentinel.conf`, '--sentinel']);
  await sentinel.waitForLine((l) => l.includes('+monitor master gwmaster'), 10_000);
  return createRedisStore({ sentinels: [{ host: '127.0.0.1', port }], name: 'gwmaster', keyPrefix: 'sent:', commandTimeout: 250, connectTimeout: 1000 });
});
after(async () => {
  await sentinel?.stop();
  await master?.stop();
});
