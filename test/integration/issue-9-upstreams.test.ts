import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

const HEAD = `
listeners:
  https: { host: 127.0.0.1, port: 0 }
tls:
  mode: self-signed
log:
  level: info
`;

interface Readyz {
  status: string;
  checks: { backend: boolean };
  upstreams: Record<string, { ready: boolean; targets: { target: number; state: string }[] }>;
}

const states = async (gw: GatewayHandle, name: string): Promise<string[]> =>
  (await gw.request('/readyz')).json<Readyz>().upstreams[name]!.targets.map((t) => t.state);

const code = (res: ClientResponse): string | undefined => (res.headers['content-type']?.includes('json') ? res.json<{ code?: string }>().code : undefined);

describe('issue 9: named upstreams, balancing, passive health, the retry rule', () => {
  let a: MockHandle;
  let b: MockHandle;
  let c: MockHandle;
  let gw: GatewayHandle;
  const config = (marketTarget: string) => `${HEAD}
upstreams:
  default:
    targets: [${a.url}, ${b.url}]
    connectTimeout: 1s
    headersTimeout: 2s
    bodyTimeout: 2s
    passive: { failures: 2, ejectFor: 10m }
  pair:
    targets: [${a.url}, ${b.url}]
    headersTimeout: 2s
  market-data:
    targets: [${marketTarget}]
    headersTimeout: 3s
routes:
  - id: overview
    auth: none
    path: /api/dashboard/overview
    methods: [GET]
    cache: { ttl: 1s, staleIfError: 10m }
  - id: prices
    auth: none
    path: /api/market/prices
    methods: [GET]
  - id: dashboard
    auth: none
    prefix: /api/dashboard
    methods: [GET]
    upstream: pair
  - id: orders
    auth: none
    path: /api/trading/orders
    methods: [GET, POST]
    upstream: pair
  - id: market
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    upstream: market-data
`;

  before(async () => {
    [a, b, c] = await Promise.all([startMock(), startMock(), startMock()]);
    gw = await startGateway({ upstreamUrl: a.url, config: config(c.url) });
  });
  after(async () => {
    try {
      await gw?.stop();
    } finally {
      await Promise.all([a, b, c].map((m) => m?.stop()));
    }
  });

  it('round-robin spreads requests over the targets', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await gw.request('/api/dashboard/trading')).status, 200);
    assert.equal(await a.count('GET /api/dashboard/trading'), 5);
    assert.equal(await b.count('GET /api/dashboard/trading'), 5);
    assert.equal(await c.count('GET /api/dashboard/trading'), 0);
  });

  it('a route on a second named upstream reaches only its target', async () => {
    const res = await gw.request('/__mock/respond/md?body=%22quote%22');
    assert.equal(res.status, 200);
    assert.equal(res.text, '"quote"');
    assert.equal(await c.count('GET /__mock/respond/md'), 1);
    assert.equal(await a.count('GET /__mock/respond/md') + await b.count('GET /__mock/respond/md'), 0);
  });

  it('a GET reset before any response byte is answered by the other target', async () => {
    await a.arm({ kind: 'reset-before', path: '/api/dashboard/risk', times: 100 });
    for (let i = 0; i < 2; i++) assert.equal((await gw.request('/api/dashboard/risk')).status, 200);
    // Target a resets every time: each 200 came from b, and at least one request was reset at a first.
    assert.ok(await a.count('GET /api/dashboard/risk') >= 1);
    assert.equal(await b.count('GET /api/dashboard/risk'), 2);
  });

  it('a POST is never resent to another target on a reset', async () => {
    await a.arm({ kind: 'reset-before', path: '/api/trading/orders', method: 'POST', times: 100 });
    const body = '{"symbol":"BTC","side":"buy","quantity":1}';
    const answers = [];
    // Consecutive requests alternate targets: one of the two goes to a.
    for (let i = 0; i < 2; i++) answers.push(await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    const reset = answers.filter((r) => r.status === 502);
    assert.equal(reset.length, 1);
    assert.equal(code(reset[0]!), 'upstream.connection_reset');
    assert.equal(await a.count('POST /api/trading/orders'), 1);
    assert.equal(await b.count('POST /api/trading/orders'), 1);
  });

  it('a reload that changes the upstreams lets requests in flight finish, and routes the next ones anew', async () => {
    const slow = gw.request('/__mock/respond/slow?delay=1500&body=%22late%22');
    await waitUntil(async () => (await c.count('GET /__mock/respond/slow')) === 1, 'the slow request to reach c');
    gw.writeConfig(config(b.url));
    const line = await gw.reload();
    assert.equal(line.msg, 'config reloaded');
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(res.text, '"late"');
    assert.equal((await gw.request('/__mock/respond/after')).status, 200);
    assert.equal(await b.count('GET /__mock/respond/after'), 1);
    assert.equal(await c.count('GET /__mock/respond/after'), 0);
  });

  it('a stopped target is ejected after N failures and the other answers; all stopped: 503 at once, stale from the cache', async () => {
    const filled = await gw.request('/api/dashboard/overview');
    assert.equal(filled.status, 200);
    await b.stop();
    // A refused connect reached nothing: the GET goes to a instead, and b's failures count.
    for (let i = 0; i < 6; i++) assert.equal((await gw.request('/api/market/prices')).status, 200);
    assert.deepEqual(await states(gw, 'default'), ['up', 'ejected']);
    assert.equal(await a.count('GET /api/market/prices'), 6);

    await a.stop();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(`${(await gw.request('/api/market/prices')).status}`);
    const last = await gw.request('/api/market/prices');
    assert.equal(last.status, 503, seen.join(','));
    assert.equal(code(last), 'upstream.no_healthy_target');
    assert.match(String(last.headers['content-type']), /application\/problem\+json/);
    assert.doesNotMatch(last.text, /127\.0\.0\.1/);
    assert.deepEqual(await states(gw, 'default'), ['ejected', 'ejected']);
    const ready = await gw.request('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.json<Readyz>().checks.backend, false);

    // The cached route: the entry's ttl runs out, the fill finds no target, stale-if-error serves it.
    await waitUntil(async () => (await gw.request('/api/dashboard/overview')).headers['x-cache'] === 'STALE', 'a stale answer');
    const stale = await gw.request('/api/dashboard/overview');
    assert.equal(stale.status, 200);
    assert.equal(stale.text, filled.text);
  });
});

