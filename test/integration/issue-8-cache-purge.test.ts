import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminRequest } from '../helpers/admin-client.js';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

const config = (files: AuthFiles) => authConfig(files)
  .replace('  http: { host: 127.0.0.1, port: 0 }\n', '  http: { host: 127.0.0.1, port: 0 }\n  admin: { port: 0 }\n')
  .replace('  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n',
    '  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n    cache: { ttl: 5m, tags: ["portfolio:{user}"] }\n');

describe('issue 8: purging the cache through the admin listener', () => {
  let files: AuthFiles;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let alice: string;
  let bob: string;
  let root: string;
  const xcache = async (token: string) => (await gw.request('/api/portfolio', { headers: bearer(token) })).headers['x-cache'];
  const purge = (body: unknown, token = root) => adminRequest(gw, '/admin/cache/purge', { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const warm = async () => {
    for (const t of [alice, bob]) await xcache(t);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['HIT', 'HIT']);
  };

  before(async () => {
    files = await makeAuthFiles();
    ({ mock, gw } = await startMockAndGateway({ config: config(files) }));
    alice = (await tokensFor(gw, 'alice')).access_token;
    bob = (await tokensFor(gw, 'bob')).access_token;
    root = (await tokensFor(gw, 'root')).access_token;
  });
  after(() => stopAll(gw, mock));

  it('refuses a purge without the admin role, and purges nothing', async () => {
    await warm();
    assert.equal((await purge({ all: true }, alice)).status, 403);
    const anonymous = await adminRequest(gw, '/admin/cache/purge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['HIT', 'HIT']);
  });

  it('purges one caller\'s entries of a path', async () => {
    await warm();
    const r = await purge({ path: '/api/portfolio', principal: { id: 'alice', method: 'jwt' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['MISS', 'HIT']);
  });

  it('purges a path for everyone', async () => {
    await warm();
    assert.equal((await purge({ path: '/api/portfolio' })).status, 200);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['MISS', 'MISS']);
  });

  it('purges by tag', async () => {
    await warm();
    assert.equal((await purge({ tags: ['portfolio:bob'] })).status, 200);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['HIT', 'MISS']);
  });

  it('purges everything', async () => {
    await warm();
    assert.equal((await purge({ all: true })).status, 200);
    assert.deepEqual([await xcache(alice), await xcache(bob)], ['MISS', 'MISS']);
  });

  it('reports per-route stats', async () => {
    const r = await adminRequest(gw, '/admin/cache/stats', { headers: bearer(root) });
    assert.equal(r.status, 200, r.text);
    const route = r.json<{ routes: { route: string; entries: number; bytes: number; hits: number; misses: number; hitRatio: number }[] }>().routes.find((x) => x.route === 'portfolio')!;
    assert.equal(route.entries, 2);
    assert.ok(route.bytes > 0);
    assert.ok(route.hits >= 8 && route.misses >= 8, JSON.stringify(route));
    assert.ok(route.hitRatio > 0 && route.hitRatio < 1);
  });
});
