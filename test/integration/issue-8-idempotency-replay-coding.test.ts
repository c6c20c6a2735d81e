import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { authConfig, bearer, makeAuthFiles, tokensFor } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review finding C5: an idempotency replay was sent as identity, without Vary, with the strong
 * ETag, while the first answer was gzip with `Vary: Accept-Encoding` and `W/"e1"`. A replay is
 * coded as a live answer would be for the repeating request (its own Accept-Encoding).
 */
const PATH = '/__mock/respond/coded';
const BODY = '{"order":7,"symbol":"BTC","price":1.5},'.repeat(100);
const ANSWER = `${PATH}?status=201&body=${encodeURIComponent(BODY)}&header=${encodeURIComponent('etag:"e1"')}`;
let keys = 0;
const newKey = () => `"coding-${process.pid}-${++keys}"`;

function decoded(res: ClientResponse): string {
  const coding = res.headers['content-encoding'];
  if (coding === 'gzip') return gunzipSync(res.body).toString();
  if (coding === 'br') return brotliDecompressSync(res.body).toString();
  assert.equal(coding, undefined);
  return res.text;
}

describe('issue 8: an idempotency replay is coded like the first answer', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let alice: Record<string, string>;
  before(async () => {
    const files = await makeAuthFiles();
    mock = await startMock();
    const route = `  - id: coded-orders
    path: ${PATH}
    methods: [POST]
    auth: { mode: required, roles: [trader] }
    idempotency: { required: true }
`;
    gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files).replace('auth:\n  jwt:', `${route}auth:\n  jwt:`) });
    alice = bearer((await tokensFor(gw, 'alice')).access_token);
  });
  after(() => stopAll(gw, mock));

  const post = (key: string, acceptEncoding?: string) => gw.request(ANSWER, {
    method: 'POST',
    headers: { ...alice, 'content-type': 'application/json', 'idempotency-key': key, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) },
    body: '{"symbol":"BTC"}',
  });

  test('the same Accept-Encoding: the replay has the first answer\'s coding, Vary and weak ETag', async () => {
    const key = newKey();
    const first = await post(key, 'gzip');
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers['content-encoding'], 'gzip');
    assert.equal(first.headers.vary, 'Accept-Encoding');
    assert.equal(first.headers.etag, 'W/"e1"');
    const replay = await post(key, 'gzip');
    assert.equal(replay.status, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.headers['content-encoding'], 'gzip');
    assert.equal(replay.headers.vary, 'Accept-Encoding');
    assert.equal(replay.headers.etag, 'W/"e1"');
    assert.equal(replay.headers['content-length'], undefined, 'coded like a live answer: no identity length');
    assert.equal(decoded(replay), BODY);
    assert.equal(await mock.count(`POST ${PATH}`), 1);
  });

  test('the repeat\'s own Accept-Encoding decides: br, then none', async () => {
    const key = newKey();
    const first = await post(key, 'gzip');
    assert.equal(first.headers['content-encoding'], 'gzip');
    const br = await post(key, 'gzip, br');
    assert.equal(br.headers['idempotent-replayed'], 'true');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(decoded(br), BODY);
    const identity = await post(key);
    assert.equal(identity.headers['idempotent-replayed'], 'true');
    assert.equal(identity.headers['content-encoding'], undefined);
    assert.equal(identity.headers['content-length'], String(Buffer.byteLength(BODY)));
    assert.equal(identity.headers.etag, '"e1"', 'identity bytes keep the strong tag');
    assert.equal(identity.headers.vary, 'Accept-Encoding', 'it could have been coded, so caches downstream keep them apart');
    assert.equal(identity.text, BODY);
    assert.equal(await mock.count(`POST ${PATH}`), 2, 'one backend request per key');
  });

  test('a small answer stays identity, as it would live (below minBytes)', async () => {
    const key = newKey();
    const small = `${PATH}?status=201&body=%7B%7D`;
    const req = () => gw.request(small, { method: 'POST', headers: { ...alice, 'content-type': 'application/json', 'idempotency-key': key, 'accept-encoding': 'gzip' }, body: '{}' });
    const first = await req();
    const replay = await req();
    assert.equal(first.headers['content-encoding'], undefined);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.headers['content-encoding'], undefined);
    assert.equal(replay.headers['content-length'], '2');
    assert.equal(replay.text, '{}');
  });
});
