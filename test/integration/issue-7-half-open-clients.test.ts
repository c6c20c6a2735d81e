import assert from 'node:assert/strict';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
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

const HANDSHAKE_ON_PLAIN_ROUTE = 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
  + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

function halfOpenClient(gw: GatewayHandle, bytes: string): Promise<{ socket: TLSSocket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    // tls.connect passes allowHalfOpen to the socket; @types/node does not list it.
    const options: ConnectionOptions & { allowHalfOpen: boolean } = { host: '127.0.0.1', port: gw.httpsPort, ca: gw.ca, servername: 'localhost', allowHalfOpen: true };
    const socket = connect(options, () => {
      socket.write(bytes);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      resolve({ socket, answer: new Promise((done) => socket.once('end', () => done(Buffer.concat(chunks).toString('latin1')))) });
    });
    socket.once('error', reject);
  });
}

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
