import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, startPairOnRedis, stopAll, stopPair, type ClientResponse, type GatewayHandle, type SharedPair } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue #8, "Idempotency keys": an order POST with an Idempotency-Key reaches the backend once
 * per caller and key, whatever the client repeats, on one instance (memory store) or several
 * (Redis). The mock's counters are the proof of what reached the backend.
 */

const ORDERS = '/api/trading/orders';
const COUNTED = `POST ${ORDERS}`;
const STRICT = '/__mock/respond/strict';
const order = (quantity = 1) => JSON.stringify({ symbol: 'BTC', side: 'buy', quantity });
const json = { 'content-type': 'application/json' };
let keys = 0;
/** A fresh key per use, so tests never see each other's records. */
const newKey = () => `test-key-${process.pid}-${++keys}`;
const idem = (key: string) => ({ 'idempotency-key': `"${key}"` });

/** The shared test config, orders with every default; a strict route over the mock's shaped answers. */
function config(files: AuthFiles, store = ''): string {
  const strict = `  - id: orders-strict
    path: ${STRICT}
    methods: [POST]
    auth: { mode: required, roles: [trader, admin] }
    idempotency: { required: true, maxBodyBytes: 64b, onStoreError: forward }
`;
  return authConfig(files, { store })
    .replace('    bodyLimit: 64kb\n', '    bodyLimit: 64kb\n    idempotency: true\n')
    .replace('auth:\n  jwt:', `${strict}auth:\n  jwt:`);
}

interface Setup {
  gw: GatewayHandle;
  mock: MockHandle;
  files: AuthFiles;
  alice: Record<string, string>;
}

function post(gw: GatewayHandle, path: string, caller: Record<string, string>, headers: Record<string, string | string[]>, body = order()): Promise<ClientResponse> {
  return gw.request(path, { method: 'POST', headers: { ...caller, ...json, ...headers }, body });
}

function code(res: ClientResponse): string {
  assert.equal(res.headers['content-type'], 'application/problem+json', res.text);
  return res.json<{ code: string }>().code;
}

