import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authConfig, bearer, login, makeAuthFiles, PASSWORDS, type AuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue #7 (outside review): with the memory store a reload reset limiter state it had no reason
 * to touch. Changing only `rateLimits.unauthenticated` reset every policy's counters and blocks,
 * and changing `auth.jwt.accessTtl` reset the login brute-force counters. Now a limiter starts
 * fresh only when its own definition changes.
 */
const limits = (o: { unauthenticated: number; other: number }) => `rateLimits:
  unauthenticated: { points: ${o.unauthenticated}, duration: 1m }
  policies:
    tight:
      limits:
        - { name: tight, points: 2, duration: 1m, block: 1m }
    other:
      limits:
        - { name: other, points: ${o.other}, duration: 1m }
`;
function config(files: AuthFiles, o: { unauthenticated?: number; other?: number; accessTtl?: string; failuresPerUserAndIp?: number } = {}): string {
  return authConfig(files)
    .replace('  - id: docs\n', '  - id: docs\n    rateLimit: tight\n')
    .replace('  - id: echo\n', '  - id: echo\n    rateLimit: other\n')
    .replace('accessTtl: 5m', `accessTtl: ${o.accessTtl ?? '5m'}`)
    .replace('failuresPerUserAndIp: 3', `failuresPerUserAndIp: ${o.failuresPerUserAndIp ?? 3}`)
    + limits({ unauthenticated: o.unauthenticated ?? 3, other: o.other ?? 2 });
}

describe('issue #7: a reload keeps the state of every limiter it did not change (memory store)', () => {
  let files: AuthFiles;
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    files = await makeAuthFiles();
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: config(files) });
  });
  after(() => stopAll(gw, mock));

  const statuses = async (n: number, path: string, headers: Record<string, string> = {}) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await gw.request(path, { headers })).status);
    return out;
  };
  const reload = async (yaml: string) => {
    gw.writeConfig(yaml);
    assert.equal((await gw.reload()).msg, 'config reloaded');
  };

  test('changing only rateLimits.unauthenticated keeps every policy counting and blocking; a changed policy starts fresh', async () => {
    assert.deepEqual(await statuses(3, '/api/docs'), [200, 200, 429], 'tight: spent and blocked');
    assert.deepEqual(await statuses(3, '/__mock/echo'), [200, 200, 429], 'other: spent');
    await reload(config(files, { unauthenticated: 4 }));
    assert.equal((await gw.request('/api/docs')).status, 429, 'the block survives');
    assert.equal((await gw.request('/__mock/echo')).status, 429, 'the counter survives');

    // The unauthenticated budget itself changed: fresh (4 now); spent, it survives a change elsewhere.
    assert.deepEqual(await statuses(5, '/api/portfolio', bearer('made.up.token')), [401, 401, 401, 401, 429]);
    await reload(config(files, { unauthenticated: 4, other: 3 }));
    assert.equal((await gw.request('/api/portfolio', { headers: bearer('made.up.token') })).status, 429, 'unauthenticated budget kept');
    assert.equal((await gw.request('/api/docs')).status, 429, 'tight kept');
    assert.deepEqual(await statuses(4, '/__mock/echo'), [200, 200, 200, 429], 'other changed: a fresh budget of 3');
  });

  test('changing auth.jwt.accessTtl keeps the login-failure counts; changing auth.login starts them fresh', async () => {
    // Its own gateway: the budget the test above spent would answer the logins before their own limiter.
    const own = await startGateway({ upstreamUrl: mock.url, config: config(files, { unauthenticated: 400 }) });
    try {
      const reloadOwn = async (yaml: string) => {
        own.writeConfig(yaml);
        assert.equal((await own.reload()).msg, 'config reloaded');
      };
      for (let i = 0; i < 3; i++) assert.equal((await login(own, 'carol', 'wrong')).status, 401);
      assert.equal((await login(own, 'carol', PASSWORDS.carol)).json<{ code: string }>().code, 'auth.too_many_attempts');
      await reloadOwn(config(files, { unauthenticated: 400, accessTtl: '10m' }));
      assert.equal((await login(own, 'carol', PASSWORDS.carol)).json<{ code: string }>().code, 'auth.too_many_attempts');
      await reloadOwn(config(files, { unauthenticated: 400, accessTtl: '10m', failuresPerUserAndIp: 5 }));
      assert.equal((await login(own, 'carol', PASSWORDS.carol)).status, 200);
    } finally {
      await own.stop();
    }
  });
});
