import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'";

function assertSecurityHeaders(res: ClientResponse, csp = STRICT_CSP): void {
  assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  assert.equal(res.headers['content-security-policy'], csp);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.match(String(res.headers['permissions-policy']), /camera=\(\)/);
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
  assert.equal(res.headers['x-powered-by'], undefined);
  assert.equal(res.headers.server, undefined);
  assert.ok(res.headers['x-request-id']);
}

describe('security headers and CORS', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: `${BASE_CONFIG}  - id: overridden
    auth: none
    path: /api/market/prices
    methods: [GET]
    headers:
      response:
        set: { Cache-Control: "no-store", X-Frame-Options: SAMEORIGIN }
        remove: [X-Internal]
cors:
  origins: ["https://app.example.com"]
  methods: [GET, POST]
  headers: [Authorization, Content-Type]
  exposeHeaders: [X-Request-Id]
  credentials: true
  maxAge: 10m
` })));
  after(() => stopAll(gw, mock));

  test('on a proxied 200; the backend Server and X-Powered-By are removed', async () => {
    const res = await gw.request('/api/docs/swagger-ui.js');
    assert.equal(res.status, 200);
    assertSecurityHeaders(res, "default-src 'none'; script-src 'self'; style-src 'self'");
  });

  test('on gateway-made errors: 404, 405, 400 and 502', async () => {
    assertSecurityHeaders(await gw.request('/nope'));
    assertSecurityHeaders(await gw.request('/api/dashboard/risk', { method: 'DELETE' }));
    assertSecurityHeaders(await gw.request('/api/%2e%2e/%2e%2e/x'));
    await mock.arm({ kind: 'reset-before', path: '/api/portfolio', times: 2 });
    const failed = await gw.request('/api/portfolio');
    assert.equal(failed.status, 502);
    assertSecurityHeaders(failed);
  });

  test('on the gateway\'s own endpoints', async () => {
    const res = await gw.request('/healthz');
    assert.equal(res.status, 200);
    assertSecurityHeaders(res);
  });

  test('per-route CSP override (the docs page) leaves other routes strict', async () => {
    const docs = await gw.request('/api/docs');
    assert.match(String(docs.headers['content-type']), /text\/html/);
    assert.equal(docs.headers['content-security-policy'], "default-src 'none'; script-src 'self'; style-src 'self'");
    const api = await gw.request('/api/dashboard/risk');
    assert.equal(api.headers['content-security-policy'], STRICT_CSP);
  });

  test('per-route response header set/remove', async () => {
    const res = await gw.request('/api/market/prices?symbols=BTC');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  });

  test('CORS: an allowed origin gets the CORS headers on a real request', async () => {
    const res = await gw.request('/api/dashboard/risk', { headers: { Origin: 'https://app.example.com' } });
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['access-control-expose-headers'], 'X-Request-Id');
    assert.match(String(res.headers.vary), /Origin/);
  });

  test('CORS: a disallowed origin gets no CORS headers', async () => {
    const res = await gw.request('/api/dashboard/risk', { headers: { Origin: 'https://evil.example' } });
    assert.equal(res.status, 200);
    for (const h of Object.keys(res.headers)) assert.ok(!h.startsWith('access-control-'), h);
  });

  test('CORS: the gateway answers preflights itself', async () => {
    const before = await mock.count('OPTIONS /api/trading/orders');
    const res = await gw.request('/api/trading/orders', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, authorization' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(res.headers['access-control-allow-methods'], 'GET, POST');
    assert.equal(res.headers['access-control-allow-headers'], 'Authorization, Content-Type');
    assert.equal(res.headers['access-control-max-age'], '600');
    assertSecurityHeaders(res);
    assert.equal(await mock.count('OPTIONS /api/trading/orders'), before);
  });

  test('CORS: a preflight from a disallowed origin or for a header not allowed gets no grant', async () => {
    const evil = await gw.request('/api/trading/orders', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    assert.equal(evil.headers['access-control-allow-methods'], undefined);
    const header = await gw.request('/api/trading/orders', { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-custom' } });
    assert.equal(header.headers['access-control-allow-methods'], undefined);
  });
});
