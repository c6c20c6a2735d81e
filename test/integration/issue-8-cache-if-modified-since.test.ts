import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review finding C7: the cache answered If-None-Match with 304 but never If-Modified-Since.
 * RFC 9110 13.2.2: If-None-Match, when present, decides alone; else a valid If-Modified-Since
 * on a GET/HEAD is compared with the entry's Last-Modified (else its Date). The mock's counter
 * proves every answer came from the one entry.
 */
const CONFIG = `${BASE_CONFIG}  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET, HEAD]
    cache: { ttl: 30s }
`;

const LM = 'Wed, 01 Jan 2025 10:00:00 GMT';
const WITH_LM = `/__mock/respond/ims?header=${encodeURIComponent(`last-modified:${LM}`)}&header=${encodeURIComponent('etag:"e1"')}`;
const hourFromNow = () => new Date(Date.now() + 3600_000).toUTCString();

describe('issue 8: If-Modified-Since answered from the cache', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    ({ mock, gw } = await startMockAndGateway({ config: CONFIG }));
    const first = await gw.request(WITH_LM);
    assert.equal(first.headers['x-cache'], 'MISS');
  });
  after(() => stopAll(gw, mock));

  const cases: { why: string; headers: () => Record<string, string>; method?: string; status: number }[] = [
    { why: 'the date Last-Modified gives: 304', headers: () => ({ 'if-modified-since': LM }), status: 304 },
    { why: 'a later date: 304', headers: () => ({ 'if-modified-since': 'Thu, 02 Jan 2025 00:00:00 GMT' }), status: 304 },
    { why: 'HEAD, the same date: 304', method: 'HEAD', headers: () => ({ 'if-modified-since': LM }), status: 304 },
    { why: 'an earlier date: the entry', headers: () => ({ 'if-modified-since': 'Wed, 01 Jan 2025 09:59:59 GMT' }), status: 200 },
    { why: 'not an HTTP-date: ignored, the entry', headers: () => ({ 'if-modified-since': '2025-01-02T00:00:00Z' }), status: 200 },
    { why: 'a date in the future: ignored, the entry', headers: () => ({ 'if-modified-since': hourFromNow() }), status: 200 },
    { why: 'If-None-Match that does not match wins over a matching date (13.1.3)', headers: () => ({ 'if-none-match': '"other"', 'if-modified-since': LM }), status: 200 },
    { why: 'If-None-Match that matches: 304 whatever the date', headers: () => ({ 'if-none-match': '"e1"', 'if-modified-since': 'Wed, 01 Jan 2025 09:00:00 GMT' }), status: 304 },
  ];
  for (const c of cases) {
    it(c.why, async () => {
      const res = await gw.request(WITH_LM, { method: c.method, headers: c.headers() });
      assert.equal(res.status, c.status);
      assert.equal(res.headers['x-cache'], 'HIT');
      if (c.status === 304) {
        assert.equal(res.body.length, 0);
        assert.equal(res.headers.etag, '"e1"', 'RFC 9110 15.4.5: the ETag a 200 would have');
        assert.equal(res.headers['content-type'], undefined);
      } else if (c.method !== 'HEAD') {
        assert.equal(res.text, '{"ok":true}');
      }
    });
  }

  it('a coded variant is not modified either: one Last-Modified for every representation', async () => {
    const path = `/__mock/respond/ims-big?repeat=200&body=${encodeURIComponent('{"symbol":"BTC","price":1},')}&header=${encodeURIComponent(`last-modified:${LM}`)}`;
    const gz = await gw.request(path, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const res = await gw.request(path, { headers: { 'accept-encoding': 'gzip', 'if-modified-since': LM } });
    assert.equal(res.status, 304);
    assert.equal(res.headers.etag, gz.headers.etag);
    assert.equal(await mock.count('GET /__mock/respond/ims-big'), 1);
  });

  it('without Last-Modified the entry\'s Date is compared (RFC 9111 4.3.2)', async () => {
    const path = '/__mock/respond/ims-date';
    const first = await gw.request(path);
    const date = String(first.headers.date);
    assert.ok(!Number.isNaN(Date.parse(date)), date);
    assert.equal((await gw.request(path, { headers: { 'if-modified-since': date } })).status, 304);
    const before = new Date(Date.parse(date) - 60_000).toUTCString();
    assert.equal((await gw.request(path, { headers: { 'if-modified-since': before } })).status, 200);
    assert.equal(await mock.count('GET /__mock/respond/ims-date'), 1);
  });

  it('every answer came from the one entry', async () => {
    assert.equal(await mock.count('GET /__mock/respond/ims'), 1);
  });
});
