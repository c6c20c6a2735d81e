import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

// No ttl: the route follows HTTP. The orders route is cached too, to see a POST invalidate its GETs (RFC 9111 4.4).
const CONFIG = BASE_CONFIG.replace('    path: /api/trading/orders\n    methods: [GET, POST]\n', '    path: /api/trading/orders\n    methods: [GET, POST]\n    cache: { ttl: 1m }\n') + `  - id: http
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: {}
`;

const q = (headers: string[]) => headers.map((h) => `header=${encodeURIComponent(h)}`).join('&');

describe('issue 8: a route without ttl is an RFC 9111 shared cache', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  const twice = async (path: string, headers: Record<string, string> = {}) => {
    const first = await gw.request(path, { headers });
    const second = await gw.request(path, { headers });
    return { first, second };
  };

  const cases: { why: string; headers: string[]; second: string }[] = [
    { why: 'no freshness information: not stored', headers: [], second: 'MISS' },
    { why: 'max-age (5.2.2.1)', headers: ['cache-control:max-age=60'], second: 'HIT' },
    { why: 's-maxage wins over max-age in a shared cache (5.2.2.10)', headers: ['cache-control:max-age=0, s-maxage=60'], second: 'HIT' },
    { why: 'Age already past max-age: stale on arrival (4.2.3)', headers: ['cache-control:max-age=60', 'age:70'], second: 'MISS' },
    { why: 'Expires in the future (5.3)', headers: [`expires:${new Date(Date.now() + 3600_000).toUTCString()}`], second: 'HIT' },
    { why: 'Expires: 0 is already expired (5.3)', headers: ['expires:0'], second: 'MISS' },
    { why: 'Expires in a lenient format is invalid, so expired (5.3, RFC 9110 5.6.7)', headers: [`expires:${new Date(Date.now() + 3600_000).toISOString()}`], second: 'MISS' },
    { why: 'heuristic freshness from Last-Modified for a 200 (4.2.2)', headers: [`last-modified:${new Date(Date.now() - 86_400_000).toUTCString()}`], second: 'HIT' },
    { why: 'private: never in a shared entry (5.2.2.7)', headers: ['cache-control:max-age=60, private'], second: 'MISS' },
    { why: 'Vary: * never matches (4.1)', headers: ['cache-control:max-age=60', 'vary:*'], second: 'MISS' },
  ];
  cases.forEach((c, i) => {
    it(c.why, async () => {
      const { first, second } = await twice(`/__mock/respond/case-${i}?${q(c.headers)}`);
      assert.equal(first.headers['x-cache'], 'MISS');
      assert.equal(second.headers['x-cache'], c.second);
    });
  });

  it('reports the Age the entry carried (4.2.3)', async () => {
    const { second } = await twice(`/__mock/respond/age?${q(['cache-control:max-age=600', 'age:100'])}`);
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.ok(Number(second.headers.age) >= 100, String(second.headers.age));
  });

  it('revalidates a no-cache entry with If-None-Match and keeps it on 304 (4.3)', async () => {
    const path = `/__mock/respond/revalidate?${q(['cache-control:no-cache', 'etag:"v1"', 'x-version:1'])}`;
    const { first, second } = await twice(path);
    assert.equal(first.headers['x-cache'], 'MISS');
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.match(String(second.headers['cache-status']), /fwd=stale; fwd-status=304/);
    assert.equal(second.text, first.text);
    assert.equal(await mock.count('GET /__mock/respond/revalidate'), 2, 'each use asks the backend');
    const last = await mock.last('/__mock/respond/revalidate');
    const ifNoneMatch = last!.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'if-none-match');
    assert.equal(last!.rawHeaders[ifNoneMatch + 1], '"v1"');
  });

  it('keeps one entry per value of the fields Vary names (4.1)', async () => {
    const path = `/__mock/respond/vary?${q(['cache-control:max-age=60', 'vary:accept-language'])}`;
    assert.equal((await gw.request(path, { headers: { 'accept-language': 'en' } })).headers['x-cache'], 'MISS');
    assert.equal((await gw.request(path, { headers: { 'accept-language': 'en' } })).headers['x-cache'], 'HIT');
    assert.equal((await gw.request(path, { headers: { 'accept-language': 'de' } })).headers['x-cache'], 'MISS');
  });

  it('invalidates the stored GETs of a path after a successful unsafe request to it (4.4)', async () => {
    await gw.request('/api/trading/orders');
    assert.equal((await gw.request('/api/trading/orders')).headers['x-cache'], 'HIT');
    const posted = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1 }) });
    assert.equal(posted.status, 201);
    const after = await gw.request('/api/trading/orders');
    assert.equal(after.headers['x-cache'], 'MISS');
    assert.equal(after.json<{ orders: unknown[] }>().orders.length, 1);
  });

  it('keeps the entries when the unsafe request failed', async () => {
    await gw.request('/api/trading/orders?kept=1');
    const refused = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"symbol":' });
    assert.ok(refused.status >= 400);
    assert.equal((await gw.request('/api/trading/orders?kept=1')).headers['x-cache'], 'HIT');
  });
});