/** The tests both stores must pass; `s()` is the running setup. */
function sharedTests(s: () => Setup): void {
  test('the same key and body again: the backend is reached once, the repeat is the first answer marked as a replay', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    const key = newKey();
    const first = await post(gw, ORDERS, alice, idem(key));
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await post(gw, ORDERS, alice, { ...idem(key), 'x-request-id': 'retry-of-first' });
    assert.equal(again.status, 201);
    assert.equal(again.text, first.text, 'the same order, not a second one');
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers['content-type'], 'application/json');
    assert.equal(again.headers['content-length'], String(first.body.length));
    assert.equal(again.headers['x-request-id'], 'retry-of-first', 'its own request id, not the stored one');
    assert.notEqual(again.headers['x-request-id'], first.headers['x-request-id']);
    assert.equal(again.headers['strict-transport-security'], first.headers['strict-transport-security'], 'the route\'s security headers');
    assert.equal(again.headers['cache-control'], 'no-store');
    assert.equal(again.headers.server, undefined, 'filtered as a live answer is');
    assert.equal(await mock.count(COUNTED), before + 1);
    const logged = JSON.parse(await gw.service.waitForLine((l) => l.includes('"request_id":"retry-of-first"'))) as Record<string, unknown>;
    assert.equal(logged.reason, 'idempotency.replayed', 'the access log tells a replay from a forwarded request');
    assert.equal(logged.status, 201);
  });

  test('the same key with another body: 422, and the backend is not reached', async () => {
    const { gw, mock, alice } = s();
    const key = newKey();
    assert.equal((await post(gw, ORDERS, alice, idem(key), order(1))).status, 201);
    const before = await mock.count(COUNTED);
    const other = await post(gw, ORDERS, alice, idem(key), order(2));
    assert.equal(other.status, 422);
    assert.equal(code(other), 'idempotency.body_mismatch');
    const otherQuery = await post(gw, `${ORDERS}?dry_run=1`, alice, idem(key), order(1));
    assert.equal(code(otherQuery), 'idempotency.body_mismatch', 'the query is part of the request');
    assert.equal(await mock.count(COUNTED), before);
  });

  test('20 at once with one key: exactly one reaches the backend, the others get 409 or its replay', async () => {
    const { gw, mock, alice } = s();
    await mock.arm({ kind: 'delay', path: ORDERS, method: 'POST', ms: 300, times: 1 });
    const before = await mock.count(COUNTED);
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(gw, ORDERS, alice, idem(key))));
    const forwarded = answers.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    assert.equal(forwarded.length, 1, answers.map((r) => r.status).join(','));
    for (const r of answers) {
      if (r === forwarded[0]) continue;
      if (r.status === 201) {
        assert.equal(r.headers['idempotent-replayed'], 'true');
        assert.equal(r.text, forwarded[0]!.text);
      } else {
        assert.equal(r.status, 409, r.text);
        assert.equal(code(r), 'idempotency.in_flight');
        assert.equal(r.headers['retry-after'], '1');
      }
    }
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('a chunked body is read whole and forwarded intact; the same bytes with a Content-Length are the same request', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    const key = newKey();
    const body = order(3);
    const chunked = await gw.request(ORDERS, { method: 'POST', headers: { ...alice, ...json, ...idem(key) }, body: Readable.from([body.slice(0, 10), body.slice(10)]) });
    assert.equal(chunked.status, 201, chunked.text);
    assert.equal(chunked.json<{ quantity: number }>().quantity, 3);
    assert.equal((await mock.last(ORDERS))?.bodyBytes, Buffer.byteLength(body));
    const again = await post(gw, ORDERS, alice, idem(key), body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('a body over the route\'s bodyLimit is 413 and claims nothing', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    const key = newKey();
    const huge = JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 1, note: 'x'.repeat(70 * 1024) });
    const declared = await post(gw, ORDERS, alice, idem(key), huge);
    assert.equal(declared.status, 413);
    const chunked = await gw.request(ORDERS, { method: 'POST', headers: { ...alice, ...json, ...idem(key) }, body: Readable.from([huge.slice(0, 40_000), huge.slice(40_000)]) });
    assert.equal(chunked.status, 413);
    assert.equal(code(chunked), 'request.body_too_large');
    assert.equal((await post(gw, ORDERS, alice, idem(key))).status, 201, 'the key is still free');
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('another caller with the same key gets its own request', async () => {
    const { gw, mock, alice, files } = s();
    const key = newKey();
    const before = await mock.count(COUNTED);
    const mine = await post(gw, ORDERS, alice, idem(key));
    const theirs = await post(gw, ORDERS, { 'x-api-key': files.keys.trader }, idem(key));
    assert.equal(mine.status, 201);
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers['idempotent-replayed'], undefined);
    assert.equal(theirs.json<{ user: string }>().user, 'trading-bot');
    assert.equal(mine.json<{ user: string }>().user, 'alice');
    assert.equal(await mock.count(COUNTED), before + 2);
  });

  test('invalid Idempotency-Key forms are 400 and reach nothing', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    const forms: [string, string | string[]][] = [
      ['a bare token', 'abc'],
      ['an empty field', ''],
      ['the empty String', '""'],
      ['one over maxKeyLength (255)', `"${'k'.repeat(256)}"`],
      ['two field lines', ['"a"', '"b"']],
      ['two equal field lines', ['"a"', '"a"']],
      ['parameters', '"abc";v=1'],
      ['no closing quote', '"abc'],
    ];
    for (const [why, value] of forms) {
      const res = await post(gw, ORDERS, alice, { 'idempotency-key': value });
      assert.equal(res.status, 400, why);
      assert.equal(code(res), 'idempotency.key_invalid', why);
    }
    assert.equal((await post(gw, ORDERS, alice, { 'idempotency-key': `"${'k'.repeat(255)}"` })).status, 201, 'exactly maxKeyLength');
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('no key: forwarded every time where optional; 400 where the route requires one', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    assert.equal((await post(gw, ORDERS, alice, {})).status, 201);
    assert.equal((await post(gw, ORDERS, alice, {})).status, 201);
    assert.equal(await mock.count(COUNTED), before + 2, 'without a key nothing is deduplicated');
    const strictBefore = await mock.count(`POST ${STRICT}`);
    const missing = await post(gw, `${STRICT}?status=201`, alice, {});
    assert.equal(missing.status, 400);
    assert.equal(code(missing), 'idempotency.key_missing');
    assert.equal(await mock.count(`POST ${STRICT}`), strictBefore);
    const get = await gw.request(ORDERS, { headers: { ...alice, ...idem(newKey()) } });
    assert.equal(get.status, 200, 'a GET is not covered: the key is ignored');
  });

  test('a 5xx from the backend releases the key: the retry reaches the backend, and is kept then', async () => {
    const { gw, mock, alice } = s();
    await mock.arm({ kind: 'status', path: ORDERS, method: 'POST', status: 503, times: 1 });
    const before = await mock.count(COUNTED);
    const key = newKey();
    const failed = await post(gw, ORDERS, alice, idem(key));
    assert.equal(failed.status, 503);
    const retried = await post(gw, ORDERS, alice, idem(key));
    assert.equal(retried.status, 201);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
    const again = await post(gw, ORDERS, alice, idem(key));
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await mock.count(COUNTED), before + 2);
  });

  test('no answer from the backend (reset) releases the key too', async () => {
    const { gw, mock, alice } = s();
    await mock.arm({ kind: 'reset-before', path: ORDERS, method: 'POST', times: 1 });
    const before = await mock.count(COUNTED);
    const key = newKey();
    const reset = await post(gw, ORDERS, alice, idem(key));
    assert.equal(reset.status, 502);
    assert.equal(code(reset), 'upstream.connection_reset');
    assert.equal((await post(gw, ORDERS, alice, idem(key))).status, 201);
    assert.equal(await mock.count(COUNTED), before + 2);
  });

  test('a kept 4xx is replayed like a 2xx: the backend refused that very request', async () => {
    const { gw, mock, alice } = s();
    const before = await mock.count(COUNTED);
    const key = newKey();
    const bad = JSON.stringify({ symbol: 'NOPE', side: 'buy', quantity: 1 });
    assert.equal((await post(gw, ORDERS, alice, idem(key), bad)).status, 422);
    const again = await post(gw, ORDERS, alice, idem(key), bad);
    assert.equal(again.status, 422);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('Set-Cookie is not replayed; other backend headers are', async () => {
    const { gw, alice } = s();
    const key = newKey();
    const path = `${STRICT}?status=201&body=%7B%7D&header=set-cookie:sid=secret-session&header=location:/orders/7`;
    const first = await post(gw, path, alice, idem(key));
    assert.equal(first.status, 201);
    assert.deepEqual(first.headers['set-cookie'], ['sid=secret-session']);
    const again = await post(gw, path, alice, idem(key));
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers['set-cookie'], undefined);
    assert.equal(again.headers.location, '/orders/7');
    assert.equal(again.text, '{}');
  });

  test('an answer over maxBodyBytes reaches the client whole; a repeat is 409 not_replayable, not a second request', async () => {
    const { gw, mock, alice } = s();
    const key = newKey();
    const big = 'x'.repeat(200);
    const path = `${STRICT}?status=201&body=${big}`;
    const before = await mock.count(`POST ${STRICT}`);
    const first = await post(gw, path, alice, idem(key));
    assert.equal(first.status, 201);
    assert.equal(first.text, big);
    const again = await post(gw, path, alice, idem(key));
    assert.equal(again.status, 409);
    assert.equal(code(again), 'idempotency.not_replayable');
    assert.match(again.json<{ detail: string }>().detail, /already processed \(status 201\)/);
    assert.equal(await mock.count(`POST ${STRICT}`), before + 1);
  });
}

