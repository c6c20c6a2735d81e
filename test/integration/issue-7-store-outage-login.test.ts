import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authConfig, login, makeAuthFiles, PASSWORDS } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { startMock } from '../helpers/upstream-mock.js';

/**
 * Issue #7: while the store was down, logins succeeded but the tokens they issued were refused
 * (503) on every use until it returned, and nothing in the log said the store had gone.
 */
describe('issue #7: store outage and logins', () => {
  test('store lost: logged once, logins refused with 503 auth.store_unavailable; back: logged once, logins work', async () => {
    const files = await makeAuthFiles();
    let redis: RedisHandle = await startRedis();
    const mock = await startMock();
    let gw: GatewayHandle | undefined;
    try {
      gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files, { store: `store:\n  redis: { url: "${redis.url}" }\n` }) });
      assert.equal((await login(gw, 'alice', PASSWORDS.alice)).status, 200);

      await redis.stop();
      await gw.service.waitForLine((l) => l.includes('store connection lost'));
      const refused = await login(gw, 'alice', PASSWORDS.alice);
      assert.equal(refused.status, 503);
      assert.equal(refused.json<{ code: string }>().code, 'auth.store_unavailable');
      assert.equal(refused.headers['www-authenticate'], undefined, 'not a credentials problem');
      // The same answer for a wrong password: the outage must not tell right from wrong (second review).
      const wrong = await login(gw, 'alice', 'not-alices-password');
      assert.equal(wrong.status, 503);
      assert.equal(wrong.json<{ code: string }>().code, 'auth.store_unavailable');
      const ready = await gw.request('/readyz');
      assert.equal(ready.json<{ checks: { store: boolean } }>().checks.store, false);

      redis = await startRedis(redis.port);
      await gw.service.waitForLine((l) => l.includes('store connection back'));
      assert.equal((await login(gw, 'alice', PASSWORDS.alice)).status, 200);

      const storeLines = gw.logs().filter((l) => l.kind === 'store');
      assert.deepEqual(storeLines.map((l) => [l.level, l.msg]), [
        ['warn', 'store connection lost; revocation fails closed, limits use per-instance memory'],
        ['info', 'store connection back'],
      ], 'one line per change, not one per reconnect attempt');
    } finally {
      await stopAll(gw, mock);
      await redis.stop();
    }
  });
});
