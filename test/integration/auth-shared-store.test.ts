import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, startPairOnRedis, stopAll, stopPair, type GatewayHandle, type SharedPair } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis-server.js';
import { startMock } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/** Two gateway instances on one Redis, as behind a load balancer. */
describe('authentication across instances sharing Redis', () => {
  let pair: SharedPair;
  let a: GatewayHandle;
  let b: GatewayHandle;
  let files: AuthFiles;
  before(async () => {
    files = await makeAuthFiles();
    pair = await startPairOnRedis((store) => authConfig(files, { store }));
    ({ a, b } = pair);
  });
  after(() => stopPair(pair));

  test('a logout on one instance is honoured by the other at once', async () => {
    const tokens = await tokensFor(a, 'alice');
    assert.equal((await b.request('/api/portfolio', { headers: bearer(tokens.access_token) })).status, 200);
    assert.equal((await a.request('/api/auth/logout', { method: 'POST', headers: bearer(tokens.access_token) })).status, 204);
    const reuse = await b.request('/api/portfolio', { headers: bearer(tokens.access_token) });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.json<{ code: string }>().code, 'auth.token_revoked');
  });

  test('a refresh token rotated on one instance is spent on the other', async () => {
    const tokens = await tokensFor(a, 'bob');
    const body = JSON.stringify({ refresh_token: tokens.refresh_token });
    const headers = { 'content-type': 'application/json' };
    assert.equal((await a.request('/api/auth/refresh', { method: 'POST', headers, body })).status, 200);
    await new Promise((r) => setTimeout(r, 2200));
    const reuse = await b.request('/api/auth/refresh', { method: 'POST', headers, body });
    assert.equal(reuse.json<{ code: string }>().code, 'auth.refresh_reused');
  });

  test('an admin revoke-all on one instance applies on the other', async () => {
    const victim = await tokensFor(b, 'alice');
    const root = await tokensFor(a, 'root');
    assert.equal((await a.request('/api/auth/revoke', { method: 'POST', headers: { ...bearer(root.access_token), 'content-type': 'application/json' }, body: '{"user":"alice"}' })).status, 204);
    assert.equal((await b.request('/api/portfolio', { headers: bearer(victim.access_token) })).status, 401);
  });

  test('Redis down: revocation fails closed with 503 by default; API keys and public routes keep working', async () => {
    const tokens = await tokensFor(a, 'root');
    await pair.redis.stop();
    try {
      // Answered at all: a request queued behind the outage would hang until the client gives up.
      const res = await a.request('/api/portfolio', { headers: bearer(tokens.access_token) });
      assert.equal(res.status, 503);
      assert.equal(res.json<{ code: string }>().code, 'auth.store_unavailable');
      assert.equal((await a.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.trader } })).status, 200);
      assert.equal((await a.request('/api/dashboard/overview')).status, 401, 'no credentials is still a 401, not a 503');
      assert.equal((await a.request('/health')).status, 200);
    } finally {
      pair.redis = await startRedis(pair.redis.port);
    }
    // This Redis keeps nothing across a restart: the session came back without its record, so
    // it has ended (docs/adr/0004); a new login is back to normal.
    for (const gw of [a, b]) {
      await waitUntil(async () => (await gw.request('/api/portfolio', { headers: bearer(tokens.access_token) })).status === 401, 'answered again once Redis returns, and the lost session is over');
    }
    const fresh = await tokensFor(a, 'root');
    assert.equal((await b.request('/api/portfolio', { headers: bearer(fresh.access_token) })).status, 200);
  });
});

describe('onStoreError: allow', () => {
  test('with Redis down, a valid token is accepted without the revocation check (and the log says so)', async () => {
    const files: AuthFiles = await makeAuthFiles();
    const redis = await startRedis();
    const mock = await startMock();
    const gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files, { auth: '  onStoreError: allow\n', store: `store:\n  redis: { url: "${redis.url}" }\n` }) });
    try {
      const tokens = await tokensFor(gw, 'alice');
      await redis.stop();
      const res = await gw.request('/api/portfolio', { headers: bearer(tokens.access_token) });
      assert.equal(res.status, 200);
      await gw.service.waitForLine((l) => l.includes('revocation check skipped'), 3000);
    } finally {
      await stopAll(gw, mock);
    }
  });
});
