import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminRequest } from '../helpers/admin-client.js';
import { authConfig, bearer, makeAuthFiles, refreshWith, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startPairOnCluster, stopClusterPair, type ClusterPair, type GatewayHandle } from '../helpers/gateway.js';
import { redisCli, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, "Several processes and machines": two instances on a real three-master Redis Cluster
 * share revocations, limits, cache entries, invalidations and idempotency records. Every
 * multi-key command is a CROSSSLOT error there unless the keys share a hash tag, so each check
 * below fails if a store operation still sends one; the mock's counters prove what reached
 * the backend.
 */

const LIMIT = 10;
const HOST = { host: 'trading.example' };

function config(files: AuthFiles, store: string): string {
  return authConfig(files, { store })
    .replace('  http: { host: 127.0.0.1, port: 0 }\n', '  http: { host: 127.0.0.1, port: 0 }\n  admin: { port: 0 }\n')
    .replace('    bodyLimit: 64kb\n', '    bodyLimit: 64kb\n    idempotency: true\n    invalidates: [trading]\n')
    .replace('  - id: echo\n', '  - id: echo\n    rateLimit: exact\n')
    .replace('  - id: health\n', `  - id: tagged
    auth: none
    prefix: /__mock/respond/tagged
    methods: [GET]
    cache: { ttl: 1m, tags: [trading] }
  - id: counted
    auth: none
    prefix: /__mock/respond/counted
    methods: [GET]
    cache: { ttl: 1m }
  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 1m }
  - id: health
`) + `rateLimits:
  policies:
    exact:
      limits:
        - { name: exact, points: ${LIMIT}, duration: 1m }
`;
}

describe('issue 9: two instances on a three-master Redis Cluster', () => {
  let pair: ClusterPair;
  let cluster: RedisClusterHandle;
  let mock: MockHandle;
  let a: GatewayHandle;
  let b: GatewayHandle;
  let files: AuthFiles;
  let root: string;
  const api = () => ({ 'X-API-Key': files.keys.trader });
  const admin = (gw: GatewayHandle, path: string, body?: unknown) => adminRequest(gw, path, body === undefined
    ? { headers: bearer(root) }
    : { method: 'POST', headers: { ...bearer(root), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const xcache = async (gw: GatewayHandle, path: string) => (await gw.request(path, { headers: HOST })).headers['x-cache'];

  before(async () => {
    files = await makeAuthFiles();
    pair = await startPairOnCluster((store) => config(files, store));
    ({ cluster, mock, a, b } = pair);
    root = (await tokensFor(a, 'root')).access_token;
  });
  after(() => stopClusterPair(pair));

  test('the store is reported up in /readyz on both instances', async () => {
    for (const gw of [a, b]) {
      const res = await gw.request('/readyz');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json<{ checks: { store: boolean } }>().checks.store, true);
    }
  });

  test(`exactly ${LIMIT} requests pass a limit of ${LIMIT} when alternated over the two instances`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await (i % 2 === 0 ? a : b).request('/__mock/echo', { headers: api() })).status);
    assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429, 429], 'the 11th is refused on A and the 12th on B');
  });

  test('a logout on A is refused on B; a refresh rotated on A gives tokens B accepts', async () => {
    const alice = await tokensFor(a, 'alice');
    assert.equal((await b.request('/api/portfolio', { headers: bearer(alice.access_token) })).status, 200);
    const rotated = await refreshWith(a, alice.refresh_token);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await b.request('/api/portfolio', { headers: bearer(rotated.json<{ access_token: string }>().access_token) })).status, 200);
    assert.equal((await a.request('/api/auth/logout', { method: 'POST', headers: bearer(alice.access_token) })).status, 204);
    const refused = await b.request('/api/portfolio', { headers: bearer(alice.access_token) });
    assert.equal(refused.status, 401);
    assert.equal(refused.json<{ code: string }>().code, 'auth.token_revoked');
  });

  test('an entry filled through A is a HIT on B; the backend is asked once', async () => {
    assert.equal(await xcache(a, '/__mock/respond/one'), 'MISS');
    assert.equal(await xcache(b, '/__mock/respond/one'), 'HIT');
    assert.equal(await mock.count('GET /__mock/respond/one'), 1);
  });

  test('an order placed through A invalidates the tagged entry on B', async () => {
    assert.equal(await xcache(b, '/__mock/respond/tagged/x'), 'MISS');
    assert.equal(await xcache(a, '/__mock/respond/tagged/x'), 'HIT');
    const order = await a.request('/api/trading/orders', { method: 'POST', headers: { ...api(), 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'ETH', side: 'buy', quantity: 1 }) });
    assert.equal(order.status, 201, order.text);
    assert.equal(await xcache(b, '/__mock/respond/tagged/x'), 'MISS');
  });

  test('an idempotency key used on A is replayed on B: the backend sees the order once', async () => {
    const before = await mock.count('POST /api/trading/orders');
    const headers = { ...api(), 'content-type': 'application/json', 'idempotency-key': `"cluster-${process.pid}"` };
    const body = JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1 });
    const first = await a.request('/api/trading/orders', { method: 'POST', headers, body });
    assert.equal(first.status, 201, first.text);
    const again = await b.request('/api/trading/orders', { method: 'POST', headers, body });
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await mock.count('POST /api/trading/orders'), before + 1);
  });

  test('admin stats count the entries of every master; a purge by path deletes them on every master', async () => {
    const paths = Array.from({ length: 9 }, (_, i) => `/__mock/respond/counted/p?v=${i}`);
    for (const [n, p] of paths.entries()) assert.equal(await xcache(n % 2 === 0 ? a : b, p), 'MISS');
    const holders = (await Promise.all(cluster.nodes.map((n) => cluster.keysOn(n)))).filter((keys) => keys.some((k) => k.startsWith('gw:c:e:counted:')));
    assert.ok(holders.length >= 2, `the entries lie on ${holders.length} master(s): the walk must cover several`);
    for (const gw of [a, b]) {
      const stats = await admin(gw, '/admin/cache/stats');
      assert.equal(stats.status, 200, stats.text);
      const route = stats.json<{ routes: { route: string; entries: number }[] }>().routes.find((r) => r.route === 'counted');
      assert.equal(route?.entries, paths.length);
    }
    const purged = await admin(b, '/admin/cache/purge', { path: '/__mock/respond/counted/p' });
    assert.equal(purged.status, 200, purged.text);
    assert.deepEqual(purged.json(), { purged: { path: '/__mock/respond/counted/p', entries: paths.length } });
    assert.equal(await xcache(a, paths[0]!), 'MISS');
  });

  test('an admin purge of everything on B makes A miss', async () => {
    await xcache(a, '/__mock/respond/all');
    assert.equal(await xcache(a, '/__mock/respond/all'), 'HIT');
    assert.equal((await admin(b, '/admin/cache/purge', { all: true })).status, 200);
    assert.equal(await xcache(a, '/__mock/respond/all'), 'MISS');
  });

  test('entries stop being written while the fullest master is over its share of maxmemory', async () => {
    // One master with a maxmemory just above its use, the others unbounded: that one decides.
    const node = cluster.nodes[1]!;
    const used = Number(/^used_memory:(\d+)/m.exec(await redisCli(node.port, 'INFO', 'memory'))?.[1]);
    await redisCli(node.port, 'CONFIG', 'SET', 'maxmemory', String(Math.round(used * 1.5)));
    try {
      await waitUntil(async () => /detail=not-stored/.test(String((await a.request(`/__mock/respond/room-${Date.now()}`, { headers: HOST })).headers['cache-status'])), 'the gauge to see that master full', 10_000);
    } finally {
      await redisCli(node.port, 'CONFIG', 'SET', 'maxmemory', '0');
    }
    await waitUntil(async () => /fwd=miss; stored/.test(String((await a.request(`/__mock/respond/room-back-${Date.now()}`, { headers: HOST })).headers['cache-status'])), 'writes to resume', 10_000);
  });

  // Last: it stops a master.
  test('a master stopped: revocation fails closed, limits fall back per instance, nothing crashes; then it recovers', async () => {
    const bob = (await tokensFor(a, 'bob')).access_token;
    const victim = cluster.nodes[0]!;
    await cluster.stopNode(victim);
    try {
      // Readiness pings every master the slot map names: the lost one fails it, and opens the
      // breaker (docs/adr/0007), so every store operation takes the outage answer from then on,
      // whichever master holds its keys.
      await waitUntil(async () => {
        const ready = await a.request('/readyz');
        return ready.status === 503 && ready.json<{ checks: { store: boolean } }>().checks.store === false;
      }, 'readiness to report the store down');
      const refused = await a.request('/api/portfolio', { headers: bearer(bob) });
      assert.equal(refused.status, 503);
      assert.equal(refused.json<{ code: string }>().code, 'auth.store_unavailable');
      // The limit's shared budget was spent above: now each instance counts on its own.
      for (const gw of [a, b]) {
        const statuses: number[] = [];
        for (let n = 0; n < LIMIT + 1; n++) statuses.push((await gw.request('/__mock/echo', { headers: api() })).status);
        assert.deepEqual(statuses, [...Array(LIMIT).fill(200), 429]);
      }
      assert.equal((await b.request('/health')).status, 200);
    } finally {
      await cluster.restartNode(victim);
    }
    for (const gw of [a, b]) await waitUntil(async () => (await gw.request('/readyz')).status === 200, 'the store to be reported up again');
    const fresh = (await tokensFor(b, 'bob')).access_token;
    assert.equal((await a.request('/api/portfolio', { headers: bearer(fresh) })).status, 200);
  });
});

