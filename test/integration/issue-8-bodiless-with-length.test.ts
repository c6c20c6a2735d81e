import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review 2 finding 4: a 304 or 204 has no content whatever its Content-Length says (RFC 9110
 * 6.4.1, 8.6: on a 304 it is the length the 200 would have had). The answers the gateway reads
 * whole (cache fills and revalidations, upstream/backend-exchange.ts) failed on it with undici's
 * UND_ERR_RES_CONTENT_LENGTH_MISMATCH and the client got a 502; the streamed proxy was fixed in issue 7.
 */
const CONFIG = `${BASE_CONFIG}  - id: http
    auth: none
    prefix: /__mock/respond/http
    methods: [GET]
    cache: {}
  - id: nocontent
    auth: none
    prefix: /__mock/respond/ttl
    methods: [GET]
    cache: { ttl: 1m, statuses: [200, 204] }
`;

const q = (headers: string[]) => headers.map((h) => `header=${encodeURIComponent(h)}`).join('&');

describe('issue 8: a bodiless answer that states a Content-Length', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('a revalidation answered 304 with Content-Length keeps the entry and serves it', async () => {
    const path = `/__mock/respond/http/revalidate?cl304=1&body=hello&${q(['cache-control:no-cache', 'etag:"x"'])}`;
    const first = await gw.request(path);
    assert.equal(first.headers['x-cache'], 'MISS');
    const second = await gw.request(path);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.match(String(second.headers['cache-status']), /fwd=stale; fwd-status=304/);
    assert.equal(second.text, 'hello');
    assert.equal(await mock.count('GET /__mock/respond/http/revalidate'), 2, 'the second use asked the backend, which answered 304');
    // The connection the 304 came on is still good: the next revalidation works too.
    assert.equal((await gw.request(path)).text, 'hello');
  });

  it('a fill answered 204 with Content-Length stores and serves an empty 204', async () => {
    const path = '/__mock/respond/ttl/empty?status=204&body=not-sent';
    const first = await gw.request(path);
    assert.equal(first.status, 204, first.text);
    assert.equal(first.body.length, 0);
    const second = await gw.request(path);
    assert.equal(second.status, 204);
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.equal(second.body.length, 0);
    assert.equal(second.headers['content-length'], undefined, 'RFC 9110 8.6: a 204 carries no Content-Length');
  });
});
