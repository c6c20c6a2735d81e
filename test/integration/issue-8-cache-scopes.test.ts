import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/** Portfolio cached per user and invalidated by that user's orders; the trading dashboard shared; echo and a user-scoped prefix to try poisoning. */
function config(files: AuthFiles): string {
  return authConfig(files)
    .replace('  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n',
      '  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n    cache: { ttl: 30s, tags: ["portfolio:{user}"] }\n')
    .replace('    auth: { mode: required, roles: [trader, admin] }\n    path: /api/trading/orders\n',
      '    auth: { mode: required, roles: [trader, admin] }\n    path: /api/trading/orders\n    invalidates: ["portfolio:{user}", trading]\n')
    .replace('    path: /api/dashboard/trading\n    methods: [GET]\n    auth: { mode: optional, forwardAuthorization: true }\n',
      '    path: /api/dashboard/trading\n    methods: [GET]\n    auth: { mode: required }\n    cache: { ttl: 30s, scope: shared, tags: [trading] }\n')
    .replace('auth:\n  jwt:', `  - id: echo-cached
    auth: none
    prefix: /__mock/echo/cached
    methods: [GET]
    cache: { ttl: 30s, ignoreQueryParams: [utm_source] }
  - id: user-files
    auth: required
    prefix: /__mock/respond/files
    methods: [GET]
    cache: { ttl: 30s }
  - id: optional-files
    auth: optional
    prefix: /__mock/respond/optional
    methods: [GET]
    cache: { ttl: 30s }
  - id: role-files
    auth: required
    prefix: /__mock/respond/roles
    methods: [GET]
    cache: { ttl: 30s, scope: role }
auth:
  jwt:`);
}

