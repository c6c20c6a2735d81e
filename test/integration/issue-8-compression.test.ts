import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createGunzip, gunzipSync } from 'node:zlib';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 8, compression of proxied responses: negotiated from Accept-Encoding, streamed through
 * gzip or brotli, and decoded here back to exactly the backend's bytes. minBytes is 800 so the
 * mock's mid-body fault (Content-Length 1000) is a coded response.
 */
const CONFIG = BASE_CONFIG
  .replace('bodyTimeout: 2s', 'bodyTimeout: 30s')
  .replace('routes:\n', `compression: { minBytes: 800 }
routes:
  - id: respond
    auth: none
    prefix: /__mock/respond
    methods: [GET, HEAD]
  - id: respond-plain
    auth: none
    prefix: /__mock/respond/plain
    methods: [GET, HEAD]
    compression: false
`);

const BODY = JSON.stringify({ items: Array.from({ length: 60 }, (_, i) => ({ id: i, name: `item-${i}`, price: i * 1.5 })) });
const respond = (body: string, ...headers: string[]) =>
  `/__mock/respond?body=${encodeURIComponent(body)}${headers.map((h) => `&header=${encodeURIComponent(h)}`).join('')}`;
const BIG = respond(BODY, 'etag: "v1"');
const varyOf = (res: { headers: Record<string, unknown> }) => String(res.headers.vary ?? '');
const variesOnEncoding = (res: { headers: Record<string, unknown> }) => /(^|,)\s*accept-encoding\s*(,|$)/i.test(varyOf(res));

