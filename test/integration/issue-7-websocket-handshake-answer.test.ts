import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, statusOf, type GatewayHandle } from '../helpers/gateway.js';
import { halfOpenClient, handshakeBytes } from '../helpers/half-open-client.js';
import { openSocketsOnPort } from '../helpers/tcp-sockets.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Found by an outside review of issue 7: http-proxy relayed the backend's answer to a
 * handshake as it came. A 400 reached the client with the backend's Server and X-Powered-By,
 * without our security headers or X-Request-Id (and with Transfer-Encoding: chunked over a
 * body Node had already de-chunked); the 101 had no X-Request-Id. After a refusal http-proxy
 * only half-closed the client socket, so a client that never closed its side held it.
 */
const CONFIG = `${BASE_CONFIG}  - id: ws-refused
    auth: none
    path: /ws/refused
    methods: [GET]
    websocket: true
    defaultCacheControl: no-store
    headers:
      response: { set: { X-Route: ws-refused }, remove: [X-Backend-Note] }
  - id: ws-stalled
    auth: none
    path: /ws/stalled
    methods: [GET]
    websocket: true
    timeouts: { headers: 1s, body: 1s }
`;

interface Answer { status: number; headers: IncomingMessage['headers']; body: string }

/** The handshake's answer as a WebSocket client sees it; a 101 is closed at once. */
function handshake(gw: GatewayHandle, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}${path}`, { ca: gw.ca, servername: 'localhost', headers } as WebSocket.ClientOptions);
    ws.once('upgrade', (res) => {
      ws.once('open', () => ws.close());
      resolve({ status: 101, headers: res.headers, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}

describe('issue 7: the backend\'s answer to a handshake carries the gateway\'s headers', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  test('a refusal: security headers, X-Request-Id, the route\'s set and default Cache-Control; no Server, X-Powered-By or dropped names', async () => {
    const answer = await handshake(gw, '/ws/refused', { 'X-Request-Id': 'issue-7-refused' });
    assert.equal(answer.status, 400);
    assert.equal(answer.body, '{"detail":"bad handshake"}', 'the body arrives whole, framed by the close');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['x-request-id'], 'issue-7-refused');
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['x-route'], 'ws-refused');
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers.connection, 'close');
    for (const name of ['server', 'x-powered-by', 'x-backend-note', 'transfer-encoding']) assert.equal(answer.headers[name], undefined, name);
    const [line] = await waitForAccessLine(gw, (l) => l.request_id === 'issue-7-refused');
    assert.equal(line!.status, 400);
  });

  test('a 101: X-Request-Id and the security headers, with what the switch needs', async () => {
    const answer = await handshake(gw, '/ws/prices', { 'X-Request-Id': 'issue-7-upgraded' });
    assert.equal(answer.status, 101);
    assert.equal(answer.headers['x-request-id'], 'issue-7-upgraded');
    assert.match(String(answer.headers['strict-transport-security']), /max-age=/);
    assert.equal(String(answer.headers.upgrade).toLowerCase(), 'websocket');
    assert.equal(answer.headers.connection, 'Upgrade');
    assert.ok(answer.headers['sec-websocket-accept']);
  });

  test('a client that never closes its side after a refusal is let go', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => halfOpenClient(gw, handshakeBytes('/ws/refused'))));
    try {
      for (const { answer } of clients) {
        let raw = '';
        void answer.then((a) => { raw = a; });
        await waitUntil(() => raw !== '', 'the relayed refusal');
        assert.equal(statusOf(raw), 400);
        assert.match(raw, /\r\n\r\n\{"detail":"bad handshake"\}$/);
      }
      await waitUntil(() => openSocketsOnPort(gw.httpsPort).length === 0, 'the gateway releases every socket', 20_000);
    } finally {
      for (const { socket } of clients) socket.destroy();
    }
  });
});

describe('a refusal whose body the backend never finishes', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  // Second outside review: both sockets stayed open, the backend's even after the client left.
  test('holds neither socket past the route body timeout, nor after the client leaves', async () => {
    const stalled = await halfOpenClient(gw, handshakeBytes('/ws/stalled'));
    try {
      await waitUntil(() => openSocketsOnPort(gw.httpsPort).length === 0, 'the client socket let go', 20_000);
      await waitUntil(async () => (await mock.count('WS-CLOSED /ws/stalled')) === 1, 'the backend socket let go', 20_000);
    } finally {
      stalled.socket.destroy();
    }
    const leaving = await halfOpenClient(gw, handshakeBytes('/ws/stalled'));
    await waitUntil(async () => (await mock.count('WS /ws/stalled')) === 2, 'the second handshake reaches the backend');
    leaving.socket.destroy();
    await waitUntil(async () => (await mock.count('WS-CLOSED /ws/stalled')) === 2, 'the backend socket let go when the client left', 20_000);
  });
});

async function waitForAccessLine(gw: GatewayHandle, test: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
  let found: Record<string, unknown>[] = [];
  await waitUntil(() => (found = gw.logs().filter((l) => l.kind === 'access' && test(l))).length > 0, 'the access-log line');
  return found;
}
