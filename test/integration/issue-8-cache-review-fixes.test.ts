import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

// Findings of the issue 8 outside review, one test each. HTTP mode on /__mock/respond/http, a
// ttl route on the rest of /__mock/respond, a 1 MB memory bound with room for a 2 MB answer.
const CONFIG = BASE_CONFIG.replace('    path: /api/trading/orders\n    methods: [GET, POST]\n', '    path: /api/trading/orders\n    methods: [GET, POST]\n    cache: { ttl: 1m }\n') + `  - id: http
    auth: none
    prefix: /__mock/respond/http
    methods: [GET]
    cache: {}
  - id: ttl
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 1m, maxBodyBytes: 4mb }
cache:
  maxMemory: 1mb
`;

describe('issue 8 review: the cache\'s answers to what the outside review found (memory store)', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('S1: a request waiting on another\'s fill gets that entry only if it matches the fields its Vary names', async () => {
    const path = '/__mock/respond/http/vary?delay=600&header=cache-control:max-age%3D60&header=vary:accept-language';
    const de = gw.request(path, { headers: { 'accept-language': 'de' } });
    await new Promise((r) => setTimeout(r, 150));
    const fr = await gw.request(path, { headers: { 'accept-language': 'fr' } });
    assert.doesNotMatch(String(fr.headers['cache-status']), /collapsed/);
    assert.equal((await de).headers['x-cache'], 'MISS');
    assert.equal(await mock.count('GET /__mock/respond/http/vary'), 2);
  });

  it('C1: a client\'s no-store keeps its answer out of the cache, and may still be answered from it', async () => {
    const path = '/__mock/respond/http/no-store?header=cache-control:max-age%3D60';
    for (let i = 0; i < 2; i++) {
      const r = await gw.request(path, { headers: { 'cache-control': 'no-store' } });
      assert.equal(r.headers['x-cache'], 'BYPASS');
    }
    assert.equal((await gw.request(path)).headers['x-cache'], 'MISS');
    assert.equal((await gw.request(path, { headers: { 'cache-control': 'no-store' } })).headers['x-cache'], 'HIT');
    assert.equal(await mock.count('GET /__mock/respond/http/no-store'), 3);
  });

  it('C3: an answer larger than the memory bound is not stored, and Cache-Status says so', async () => {
    const path = '/__mock/respond/huge?repeat=200000&body=0123456789';
    const first = await gw.request(path);
    assert.equal(first.body.length, 2_000_000);
    assert.match(String(first.headers['cache-status']), /fwd=miss; detail=not-stored/);
    assert.equal((await gw.request(path)).headers['x-cache'], 'MISS');
    await waitUntil(() => gw.logs().some((l) => l.msg === 'cache entry larger than cache.maxMemory: not stored (told once)'), 'the refusal to be logged');
  });

  it('C4: the backend\'s own X-Cache is not relayed beside the gateway\'s', async () => {
    const r = await gw.request('/__mock/respond/x-cache?header=x-cache:HIT-from-origin&header=cache-control:no-store');
    assert.equal(r.headers['x-cache'], 'MISS');
    assert.equal(r.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-cache').length, 1);
  });

  it('C4: errors on a cached route carry X-Cache and Cache-Status too', async () => {
    const r = await gw.request('/__mock/respond/only-if-cached-miss', { headers: { 'cache-control': 'only-if-cached' } });
    assert.equal(r.status, 504);
    assert.equal(r.headers['x-cache'], 'MISS');
    assert.match(String(r.headers['cache-status']), /detail=only-if-cached/);
  });

  it('review 2: a 304 updates the entry with the backend\'s fields, never with per-exchange ones', async () => {
    const path = '/__mock/respond/http/merge?header=cache-control:no-cache&header=etag:%22m1%22&header=x-cache:HIT-origin&header=age:77&header=x-request-id:origin-id&header=retry-after:5';
    await gw.request(path);
    const revalidated = await gw.request(path);
    assert.match(String(revalidated.headers['cache-status']), /fwd-status=304/);
    const count = (name: string) => revalidated.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length;
    for (const name of ['x-cache', 'age', 'x-request-id']) assert.equal(count(name), 1, name);
    assert.equal(revalidated.headers['x-cache'], 'HIT');
    assert.notEqual(revalidated.headers['x-request-id'], 'origin-id');
    assert.equal(revalidated.headers['retry-after'], undefined);
  });

  it('review 2: a read after a write never joins a fill that started before it', async () => {
    await mock.arm({ kind: 'delay', path: '/api/trading/orders', method: 'GET', ms: 1500, times: 1 });
    const before = gw.request('/api/trading/orders');
    await new Promise((r) => setTimeout(r, 300));
    const order = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1 }) });
    assert.equal(order.status, 201);
    const after = await gw.request('/api/trading/orders');
    assert.doesNotMatch(String(after.headers['cache-status']), /collapsed/);
    assert.ok(after.json<{ orders: unknown[] }>().orders.length >= 1, 'the order placed before this read is in its answer');
    assert.equal((await before).status, 200);
  });

  it('review 2: a 304 that does not match the entry is not passed to a client that asked nothing: the cache asks again', async () => {
    const path = '/__mock/respond/http/other-etag?header=cache-control:no-cache&header=etag:%22v1%22&h304=etag:%22v2%22';
    await gw.request(path);
    const again = await gw.request(path);
    assert.equal(again.status, 200);
    assert.equal(again.text, '{"ok":true}');
    assert.equal(await mock.count('GET /__mock/respond/http/other-etag'), 3, 'fill, conditional, unconditional');
  });

  it('review 2: a 304 that says no-store ends the entry', async () => {
    const path = '/__mock/respond/http/gone?header=cache-control:max-age%3D0%2C%20stale-while-revalidate%3D60%2C%20stale-if-error%3D60&header=etag:%22g1%22&h304=cache-control:no-store';
    await gw.request(path);
    // Served stale once, refreshed in the background: the 304 says no-store and the entry goes
    // (before the fix it was served STALE for the whole minute).
    await waitUntil(async () => (await gw.request(path)).headers['x-cache'] === 'MISS', 'the entry to be dropped', 10_000);
  });

  it('review 2: requests for a key whose answer cannot be stored reach the backend side by side, not one after another', async () => {
    const path = '/__mock/respond/unstorable?delay=500&header=set-cookie:s%3D1';
    await gw.request(path); // leaves the pass mark
    await Promise.all(Array.from({ length: 6 }, () => gw.request(path)));
    assert.ok(await mock.count('MAXCONC /__mock/respond/unstorable') >= 4, String(await mock.count('MAXCONC /__mock/respond/unstorable')));
  });

  it('O1: a backend that hangs is asked once, however many requests wait for the entry', async () => {
    // The route's headersTimeout is 2 s (BASE_CONFIG): the one fill times out and every waiter gets its answer.
    const answers = await Promise.all(Array.from({ length: 20 }, () => gw.request('/__mock/respond/hang?delay=4000')));
    assert.ok(answers.every((a) => a.status === 504 && a.headers['x-cache'] === 'MISS'), JSON.stringify(answers.map((a) => a.status)));
    assert.match(String(answers[0]!.headers['cache-status']), /detail=upstream\.timeout/);
    assert.equal(await mock.count('GET /__mock/respond/hang'), 1);
  });
});