describe('issue 8: compressed proxied responses', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  test('the test body is over minBytes and compressible', () => {
    assert.ok(Buffer.byteLength(BODY) > 2000, `${Buffer.byteLength(BODY)} bytes`);
  });

  test('gzip: decodes to exactly the backend\'s bytes; no length, Vary and a weak ETag', async () => {
    const res = await gw.request(BIG, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['content-length'], undefined);
    assert.ok(res.body.length < Buffer.byteLength(BODY) / 2, `${res.body.length} bytes on the wire`);
    assert.equal(gunzipSync(res.body).toString(), BODY);
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(res.headers.etag, 'W/"v1"', 'RFC 9110 8.8.3: the coded bytes get their own (weak) validator');
    assert.ok(res.headers['strict-transport-security'] && res.headers['x-request-id'], 'the gateway\'s own headers are there');
  });

  test('br: a browser\'s list picks brotli, which decodes to the same bytes', async () => {
    const res = await gw.request(BIG, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(res.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(res.body).toString(), BODY);
    assert.ok(variesOnEncoding(res));
  });

  test('weights are honoured: gzip preferred over br', async () => {
    const res = await gw.request(BIG, { headers: { 'accept-encoding': 'br;q=0.1, gzip;q=0.9' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(res.body).toString(), BODY);
  });

  test('no Accept-Encoding: identity, with its length, strong ETag, and Vary for caches downstream', async () => {
    const res = await gw.request(BIG);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(BODY)));
    assert.equal(res.text, BODY);
    assert.equal(res.headers.etag, '"v1"');
    assert.equal(res.headers.vary, 'Accept-Encoding');
  });

  test('Accept-Encoding that allows neither coding: identity, with Vary', async () => {
    const res = await gw.request(BIG, { headers: { 'accept-encoding': 'deflate, br;q=0' } });
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.text, BODY);
    assert.ok(variesOnEncoding(res));
  });

  const untouched: { why: string; path: string; encoding?: string }[] = [
    { why: 'a body under minBytes', path: respond('{"small":true}') },
    { why: 'an image', path: respond(BODY, 'content-type: image/png') },
    { why: 'an octet stream', path: respond(BODY, 'content-type: application/octet-stream') },
    { why: 'a body the backend coded already (never twice)', path: respond(BODY, 'content-encoding: gzip'), encoding: 'gzip' },
    { why: 'Cache-Control: no-transform (RFC 9111 5.2.2.6)', path: respond(BODY, 'cache-control: public, no-transform') },
    { why: 'a route with compression: false', path: respond(BODY).replace('/__mock/respond?', '/__mock/respond/plain?') },
    { why: 'a 206 range of identity bytes', path: `${respond(BODY, 'content-range: bytes 0-99/9000')}&status=206` },
  ];
  for (const c of untouched) {
    test(`left alone: ${c.why}`, async () => {
      const res = await gw.request(c.path, { headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(res.headers['content-encoding'], c.encoding);
      assert.equal(res.headers['content-length'], String(res.body.length));
      const sent = c.path.includes('small') ? '{"small":true}' : BODY;
      assert.equal(res.text, sent, 'the backend\'s bytes, as they were');
      assert.equal(variesOnEncoding(res), false, 'nothing depends on Accept-Encoding');
    });
  }

  test('HEAD: no body to code, but the same Vary and length a GET without coding has', async () => {
    const res = await gw.request(BIG, { method: 'HEAD', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.aborted, false);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(BODY)));
    assert.ok(variesOnEncoding(res));
  });

  test('304: never coded; confirms the weak tag a client got with a coded body', async () => {
    const path = `${respond('', 'etag: "v1"')}&status=304`;
    const weak = await gw.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': 'W/"v1"' } });
    assert.equal(weak.status, 304);
    assert.equal(weak.aborted, false);
    assert.equal(weak.headers['content-encoding'], undefined);
    assert.equal(weak.headers.etag, 'W/"v1"');
    assert.ok(variesOnEncoding(weak));
    const strong = await gw.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': '"v1"' } });
    assert.equal(strong.status, 304);
    assert.equal(strong.headers.etag, '"v1"', 'a client holding the identity tag keeps it');
  });

  test('Vary: merged with the backend\'s, never doubled, * left as it is', async () => {
    const merged = await gw.request(respond(BODY, 'vary: Accept'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(merged.headers.vary, 'Accept, Accept-Encoding');
    const named = await gw.request(respond(BODY, 'vary: accept-encoding'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(named.headers.vary, 'accept-encoding');
    const star = await gw.request(respond(BODY, 'vary: *'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(star.headers.vary, '*');
    assert.equal(gunzipSync(star.body).toString(), BODY);
  });

  // 1000 bytes announced: collected and coded in one call, its head held back with it, so the
  // failure is a 502 before anything was sent (issue-8-coded-body-reset.test.ts); 1 MB: coded
  // as a stream, whose head has left.
  for (const [coding, bytes] of [['gzip', 1000], ['br', 1000], ['gzip', 1 << 20], ['br', 1 << 20]] as const) {
    test(`a backend failing mid-body (${bytes} bytes announced) never gives a ${coding} response that ends as if whole`, async () => {
      await mock.arm({ kind: 'reset-mid-body', path: '/api/dashboard/overview', bytes, times: 1 });
      const outcome = await gw.request('/api/dashboard/overview', { headers: { 'accept-encoding': coding } })
        .then((res) => res, (err: NodeJS.ErrnoException) => err);
      if (bytes <= 64 * 1024) {
        assert.ok(!(outcome instanceof Error), String(outcome));
        assert.equal(outcome.status, 502);
        assert.equal(outcome.json<{ code: string }>().code, 'upstream.connection_reset');
      } else if (outcome instanceof Error) {
        // The head leaves with the first coded byte: a gzip stream has its 10-byte header out at
        // once, brotli nothing yet. Either way a broken response (or none), never a short one.
        assert.equal(outcome.code, 'ECONNRESET', String(outcome));
      } else {
        assert.equal(outcome.headers['content-encoding'], coding);
        assert.equal(outcome.aborted, true);
      }
      const next = await gw.request('/api/dashboard/overview', { headers: { 'accept-encoding': coding } });
      assert.equal(next.status, 200);
      assert.equal(next.aborted, false);
    });
  }

  // 64 KB is where collecting the body for one call gives way to a stream (compress-stream.ts).
  for (const bytes of [60_000, 65_536, 65_537, 300_000]) {
    for (const coding of ['gzip', 'br'] as const) {
      test(`${bytes} bytes of text over ${coding} decode to exactly the backend's bytes`, async () => {
        const path = `/__mock/download?bytes=${bytes}&type=text/plain&fill=hex`;
        const res = await gw.request(path, { headers: { 'accept-encoding': coding } });
        assert.equal(res.headers['content-encoding'], coding);
        assert.equal(res.aborted, false);
        const decoded = coding === 'gzip' ? gunzipSync(res.body) : brotliDecompressSync(res.body);
        const direct = Buffer.from(await (await fetch(`${mock.url}${path}`)).arrayBuffer());
        assert.equal(direct.length, bytes);
        assert.ok(decoded.equals(direct), 'same bytes');
      });
    }
  }

  test('a big body streams with backpressure: a client that stops reading stops the backend too', async () => {
    const total = 64 * 1024 * 1024;
    const path = `/__mock/download?bytes=${total}&type=text/plain&fill=hex`;
    await mock.reset();
    const res = await pausedRequest(gw, path, { 'accept-encoding': 'gzip' });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['content-length'], undefined);

    // The client reads nothing: once every buffer on the way is full, the mock cannot write more.
    let last = -1;
    let still = 0;
    await waitUntil(async () => {
      const now = await mock.count('SENT /__mock/download');
      still = now > 0 && now === last ? still + 1 : 0;
      last = now;
      return still >= 5;
    }, 'the mock to stop writing');
    assert.ok(last < total / 2, `the mock wrote ${last} of ${total} bytes to a client that read none`);

    const got = createHash('sha256');
    let bytes = 0;
    await pipeline(res, createGunzip(), async function* (source) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        got.update(chunk);
      }
    });
    assert.equal(bytes, total);
    const direct = await fetch(`${mock.url}${path}`);
    const want = createHash('sha256');
    for await (const chunk of direct.body as unknown as AsyncIterable<Uint8Array>) want.update(chunk);
    assert.equal(got.digest('hex'), want.digest('hex'), 'decodes to exactly what the backend sent');
  });
});

/** A GET whose response is handed over unread: nothing consumes it until the caller does. */
function pausedRequest(gw: GatewayHandle, path: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: gw.httpsPort, path, headers, ca: gw.ca, servername: 'localhost', agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}
