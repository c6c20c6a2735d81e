import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { halfOpenClient, handshakeBytes } from '../helpers/half-open-client.js';
import { openSocketsOnPort } from '../helpers/tcp-sockets.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Found while checking issue 7 from outside: the gateway's raw answers (400 to bytes that are
 * not HTTP, 408 to a request head that never completes, a refused WebSocket handshake) were
 * written with socket.end(), which only half-closes. A client that never closed its side held
 * the socket, descriptor and all, for ever. Each client here stays open; the gateway must let go.
 */
const CONFIG = `${BASE_CONFIG}
limits:
  headersTimeout: 1s
`;

const HANDSHAKE_ON_PLAIN_ROUTE = handshakeBytes('/health');

describe('clients that never close their side', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  for (const [name, bytes, status] of [
    ['bytes that are not HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400],
    ['a request head that never completes', 'GET /health HTTP/1.1\r\nHost: localhost\r\n', 408],
    ['a WebSocket handshake the route refuses', HANDSHAKE_ON_PLAIN_ROUTE, 400],
  ] as const) {
    it(`are answered and let go: ${name}`, async () => {
      const clients = await Promise.all(Array.from({ length: 10 }, () => halfOpenClient(gw, bytes)));
      try {
        for (const { answer } of clients) assert.match(await answer, new RegExp(`^HTTP/1\\.1 ${status} `));
        // Still open on our side; the gateway's descriptors must go regardless.
        await waitUntil(() => openSocketsOnPort(gw.httpsPort).length === 0, 'the gateway releases every socket', 20_000);
      } finally {
        for (const { socket } of clients) socket.destroy();
      }
    });
  }
});
