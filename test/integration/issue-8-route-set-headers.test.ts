import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review 2 finding 1: a route's `headers.request.set` could be joined by the client's own copies
 * (only the first one was replaced): the backend saw `x-env: prod` and `x-env: evil`. Every way to
 * the backend (a live request, a cache fill, a WebSocket handshake) now carries the route's value alone.
 */
const SET = '    headers: { request: { set: { X-Env: prod } } }\n';
const CONFIG = BASE_CONFIG
  .replace('    prefix: /__mock/echo\n', `    prefix: /__mock/echo\n${SET}`)
  .replace('    path: /ws/prices\n', `    path: /ws/prices\n${SET}`) + `  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 1m }
${SET}`;

const CLIENT = { 'x-env': ['a', 'evil'] };

function xEnvOf(rawHeaders: readonly string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 1 && rawHeaders[i - 1]!.toLowerCase() === 'x-env');
}

describe('issue 8: a route\'s headers.request.set cannot be joined by the client', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('a proxied request: the backend sees the route\'s value once', async () => {
    const res = await gw.request('/__mock/echo/set', { headers: CLIENT });
    assert.equal(res.status, 200);
    assert.deepEqual(xEnvOf(res.json<{ raw_headers: string[] }>().raw_headers), ['prod']);
  });

  it('a cache fill: the backend sees the route\'s value once', async () => {
    const res = await gw.request('/__mock/respond/set', { headers: CLIENT });
    assert.equal(res.headers['x-cache'], 'MISS');
    const last = await mock.last('/__mock/respond/set');
    assert.deepEqual(xEnvOf(last!.rawHeaders), ['prod']);
  });

  it('a WebSocket handshake: the backend sees the route\'s value once', async () => {
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}/ws/prices`, { ca: gw.ca, servername: 'localhost', headers: CLIENT } as unknown as WebSocket.ClientOptions);
      ws.once('open', () => {
        ws.close();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
    const last = await mock.last('/ws/prices');
    assert.deepEqual(xEnvOf(last!.rawHeaders), ['prod']);
  });
});