describe('issue 9: the active check', () => {
  let a: MockHandle;
  let b: MockHandle;
  let gw: GatewayHandle;

  before(async () => {
    [a, b] = await Promise.all([startMock(), startMock()]);
    gw = await startGateway({
      upstreamUrl: a.url,
      config: `${HEAD}
upstreams:
  default:
    targets: [${a.url}, ${b.url}]
    balance: least-busy
    healthCheck: { path: /health, interval: 100ms, timeout: 1s, healthy: 2, unhealthy: 1 }
routes:
  - id: prices
    auth: none
    path: /api/market/prices
    methods: [GET]
`,
    });
  });
  after(async () => {
    try {
      await gw?.stop();
    } finally {
      await Promise.all([a, b].map((m) => m?.stop()));
    }
  });

  it('takes a failing target out and brings it back once its checks pass', async () => {
    await waitUntil(async () => (await a.count('GET /health')) > 0 && (await b.count('GET /health')) > 0, 'the first checks');
    // 40 failed checks at 100 ms: about 4 s out.
    await a.arm({ kind: 'status', path: '/health', status: 503, times: 40 });
    await waitUntil(async () => (await states(gw, 'default'))[0] === 'down', 'target 0 to be down');
    const before = await a.count('GET /api/market/prices');
    for (let i = 0; i < 4; i++) assert.equal((await gw.request('/api/market/prices')).status, 200);
    // Still down (checked after): every request went to b meanwhile.
    assert.equal((await states(gw, 'default'))[0], 'down');
    assert.equal(await a.count('GET /api/market/prices'), before);
    assert.equal(await b.count('GET /api/market/prices'), 4);

    await waitUntil(async () => (await states(gw, 'default'))[0] === 'up', 'target 0 to come back');
    await waitUntil(async () => {
      await gw.request('/api/market/prices');
      return (await a.count('GET /api/market/prices')) > before;
    }, 'a request to reach target 0 again');
  });
});
