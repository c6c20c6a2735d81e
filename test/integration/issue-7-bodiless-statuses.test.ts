import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Second outside review of issue 7: a backend's 304 (or 204) that carries Content-Length, as
 * RFC 9110 8.6 allows for a 304, reached the client as an aborted, empty reply: conditional
 * GETs broke. A response to HEAD, or with a status that has no content, is complete at its head.
 */
const CONFIG = BASE_CONFIG.replace('routes:\n', `routes:
  - id: respond
    auth: none
    prefix: /__mock/respond
    methods: [GET, HEAD]
`);

describe('responses without content', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  for (const status of [304, 204]) {
    test(`a ${status} with Content-Length arrives whole, with its headers`, async () => {
      const res = await gw.request(`/__mock/respond?status=${status}&header=${encodeURIComponent('etag: "v1"')}`);
      assert.equal(res.status, status);
      assert.equal(res.aborted, false);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers.etag, '"v1"');
      assert.ok(res.headers['strict-transport-security'], 'the gateway headers are there');
      // RFC 9110 8.6: a 204 never carries Content-Length (a 304 may, describing the GET's body).
      if (status === 204) assert.equal(res.headers['content-length'], undefined);
    });
  }

  test('HEAD gets the GET headers and no body', async () => {
    const res = await gw.request('/__mock/respond', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.aborted, false);
    assert.equal(res.body.length, 0);
  });
});
