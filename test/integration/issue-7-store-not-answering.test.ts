import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from '../../gateway/observability/logger.js';
import { createRedisStore } from '../../gateway/store/redis-store.js';
import { StoreUnavailableError, type Store } from '../../gateway/store/store.js';
import { authConfig, bearer, login, makeAuthFiles, PASSWORDS, tokensFor } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue #7 (outside review): a stalled Redis (SIGSTOP: connected, never answering) was neither
 * logged nor short-circuited, so every request waited commandTimeout per store call before the
 * failure stance applied. What Redis is asked while paused is counted after it resumes (INFO
 * commandstats): the commands sent meanwhile are executed then.
 */
const NOT_ANSWERING = 'store not answering; revocation fails closed, limits use per-instance memory';
const ANSWERING = 'store answering again';

/** The gateway's own logger, writing to memory. */
function capture() {
  const lines: { level: string; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const { level, msg } = JSON.parse(chunk.toString()) as { level: string; msg: string };
      lines.push({ level, msg });
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}
const scripts = (calls: Record<string, number>) => (calls.evalsha ?? 0) + (calls.eval ?? 0);

describe('issue #7: a store that is connected but not answering', () => {
  test('the first unanswered command opens the breaker: logged once, later operations fail at once, limits use memory; back: logged once, counting shared again', { timeout: 30_000 }, async () => {
    const redis = await startRedis();
    const config = { url: redis.url, keyPrefix: 'stall:', commandTimeout: 250, connectTimeout: 1000 };
    const log = capture();
    const stores: Store[] = [];
    try {
      const a = await createRedisStore(config, log.logger);
      stores.push(a);
      const b = await createRedisStore(config);
      stores.push(b);
      const budget = { name: 'stall', points: 5, durationMs: 60_000 };
      const [limitA, limitB] = [a.createLimiterBackend(budget), b.createLimiterBackend(budget)];
      await limitA.consume('warm-up', 1); // loads the script, so a paused run sends EVALSHA only
      const before = await redis.commandCalls();

      redis.pause();
      // Ten charges: the first waits for its timeout and falls to the insurance limiter, the rest
      // go there at once. The insurance counts per instance: 5 allowed, then refused.
      const refused: boolean[] = [];
      for (let i = 0; i < 10; i++) refused.push((await limitA.consume('paused', 1)).refused);
      assert.deepEqual(refused, [false, false, false, false, false, true, true, true, true, true]);
      for (let i = 0; i < 5; i++) await assert.rejects(a.get('k'), StoreUnavailableError);
      await assert.rejects(a.ping(), StoreUnavailableError);
      assert.deepEqual(log.lines, [{ level: 'warn', msg: NOT_ANSWERING }]);

      redis.resume();
      await waitUntil(() => log.lines.length === 2, 'the breaker to close after the probe');
      assert.deepEqual(log.lines, [{ level: 'warn', msg: NOT_ANSWERING }, { level: 'info', msg: ANSWERING }]);
      const after = await redis.commandCalls();
      assert.equal(scripts(after) - scripts(before), 1, 'only the first charge was sent to the paused Redis');
      assert.equal((after.get ?? 0) - (before.get ?? 0), 0, 'no GET was sent while the breaker was open');

      // Two instances count together again: 5 allowed between them.
      const shared = [];
      for (let i = 0; i < 3; i++) shared.push((await limitA.consume('shared', 1)).refused, (await limitB.consume('shared', 1)).refused);
      assert.equal(shared.filter((r) => !r).length, 5, `refusals ${shared}`);
      await a.set('k', 'v');
      assert.equal((await a.get('k'))?.toString(), 'v');
    } finally {
      for (const s of stores) await s.close();
      await redis.stop();
    }
  });

  test('a gateway on a paused Redis answers limited requests from memory, refuses token work with 503, and asks Redis once', { timeout: 60_000 }, async () => {
    const files = await makeAuthFiles();
    let redis: RedisHandle | undefined;
    let mock: MockHandle | undefined;
    let gw: GatewayHandle | undefined;
    try {
      redis = await startRedis();
      mock = await startMock();
      const limits = 'rateLimits:\n  default: open\n  policies:\n    open:\n      limits:\n        - { name: burst, points: 100, duration: 1m }\n        - { name: sustained, points: 1000, duration: 1h }\n';
      gw = await startGateway({ upstreamUrl: mock.url, config: `${authConfig(files, { store: `store:\n  redis: { url: "${redis.url}" }\n` })}${limits}` });
      const { access_token } = await tokensFor(gw, 'alice');
      assert.equal((await gw.request('/api/docs')).status, 200);
      const before = await redis.commandCalls();

      redis.pause();
      const docs = [];
      for (let i = 0; i < 8; i++) docs.push((await gw.request('/api/docs')).status);
      assert.deepEqual(docs, Array(8).fill(200), 'public limited requests are answered (memory insurance)');
      const token = await gw.request('/api/portfolio', { headers: bearer(access_token) });
      assert.equal(token.status, 503);
      assert.equal(token.json<{ code: string }>().code, 'auth.store_unavailable');
      assert.equal((await login(gw, 'alice', PASSWORDS.alice)).status, 503);
      assert.equal((await gw.request('/readyz')).json<{ checks: { store: boolean } }>().checks.store, false);

      redis.resume();
      await gw.service.waitForLine((l) => l.includes(ANSWERING));
      const after = await redis.commandCalls();
      // Without the breaker every request charges both limits (16 scripts) and the token request reads its revocations.
      assert.equal(scripts(after) - scripts(before), 1, 'only the first charge was sent to the paused Redis');
      assert.equal((after.mget ?? 0) - (before.mget ?? 0), 0, 'no revocation read was sent while the breaker was open');
      assert.deepEqual(gw.logs().filter((l) => l.kind === 'store').map((l) => [l.level, l.msg]), [['warn', NOT_ANSWERING], ['info', ANSWERING]]);
      assert.equal((await gw.request('/api/portfolio', { headers: bearer(access_token) })).status, 200);
    } finally {
      await stopAll(gw, mock);
      await redis?.stop();
    }
  });
});