describe('issue 8: cache scopes, poisoning and invalidation by tag', () => {
  let files: AuthFiles;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let alice: string;
  let bob: string;
  let carol: string;
  before(async () => {
    files = await makeAuthFiles();
    ({ mock, gw } = await startMockAndGateway({ config: config(files) }));
    alice = (await tokensFor(gw, 'alice')).access_token;
    bob = (await tokensFor(gw, 'bob')).access_token;
    carol = (await tokensFor(gw, 'carol')).access_token;
  });
  after(() => stopAll(gw, mock));

  it('keeps one entry per user: one user\'s portfolio is never served to another, nor to an API key', async () => {
    const a1 = await gw.request('/api/portfolio', { headers: bearer(alice) });
    assert.equal(a1.headers['x-cache'], 'MISS');
    assert.equal(a1.json().user, 'alice');
    const b1 = await gw.request('/api/portfolio', { headers: bearer(bob) });
    assert.equal(b1.headers['x-cache'], 'MISS');
    assert.equal(b1.json().user, 'bob');
    const key = await gw.request('/api/portfolio', { headers: { 'x-api-key': files.keys.trader } });
    assert.equal(key.headers['x-cache'], 'MISS');
    assert.equal(key.json().user, 'trading-bot');
    const a2 = await gw.request('/api/portfolio', { headers: bearer(alice) });
    assert.equal(a2.headers['x-cache'], 'HIT');
    assert.equal(a2.json().user, 'alice');
    assert.equal(await mock.count('GET /api/portfolio'), 3);
  });

  it('never serves a user-scoped ".css" path to another principal (web cache deception)', async () => {
    const a = await gw.request('/__mock/respond/files/me/style.css', { headers: bearer(alice) });
    assert.equal(a.headers['x-cache'], 'MISS');
    const b = await gw.request('/__mock/respond/files/me/style.css', { headers: bearer(bob) });
    assert.equal(b.headers['x-cache'], 'MISS');
    const anonymous = await gw.request('/__mock/respond/files/me/style.css');
    assert.equal(anonymous.status, 401);
  });

  it('never shares a private answer between anonymous callers of an optional route (review S2)', async () => {
    const path = '/__mock/respond/optional/me?header=cache-control:private';
    await gw.request(path);
    assert.equal((await gw.request(path)).headers['x-cache'], 'MISS');
    await gw.request(path, { headers: bearer(alice) });
    assert.equal((await gw.request(path, { headers: bearer(alice) })).headers['x-cache'], 'HIT', 'a verified caller\'s own entry may hold it');
  });

  it('shares role-scoped entries among callers with the same roles only', async () => {
    await gw.request('/__mock/respond/roles/x', { headers: bearer(bob) });
    assert.equal((await gw.request('/__mock/respond/roles/x', { headers: bearer(carol) })).headers['x-cache'], 'HIT');
    assert.equal((await gw.request('/__mock/respond/roles/x', { headers: bearer(alice) })).headers['x-cache'], 'MISS');
  });

  it('shares a shared-scope entry between users', async () => {
    const a = await gw.request('/api/dashboard/trading', { headers: bearer(alice) });
    assert.equal(a.headers['x-cache'], 'MISS');
    const b = await gw.request('/api/dashboard/trading', { headers: bearer(bob) });
    assert.equal(b.headers['x-cache'], 'HIT');
    assert.equal(b.text, a.text);
  });

  it('cannot be poisoned through Host, X-Forwarded-Host or any unkeyed header', async () => {
    // A foreign Host is keyed: its answer (which may embed it in links) is only ever served to requests with that Host.
    const attacker = await gw.request('/__mock/echo/cached', { headers: { host: 'attacker.example:6666', 'x-forwarded-host': 'evil.example' } });
    assert.equal(attacker.status, 200);
    assert.equal(attacker.headers['x-cache'], 'MISS');
    assert.doesNotMatch(attacker.text, /evil\.example/, 'a client\'s X-Forwarded-Host never reaches the backend');
    const normal = await gw.request('/__mock/echo/cached');
    assert.equal(normal.headers['x-cache'], 'MISS', 'the attacker\'s entry is not the others\'');
    assert.doesNotMatch(normal.text, /attacker|evil/);
    const forwardedHost = await gw.request('/__mock/echo/cached', { headers: { 'x-forwarded-host': 'evil.example' } });
    assert.equal(forwardedHost.headers['x-cache'], 'HIT', 'an untrusted X-Forwarded-Host is not keyed: it is never sent');
    assert.doesNotMatch(forwardedHost.text, /evil/);
  });

  it('sends a fill only what the key holds: no cookie, no made-up header, no ignored parameter', async () => {
    const first = await gw.request('/__mock/echo/cached/fill?b=2&a=1&utm_source=%3Cscript%3E', { headers: { 'x-evil': 'yes', cookie: 'session=alice', 'accept-language': 'de', 'user-agent': 'evil-agent' } });
    assert.equal(first.headers['x-cache'], 'MISS');
    for (const sent of [/x-evil/, /session=alice/, /accept-language/, /evil-agent/, /script/, /utm_source/]) assert.doesNotMatch(first.text, sent);
    assert.match(first.json<{ url: string }>().url, /\?a=1&b=2$/, 'the key\'s query: sorted, ignored parameters left out');
    const again = await gw.request('/__mock/echo/cached/fill?a=1&b=2');
    assert.equal(again.headers['x-cache'], 'HIT');
  });

  it('ignores a client\'s Cache-Control: no-cache unless the route allows it', async () => {
    await gw.request('/api/portfolio', { headers: bearer(alice) });
    const forced = await gw.request('/api/portfolio', { headers: { ...bearer(alice), 'cache-control': 'no-cache', pragma: 'no-cache' } });
    assert.equal(forced.headers['x-cache'], 'HIT');
  });

  it('invalidates the tagged entries of the user who placed an order, and the shared dashboard', async () => {
    await gw.request('/api/portfolio', { headers: bearer(alice) });
    await gw.request('/api/portfolio', { headers: bearer(bob) });
    await gw.request('/api/dashboard/trading', { headers: bearer(bob) });
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(alice) })).headers['x-cache'], 'HIT');
    const order = await gw.request('/api/trading/orders', { method: 'POST', headers: { ...bearer(alice), 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1 }) });
    assert.equal(order.status, 201, order.text);
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(alice) })).headers['x-cache'], 'MISS');
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(bob) })).headers['x-cache'], 'HIT', 'bob\'s entry carries bob\'s tag');
    const dashboard = await gw.request('/api/dashboard/trading', { headers: bearer(bob) });
    assert.equal(dashboard.headers['x-cache'], 'MISS');
    assert.ok(dashboard.json<{ orders_today: number }>().orders_today >= 1);
  });
});
