import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BASE_CONFIG, startMockAndGateway, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review finding C2: a cached answer served as its gzip or brotli variant kept the fields that
 * describe the identity bytes (Accept-Ranges, Content-MD5, the RFC 9530 digests). The streamed
 * proxy removes them (compression/encoding-headers.ts); an entry's variant must too, and the
 * identity answer must keep them (they are true of its bytes).
 */
const CONFIG = `${BASE_CONFIG}  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 30s }
`;

// Values the mock sends as they are; the gateway must not vouch for them on other bytes.
const IDENTITY_ONLY: Record<string, string> = {
  'accept-ranges': 'bytes',
  'content-md5': 'Q2hlY2sgSW50ZWdyaXR5IQ==',
  'repr-digest': 'sha-256=:AEGPTgUMw5e96wxZuDtpfm23RBU3nFwtgY5fw4NYORo=:',
  'content-digest': 'sha-256=:AEGPTgUMw5e96wxZuDtpfm23RBU3nFwtgY5fw4NYORo=:',
  digest: 'SHA-256=AEGPTgUMw5e96wxZuDtpfm23RBU3nFwtgY5fw4NYORo=',
};
const PATH = `/__mock/respond/c2?repeat=200&body=${encodeURIComponent('{"symbol":"BTC","price":1},')}${
  Object.entries(IDENTITY_ONLY).map(([name, value]) => `&header=${encodeURIComponent(`${name}:${value}`)}`).join('')}`;

function identityOnlyFields(res: ClientResponse): string[] {
  return Object.keys(IDENTITY_ONLY).filter((name) => res.headers[name] !== undefined);
}

describe('issue 8: a cached coded answer carries no fields of the identity bytes', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('the identity answer keeps them: they describe its bytes', async () => {
    const res = await gw.request(PATH);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.deepEqual(identityOnlyFields(res), Object.keys(IDENTITY_ONLY));
  });

  for (const coding of ['gzip', 'br'] as const) {
    it(`the ${coding} variant (a hit) drops Accept-Ranges, Content-MD5, Digest, Content-Digest and Repr-Digest`, async () => {
      const res = await gw.request(PATH, { headers: { 'accept-encoding': coding } });
      assert.equal(res.headers['x-cache'], 'HIT');
      assert.equal(res.headers['content-encoding'], coding);
      assert.deepEqual(identityOnlyFields(res), []);
      assert.equal(res.headers['content-length'], String(res.body.length), 'the variant\'s own length');
      const decoded = coding === 'gzip' ? gunzipSync(res.body) : brotliDecompressSync(res.body);
      assert.equal(decoded.toString(), '{"symbol":"BTC","price":1},'.repeat(200));
    });
  }

  it('a 304 for the variant carries none of them either (RFC 9110 15.4.5: the fields its 200 has)', async () => {
    const gz = await gw.request(PATH, { headers: { 'accept-encoding': 'gzip' } });
    const res = await gw.request(PATH, { headers: { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) } });
    assert.equal(res.status, 304);
    assert.deepEqual(identityOnlyFields(res), []);
    const identity = await gw.request(PATH);
    const plain304 = await gw.request(PATH, { headers: { 'if-none-match': String(identity.headers.etag) } });
    assert.equal(plain304.status, 304);
    assert.equal(plain304.headers['accept-ranges'], 'bytes', 'the identity 304 still has them');
    assert.equal(await mock.count('GET /__mock/respond/c2'), 1, 'all from one entry');
  });
});