describe('issue #8: idempotency keys, memory store', () => {
  const setup = {} as Setup;
  before(async () => {
    setup.files = await makeAuthFiles();
    setup.mock = await startMock();
    try {
      setup.gw = await startGateway({ upstreamUrl: setup.mock.url, config: config(setup.files) });
    } catch (err) {
      await setup.mock.stop();
      throw err;
    }
    setup.alice = bearer((await tokensFor(setup.gw, 'alice')).access_token);
  });
  after(() => stopAll(setup.gw, setup.mock));
  sharedTests(() => setup);
});

describe('issue #8: idempotency keys, two instances on Redis', () => {
  let pair: SharedPair;
  const setup = {} as Setup;
  before(async () => {
    setup.files = await makeAuthFiles();
    pair = await startPairOnRedis((store) => config(setup.files, store));
    setup.gw = pair.a;
    setup.mock = pair.mock;
    setup.alice = bearer((await tokensFor(pair.a, 'alice')).access_token);
  });
  after(() => stopPair(pair));
  sharedTests(() => setup);

  test('a repeat on the other instance is a replay: the backend is reached once', async () => {
    const { mock, alice } = setup;
    const before = await mock.count(COUNTED);
    const key = newKey();
    const first = await post(pair.a, ORDERS, alice, idem(key));
    assert.equal(first.status, 201);
    const again = await post(pair.b, ORDERS, alice, idem(key));
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.text, first.text);
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  test('10 at once on each instance with one key: the backend is reached once', async () => {
    const { mock, alice } = setup;
    await mock.arm({ kind: 'delay', path: ORDERS, method: 'POST', ms: 300, times: 1 });
    const before = await mock.count(COUNTED);
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 === 0 ? pair.a : pair.b, ORDERS, alice, idem(key))));
    assert.equal(answers.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined).length, 1);
    assert.ok(answers.every((r) => r.status === 201 || r.status === 409), answers.map((r) => r.status).join(','));
    assert.equal(await mock.count(COUNTED), before + 1);
  });

  // Last: it stops Redis for the rest of the suite.
  test('Redis stopped: 503 idempotency.store_unavailable by default, forwarded where onStoreError is forward', async () => {
    const { mock, files } = setup;
    const bot = { 'x-api-key': files.keys.trader }; // API keys need no store: the request reaches the stage
    await pair.redis.stop();
    await pair.a.service.waitForLine((l) => l.includes('store connection lost'));
    const before = await mock.count(COUNTED);
    const refused = await post(pair.a, ORDERS, bot, idem(newKey()));
    assert.equal(refused.status, 503);
    assert.equal(code(refused), 'idempotency.store_unavailable');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(await mock.count(COUNTED), before, 'never forwarded unchecked by default');
    assert.equal((await post(pair.a, ORDERS, bot, {})).status, 201, 'a request without a key needs no store');
    const strictBefore = await mock.count(`POST ${STRICT}`);
    const forwarded = await post(pair.a, `${STRICT}?status=201`, bot, idem(newKey()));
    assert.equal(forwarded.status, 201);
    assert.equal(await mock.count(`POST ${STRICT}`), strictBefore + 1);
    const warned = pair.a.logs().filter((l) => l.msg === 'request failed' && l.code === 'idempotency.store_unavailable');
    assert.deepEqual(warned, [], 'the outage is logged once by the store, not per refused request');
  });
});
