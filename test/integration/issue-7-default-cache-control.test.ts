import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authConfig, bearer, makeAuthFiles, tokensFor } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue 7: proxied responses on authenticated routes carried no Cache-Control when the backend
 * sent none, so a browser could keep a user's data in its heuristic cache (RFC 9111 4.2.2).
 */
const ROUTES = `
  - id: private-respond
    path: /__mock/respond
    methods: [GET]
    auth: required
  - id: private-no-default
    path: /__mock/respond/off
    methods: [GET]
    auth: required
    defaultCacheControl: false
  - id: private-own-default
    path: /__mock/respond/own
    methods: [GET]
    auth: required
    defaultCacheControl: "private, max-age=5"
  - id: private-route-sets
    path: /__mock/respond/route-sets
    methods: [GET]
    auth: required
    headers: { response: { set: { Cache-Control: "private, max-age=1" } } }
`;

const respond = (header?: string) => `/__mock/respond${header ? `?header=${encodeURIComponent(header)}` : ''}`;

describe('issue 7: Cache-Control on authenticated routes', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let auth: Record<string, string>;
  before(async () => {
    const files = await makeAuthFiles();
    mock = await startMock();
    const config = authConfig(files).replace('routes:\n', `routes:\n${ROUTES.slice(1)}`);
    gw = await startGateway({ upstreamUrl: mock.url, config });
    auth = bearer((await tokensFor(gw, 'alice')).access_token);
  });
  after(() => stopAll(gw, mock));

  it('adds no-store when the backend sends no Cache-Control', async () => {
    const res = await gw.request(respond(), { headers: auth });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('an empty Cache-Control from the backend counts as none', async () => {
    const res = await gw.request(respond('Cache-Control:'), { headers: auth });
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it("keeps the backend's own Cache-Control, alone", async () => {
    const res = await gw.request(respond('Cache-Control: private, max-age=30'), { headers: auth });
    assert.equal(res.headers['cache-control'], 'private, max-age=30');
    assert.equal(res.rawHeaders.filter((h) => h.toLowerCase() === 'cache-control').length, 1);
  });

  it('a route can turn the default off, or choose its own', async () => {
    const off = await gw.request('/__mock/respond/off', { headers: auth });
    assert.equal(off.status, 200);
    assert.equal(off.headers['cache-control'], undefined);
    const own = await gw.request('/__mock/respond/own', { headers: auth });
    assert.equal(own.headers['cache-control'], 'private, max-age=5');
  });

  it("a Cache-Control the route sets wins, once", async () => {
    const res = await gw.request('/__mock/respond/route-sets', { headers: auth });
    assert.equal(res.headers['cache-control'], 'private, max-age=1');
    assert.equal(res.rawHeaders.filter((h) => h.toLowerCase() === 'cache-control').length, 1);
  });

  it('public routes are left as the backend answers', async () => {
    const res = await gw.request('/health');
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], undefined);
  });

  it("the gateway's own endpoints are never cacheable", async () => {
    const me = await gw.request('/api/auth/me', { headers: auth });
    assert.equal(me.status, 200);
    assert.equal(me.headers['cache-control'], 'no-store');
  });
});
