import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

const CONFIG = `${BASE_CONFIG}  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 30s, ignoreQueryParams: [utm_source] }
  - id: short
    auth: none
    prefix: /__mock/respond/short
    methods: [GET]
    cache: { ttl: 1s }
`;

describe('issue 8: the response cache, memory store', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(async () => {
    await gw?.stop();
    await mock?.stop();
  });

  it('answers a miss from the backend, then the same request from the cache with one backend request', async () => {
    const first = await gw.request('/__mock/respond/a?x=1&body=%7B%22n%22%3A1%7D');
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-cache'], 'MISS');
    assert.match(String(first.headers['cache-status']), /^gateway; fwd=miss; stored/);
    const second = await gw.request('/__mock/respond/a?x=1&body=%7B%22n%22%3A1%7D');
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.match(String(second.headers['cache-status']), /^gateway; hit; ttl=\d+/);
    assert.equal(second.text, '{"n":1}');
    // Whole seconds since it was stored (RFC 9111 5.1): 0, or 1 when a slow run crosses a second.
    assert.match(String(second.headers.age), /^[01]$/);
    assert.ok(second.headers.etag);
    assert.notEqual(second.headers['x-request-id'], first.headers['x-request-id']);
    assert.ok(second.headers['strict-transport-security'], 'security headers added per request');
    assert.equal(await mock.count('GET /__mock/respond/a'), 1);
  });

  it('treats two query orders as one entry, and ignores the listed parameters', async () => {
    await gw.request('/__mock/respond/q?b=2&a=1');
    const swapped = await gw.request('/__mock/respond/q?a=1&b=2&utm_source=mail');
    assert.equal(swapped.headers['x-cache'], 'HIT');
    const other = await gw.request('/__mock/respond/q?a=1&b=3');
    assert.equal(other.headers['x-cache'], 'MISS');
    assert.equal(await mock.count('GET /__mock/respond/q'), 2);
  });

  it('answers If-None-Match with 304 from the cache', async () => {
    const first = await gw.request('/__mock/respond/etag');
    const etag = String(first.headers.etag);
    const again = await gw.request('/__mock/respond/etag', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.etag, etag);
    assert.equal(again.body.length, 0);
    assert.equal(await mock.count('GET /__mock/respond/etag'), 1);
  });

  it('serves HEAD from the entry without a body', async () => {
    await gw.request('/__mock/respond/head');
    const head = await gw.request('/__mock/respond/head', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['x-cache'], 'HIT');
    assert.equal(head.body.length, 0);
    assert.equal(await mock.count('GET /__mock/respond/head'), 1);
  });

  it('keeps gzip and brotli variants that decode to the stored bytes, negotiated per request', async () => {
    const path = '/__mock/respond/big?repeat=200&body=%7B%22symbol%22%3A%22BTC%22%2C%22price%22%3A1%7D%2C';
    const identity = await gw.request(path);
    assert.equal(identity.headers['x-cache'], 'MISS');
    assert.equal(identity.headers['content-encoding'], undefined);
    const br = await gw.request(path, { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(br.headers['x-cache'], 'HIT');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.deepEqual(brotliDecompressSync(br.body), identity.body);
    const gz = await gw.request(path, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), identity.body);
    assert.ok(br.body.length < identity.body.length / 4 && gz.body.length < identity.body.length / 4);
    assert.notEqual(br.headers.etag, identity.headers.etag, 'each representation has its own validator');
    const revalidated = await gw.request(path, { headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } });
    assert.equal(revalidated.status, 304);
    assert.equal(await mock.count('GET /__mock/respond/big'), 1);
    const last = await mock.last('/__mock/respond/big');
    const ae = last!.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'accept-encoding');
    assert.equal(last!.rawHeaders[ae + 1], 'identity', 'the cache stores identity bytes and codes them itself');
  });

  it('codes an answer it may not store as the proxy would (gzip, Vary)', async () => {
    const path = '/__mock/respond/big-no-store?repeat=200&body=%7B%22a%22%3A1%7D%2C&header=cache-control%3Ano-store';
    const plain = await gw.request(path);
    const gz = await gw.request(path, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['x-cache'], 'MISS');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    assert.equal(await mock.count('GET /__mock/respond/big-no-store'), 2);
  });

  it('lets an entry expire after its ttl', async () => {
    await gw.request('/__mock/respond/short/x');
    await waitUntil(async () => (await gw.request('/__mock/respond/short/x')).headers['x-cache'] === 'MISS', 'the entry to expire', 5000);
    assert.equal(await mock.count('GET /__mock/respond/short/x'), 2);
  });

  it('never stores Set-Cookie, no-store or private answers in shared scope', async () => {
    for (const header of ['set-cookie:s=1', 'cache-control:no-store', 'cache-control:private']) {
      const path = `/__mock/respond/never-${header.split(':')[0]}-${header.length}?header=${encodeURIComponent(header)}`;
      await gw.request(path);
      const again = await gw.request(path);
      assert.equal(again.headers['x-cache'], 'MISS', header);
    }
  });
});
