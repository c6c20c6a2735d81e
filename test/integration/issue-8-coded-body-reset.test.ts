import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review finding C6: a coded answer of 64 KB or less is collected and coded whole, so nothing
 * reaches the client before the backend's last byte; when the backend dropped mid-body, the
 * client still got an empty reply (status 200 logged, 0 bytes). Nothing was sent, so the answer
 * is a 502 problem, as for any failure before the head. minBytes 800: the mock's fault
 * (Content-Length `bytes`) is coded. A cached route is there so a POST takes the relayed path
 * (relay-reply.ts: the invalidation hook reads the answer first).
 */
const CONFIG = BASE_CONFIG
  .replace('bodyTimeout: 2s', 'bodyTimeout: 30s')
  .replace('routes:\n', `compression: { minBytes: 800 }
routes:
  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 30s }
`);

const OVERVIEW = '/api/dashboard/overview';
const ORDERS = '/api/trading/orders';
let ids = 0;

describe('issue 8: a small coded answer whose backend fails mid-body is a 502, not an empty reply', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  const logged = async (requestId: string) =>
    JSON.parse(await gw.service.waitForLine((l) => l.includes(`"request_id":"${requestId}"`) && l.includes('"kind":"access"'))) as Record<string, unknown>;

  const assertBadGateway = async (res: ClientResponse, requestId: string) => {
    assert.equal(res.status, 502, res.text);
    assert.equal(res.aborted, false);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.headers['content-encoding'], undefined, 'the gateway\'s own answer is never coded');
    assert.equal(res.json<{ code: string }>().code, 'upstream.connection_reset');
    assert.equal(res.headers['x-request-id'], requestId);
    assert.ok(res.headers['strict-transport-security'], 'with the route\'s security headers');
    const line = await logged(requestId);
    assert.equal(line.status, 502);
    assert.equal(line.reason, 'upstream.connection_reset');
    assert.ok(Number(line.bytes) > 0, 'an answer went out');
  };

  for (const coding of ['gzip', 'br'] as const) {
    test(`streamed proxy, ${coding}, 1000 bytes announced: 502 problem+json, and the backend asked once`, async () => {
      await mock.arm({ kind: 'reset-mid-body', path: OVERVIEW, bytes: 1000, times: 1 });
      const before = await mock.count(`GET ${OVERVIEW}`);
      const requestId = `issue-c6-${coding}-${++ids}`;
      const res = await gw.request(OVERVIEW, { headers: { 'accept-encoding': coding, 'x-request-id': requestId } });
      await assertBadGateway(res, requestId);
      // The backend had answered: resending a GET is for connections that died before any answer.
      assert.equal(await mock.count(`GET ${OVERVIEW}`), before + 1, 'not retried');
      const next = await gw.request(OVERVIEW, { headers: { 'accept-encoding': coding } });
      assert.equal(next.status, 200);
      assert.equal(next.aborted, false);
    });
  }

  test('a relayed answer (read first for a reply hook), gzip: 502 too', async () => {
    await mock.arm({ kind: 'reset-mid-body', path: ORDERS, method: 'POST', bytes: 1000, times: 1 });
    const before = await mock.count(`POST ${ORDERS}`);
    const requestId = `issue-c6-relay-${++ids}`;
    const res = await gw.request(ORDERS, {
      method: 'POST',
      headers: { 'accept-encoding': 'gzip', 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1 }),
    });
    await assertBadGateway(res, requestId);
    assert.equal(await mock.count(`POST ${ORDERS}`), before + 1, 'a POST is never sent twice');
  });

  test('a streamed coded body (over 64 KB) still aborts: its first bytes may have left', async () => {
    await mock.arm({ kind: 'reset-mid-body', path: OVERVIEW, bytes: 1 << 20, times: 1 });
    const outcome = await gw.request(OVERVIEW, { headers: { 'accept-encoding': 'gzip' } }).then((r) => r, (err: NodeJS.ErrnoException) => err);
    if (outcome instanceof Error) assert.equal(outcome.code, 'ECONNRESET', String(outcome));
    else {
      assert.equal(outcome.status, 200);
      assert.equal(outcome.headers['content-encoding'], 'gzip');
      assert.equal(outcome.aborted, true);
    }
  });
});
