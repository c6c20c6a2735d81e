import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authConfig, makeAuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Third outside review of issue 7: a body over the auth endpoints' 16 KiB limit got 500
 * gateway.internal (body-parser's 413 was not mapped), and nothing was logged.
 */
describe('the auth endpoints refuse an oversized body as too large', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(await makeAuthFiles()) });
  });
  after(() => stopAll(gw, mock));

  for (const path of ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout']) {
    test(`${path}: 413 problem+json`, async () => {
      const res = await gw.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x', padding: 'p'.repeat(20_000) }) });
      assert.equal(res.status, 413);
      assert.equal(res.json<{ code: string }>().code, 'request.body_too_large');
    });
  }
});
