import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, describe, test } from 'node:test';
import { createTokenService } from '../../gateway/auth/tokens/token-service.js';
import { authConfig, bearer, JWT_SECRET, makeAuthFiles, tokensFor, refreshWith } from '../helpers/auth-fixture.js';
import { startGateway, startPairOnRedis, stopAll, stopPair, type GatewayHandle, type SharedPair } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue #7 (outside review): revocation was only a deny-list in the store, and a refresh token
 * whose state was absent was accepted. So when the store lost its state (the in-memory store at
 * a restart, a Redis without persistence restarted or flushed) every logout was forgotten: the
 * logged-out access token worked again and its refresh token gave a fresh pair. Now a session
 * lives only as long as its record: no record, no access and no refresh (docs/adr/0004).
 */
type Pair = { access_token: string; refresh_token: string };

const logout = (gw: GatewayHandle, pair: Pair) =>
  gw.request('/api/auth/logout', { method: 'POST', headers: { ...bearer(pair.access_token), 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: pair.refresh_token }) });
const access = async (gw: GatewayHandle, pair: Pair) => (await gw.request('/api/portfolio', { headers: bearer(pair.access_token) })).status;

async function assertSessionOver(gw: GatewayHandle, pair: Pair, who: string): Promise<void> {
  const res = await gw.request('/api/portfolio', { headers: bearer(pair.access_token) });
  assert.equal(res.status, 401, `${who}: access token`);
  assert.equal(res.json<{ code: string }>().code, 'auth.token_revoked');
  const r = await refreshWith(gw, pair.refresh_token);
  assert.equal(r.status, 401, `${who}: refresh token`);
  assert.equal(r.json<{ code: string }>().code, 'auth.token_revoked');
}

/** One command to the test's own Redis, raw RESP: the tests hold no Redis client. */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write(`${command}\r\n`));
    s.once('data', (d) => { s.destroy(); resolve(d.toString()); });
    s.once('error', reject);
  });
}

describe('issue #7: sessions end with the store state they live in', () => {
  test('memory store: after a restart the logged-out tokens, and every other earlier session, are refused; a new login works', async () => {
    const files = await makeAuthFiles();
    const config = authConfig(files);
    const mock = await startMock();
    let gw: GatewayHandle | undefined;
    try {
      gw = await startGateway({ upstreamUrl: mock.url, config });
      const alice = await tokensFor(gw, 'alice');
      const bob = await tokensFor(gw, 'bob');
      assert.equal((await logout(gw, alice)).status, 204);
      await assertSessionOver(gw, alice, 'logged out, before the restart');
      assert.equal(await access(gw, bob), 200);

      await gw.stop();
      gw = undefined;
      gw = await startGateway({ upstreamUrl: mock.url, config }); // same config, same secrets

      await assertSessionOver(gw, alice, 'logged out, after the restart');
      await assertSessionOver(gw, bob, 'a session from before the restart');
      const fresh = await tokensFor(gw, 'alice');
      assert.equal(await access(gw, fresh), 200);
      const rotated = await refreshWith(gw, fresh.refresh_token);
      assert.equal(rotated.status, 200);
      assert.equal(await access(gw, rotated.json<Pair>()), 200);
    } finally {
      await stopAll(gw, mock);
    }
  });

  test('tokens signed with the gateway\'s key but never recorded by it are refused (refresh and access)', async () => {
    const files = await makeAuthFiles();
    let mock: MockHandle | undefined;
    let gw: GatewayHandle | undefined;
    try {
      mock = await startMock();
      gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files) });
      // What an earlier version issued, or what a store lost: valid signature, no session record.
      const tokens = await createTokenService({
        issuer: 'security-gateway', audience: 'trading-api', algorithm: 'HS256', secret: JWT_SECRET,
        accessTtl: 300_000, refreshTtl: 3_600_000, clockTolerance: 30_000, refreshGrace: 2000,
      });
      const unrecorded = (await tokens.issuePair('alice', ['trader'])).tokens;
      await assertSessionOver(gw, unrecorded, 'no record');
    } finally {
      await stopAll(gw, mock);
    }
  });

  describe('two instances on a Redis that loses its data', () => {
    let pair: SharedPair | undefined;
    after(() => stopPair(pair));

    test('FLUSHALL: both instances refuse the logged-out tokens and every earlier session; new logins work on both', async () => {
      const files = await makeAuthFiles();
      pair = await startPairOnRedis((store) => authConfig(files, { store }));
      const { a, b } = pair;
      const alice = await tokensFor(a, 'alice');
      const bob = await tokensFor(b, 'bob');
      assert.equal((await logout(a, alice)).status, 204);
      assert.equal(await access(b, bob), 200);
      assert.equal(await access(a, bob), 200);

      assert.match(await redisCommand(pair.redis.port, 'FLUSHALL'), /^\+OK/);

      for (const [name, gw] of [['a', a], ['b', b]] as const) {
        await waitUntil(async () => (await access(gw, alice)) === 401 && (await access(gw, bob)) === 401, `instance ${name} refuses the sessions the store lost`);
        await assertSessionOver(gw, alice, `logged out, instance ${name}`);
      }
      // bob's refresh token, tried once (a refused refresh is not retried): refused on b.
      const r = await refreshWith(b, bob.refresh_token);
      assert.equal(r.status, 401);
      assert.equal(r.json<{ code: string }>().code, 'auth.token_revoked');

      const fresh = await tokensFor(b, 'bob');
      assert.equal(await access(a, fresh), 200);
      const rotated = await refreshWith(a, fresh.refresh_token);
      assert.equal(rotated.status, 200);
      assert.equal(await access(b, rotated.json<Pair>()), 200);
    });
  });
});
