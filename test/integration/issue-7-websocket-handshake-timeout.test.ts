import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, statusOf, type GatewayHandle } from '../helpers/gateway.js';
import { halfOpenClient, handshakeBytes } from '../helpers/half-open-client.js';
import { openSocketsOnPort } from '../helpers/tcp-sockets.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Found by an outside review of issue 7: a WebSocket handshake had no backend timeout
 * (http-proxy's ws path sets none, and proxyTimeout is 0). A backend that accepted the
 * connection and never answered left the client waiting for ever, and the gateway holding two
 * sockets. The route's headers timeout now bounds the wait (504 upstream.timeout, backend
 * request destroyed); once the backend said 101, the WebSocket has no timeout.
 */
const CONFIG = `${BASE_CONFIG.replace('    path: /ws/prices\n', '    path: /ws/prices\n    timeouts: { headers: 1s }\n')}  - id: ws-silent
    auth: none
    path: /ws/silent
    methods: [GET]
    websocket: true
    timeouts: { headers: 1s }
`;

describe('issue 7: a WebSocket handshake waits for the backend no longer than the route\'s headers timeout', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  // First in the suite: nothing else has connected to the mock yet, so every socket on its port is this handshake's.
  test('a backend that never answers: 504 upstream.timeout problem+json, and the backend connection is closed', async () => {
    const { socket, answer } = await halfOpenClient(gw, handshakeBytes('/ws/silent', 'X-Request-Id: issue-7-silent-backend\r\n'));
    try {
      await waitUntil(() => openSocketsOnPort(mock.port).length > 0, 'the handshake reaches the backend');
      let raw = '';
      void answer.then((a) => { raw = a; });
      await waitUntil(() => raw !== '', 'an answer to the handshake');
      assert.equal(statusOf(raw), 504);
      assert.match(raw, /\r\ncontent-type: application\/problem\+json\r\n/);
      assert.match(raw, /\r\nx-request-id: issue-7-silent-backend\r\n/);
      assert.match(raw, /"code":"upstream\.timeout"/);
      assert.match(raw, /\r\nstrict-transport-security: /);
      await waitUntil(() => openSocketsOnPort(mock.port).length === 0, 'the backend request is destroyed');
      await waitUntil(() => openSocketsOnPort(gw.httpsPort).length === 0, 'the client socket is let go');
    } finally {
      socket.destroy();
    }
    const [line] = await waitForAccessLine(gw, (l) => l.request_id === 'issue-7-silent-backend');
    assert.equal(line!.status, 504);
    assert.equal(line!.reason, 'upstream.timeout');
  });

  test('an open WebSocket outlives the headers timeout: the timeout ends with the 101', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}/ws/prices`, { ca: gw.ca, servername: 'localhost' } as WebSocket.ClientOptions);
    let ticks = 0;
    let closed = false;
    ws.on('message', () => { ticks += 1; });
    ws.once('close', () => { closed = true; });
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      // The mock ticks every 100 ms: 25 ticks span well past the route's 1 s headers timeout.
      await waitUntil(() => ticks >= 25 || closed, '25 price ticks');
      assert.equal(closed, false, 'the WebSocket is still open');
      ws.send('ping');
      await waitUntil(() => ticks >= 27 || closed, 'more ticks after a message from the client');
      assert.equal(closed, false);
    } finally {
      ws.close();
    }
  });
});

async function waitForAccessLine(gw: GatewayHandle, test: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
  let found: Record<string, unknown>[] = [];
  await waitUntil(() => (found = gw.logs().filter((l) => l.kind === 'access' && test(l))).length > 0, 'the access-log line');
  return found;
}
