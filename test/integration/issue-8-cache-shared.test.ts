import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startPairOnRedis, stopPair, type SharedPair } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait-until.js';

const CONFIG = BASE_CONFIG.replace('    path: /api/trading/orders\n    methods: [GET, POST]\n', '    path: /api/trading/orders\n    methods: [GET, POST]\n    invalidates: [trading]\n')
  .replace('  - id: dashboard\n', `  - id: trading-dashboard
    auth: none
    path: /api/dashboard/trading
    methods: [GET]
    cache: { ttl: 1m, tags: [trading] }
  - id: dashboard
`) + `  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 1m }
  - id: http
    auth: none
    prefix: /__mock/respond/http
    methods: [GET]
    cache: {}
`;

/** Behind a load balancer every instance sees the one public Host (the origin is part of the key). */
const HOST = { host: 'trading.example' };

describe('issue 8: the cache shared by two instances on Redis', () => {
  let p: SharedPair;
  before(async () => { p = await startPairOnRedis((store) => CONFIG + store); });
  after(() => stopPair(p));

  it('serves an entry one instance stored from the other', async () => {
    assert.equal((await p.a.request('/__mock/respond/one', { headers: HOST })).headers['x-cache'], 'MISS');
    assert.equal((await p.b.request('/__mock/respond/one', { headers: HOST })).headers['x-cache'], 'HIT');
    assert.equal(await p.mock.count('GET /__mock/respond/one'), 1);
  });

  it('answers a hit with one store round trip (the entry and its tags in one MGET)', async () => {
    await p.a.request('/__mock/respond/round-trip', { headers: HOST });
    const before = await p.redis.commandCalls();
    for (let i = 0; i < 10; i++) assert.equal((await p.a.request('/__mock/respond/round-trip', { headers: HOST })).headers['x-cache'], 'HIT');
    const after = await p.redis.commandCalls();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    assert.equal(delta('mget'), 10);
    for (const other of ['get', 'set', 'exists', 'pttl', 'evalsha', 'eval']) assert.equal(delta(other), 0, other);
  });

  it('sends 100 concurrent misses spread over two instances to the backend once', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? p.a : p.b).request('/__mock/respond/burst?delay=500&body=%22x%22', { headers: HOST })));
    assert.ok(answers.every((a) => a.status === 200 && a.text === '"x"'), JSON.stringify(answers.map((a) => a.status)));
    assert.equal(await p.mock.count('GET /__mock/respond/burst'), 1);
  });

  it('invalidates tagged entries on every instance when an order is placed on one', async () => {
    await p.a.request('/api/dashboard/trading', { headers: HOST });
    assert.equal((await p.a.request('/api/dashboard/trading', { headers: HOST })).headers['x-cache'], 'HIT');
    const order = await p.b.request('/api/trading/orders', { method: 'POST', headers: { ...HOST, 'content-type': 'application/json', 'x-user-id': 'ignored' }, body: JSON.stringify({ symbol: 'ETH', side: 'buy', quantity: 2 }) });
    assert.equal(order.status, 201, order.text);
    const after = await p.a.request('/api/dashboard/trading', { headers: HOST });
    assert.equal(after.headers['x-cache'], 'MISS');
    assert.equal(after.json<{ orders_today: number }>().orders_today, 1);
  });

  it('stops writing entries while Redis uses more than its share of maxmemory, so sessions keep their room (review S4)', async () => {
    const used = await p.redis.usedMemory();
    await p.redis.configSet('maxmemory', String(Math.round(used * 1.5)));
    try {
      await waitUntil(async () => /detail=not-stored/.test(String((await p.a.request(`/__mock/respond/room-${Date.now()}`, { headers: HOST })).headers['cache-status'])), 'the gauge to see the room gone', 10_000);
      await waitUntil(() => p.a.logs().some((l) => String(l.msg).startsWith('cache writes paused')), 'the pause to be logged');
    } finally {
      await p.redis.configSet('maxmemory', '0');
    }
    await waitUntil(async () => /fwd=miss; stored/.test(String((await p.a.request(`/__mock/respond/room-back-${Date.now()}`, { headers: HOST })).headers["cache-status"])), "writes to resume", 10_000);
    await waitUntil(() => p.a.logs().some((l) => l.msg === 'cache writes stored again'), 'the resumption to be logged');
    assert.equal(p.a.logs().filter((l) => String(l.msg).startsWith('cache writes paused')).length, 1);
  });

  it('keeps no credential in the store when the backend varies on one (review 2)', async () => {
    const path = '/__mock/respond/http/vary-cred?header=cache-control:public%2C%20max-age%3D60&header=vary:authorization%2C%20cookie';
    const first = await p.a.request(path, { headers: { ...HOST, cookie: 'session=SECRET-COOKIE-123', authorization: 'Bearer SECRET-TOKEN-456' } });
    assert.match(String(first.headers['cache-status']), /fwd=miss; stored/);
    const stored = p.redis.dump();
    assert.doesNotMatch(stored, /SECRET-COOKIE-123|SECRET-TOKEN-456/);
    const again = await p.a.request(path, { headers: { ...HOST, cookie: 'session=SECRET-COOKIE-123', authorization: 'Bearer SECRET-TOKEN-456' } });
    assert.equal(again.headers['x-cache'], 'HIT');
    assert.equal((await p.a.request(path, { headers: { ...HOST, cookie: 'session=other' } })).headers['x-cache'], 'MISS');
  });

  it('leaves nothing in the store for writes to paths no cached route answers (review 2)', async () => {
    const before = p.redis.keyCount();
    for (let i = 0; i < 20; i++) {
      const r = await p.a.request(`/__mock/echo/anonymous-${i}`, { method: 'POST', headers: { ...HOST, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(r.status, 200);
    }
    assert.equal(p.redis.keyCount(), before);
  });

  it('counts its own writes between two readings of Redis memory: a burst cannot pass the share (review 2)', async () => {
    const used = await p.redis.usedMemory();
    // Room for about three 100 kB entries under the 0.5 share.
    await p.redis.configSet('maxmemory', String(Math.round((used + 350_000) / 0.5)));
    try {
      await new Promise((r) => setTimeout(r, 2100)); // the next write reads INFO memory afresh
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => p.a.request(`/__mock/respond/burst-room-${i}?repeat=10000&body=0123456789`, { headers: HOST })));
      const stored = answers.filter((a) => /fwd=miss; stored/.test(String(a.headers['cache-status']))).length;
      assert.ok(stored >= 1 && stored <= 4, `stored ${stored} of 10`);
    } finally {
      await p.redis.configSet('maxmemory', '0');
    }
  });

  it('bypasses the cache while Redis is down, logs it once, and caches again when it is back', async () => {
    await p.a.request('/__mock/respond/outage', { headers: HOST });
    const port = p.redis.port;
    await p.redis.stop();
    for (let i = 0; i < 3; i++) {
      const r = await p.a.request('/__mock/respond/outage', { headers: HOST });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-cache'], 'BYPASS');
      assert.match(String(r.headers['cache-status']), /fwd=bypass; detail=store-unavailable/);
    }
    const bypassed = () => p.a.logs().filter((l) => l.msg === 'cache bypassed: the store is not answering; requests go to the backend').length;
    await waitUntil(() => bypassed() > 0, 'the outage to be logged');
    assert.equal(bypassed(), 1);
    p.redis = await startRedis(port);
    await waitUntil(async () => (await p.a.request('/__mock/respond/outage', { headers: HOST })).headers['x-cache'] === 'HIT', 'the cache to serve again', 15_000);
    await waitUntil(() => p.a.logs().some((l) => l.msg === 'cache serving again'), 'the recovery to be logged');
    assert.equal(p.a.logs().filter((l) => l.msg === 'cache serving again').length, 1);
  });
});
