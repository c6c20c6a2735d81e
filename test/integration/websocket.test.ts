import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, statusOf, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

function open(url: string, ca: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca, servername: 'localhost', headers } as WebSocket.ClientOptions);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('WebSocket upgrades', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: `${BASE_CONFIG}cors:\n  origins: ["https://app.example.com"]\n`, mock: { tickMs: 50 } })));
  after(() => stopAll(gw, mock));

  test('a websocket route is proxied both ways, with the gateway\'s forwarding headers', async () => {
    const ws = await open(`wss://127.0.0.1:${gw.httpsPort}/ws/prices?symbols=BTC`, gw.ca, { 'X-User-Id': 'spoofed', Origin: 'https://app.example.com' });
    try {
      const tick = await new Promise<{ type: string; prices: Record<string, number> }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      assert.equal(tick.type, 'prices');
      assert.ok(tick.prices.BTC! > 0);
      ws.send('ping');
      const pong = await new Promise<string>((resolve) => {
        const onMessage = (d: WebSocket.RawData) => {
          if (d.toString().includes('pong')) {
            ws.off('message', onMessage);
            resolve(d.toString());
          }
        };
        ws.on('message', onMessage);
      });
      assert.match(pong, /pong/);
      const seen = await mock.last('/ws/prices');
      const names = seen!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      assert.ok(!names.includes('x-user-id'));
      assert.ok(names.includes('x-forwarded-for'));
    } finally {
      ws.close();
    }
  });

  test('an upgrade on a route without websocket: true is refused', async () => {
    await assert.rejects(open(`wss://127.0.0.1:${gw.httpsPort}/api/dashboard/risk`, gw.ca), /status 400/);
    assert.equal(await mock.count('WS /api/dashboard/risk'), 0);
  });

  test('an upgrade from a disallowed Origin is refused (cross-site WebSocket hijacking)', async () => {
    await assert.rejects(open(`wss://127.0.0.1:${gw.httpsPort}/ws/prices`, gw.ca, { Origin: 'https://evil.example' }), /status 403/);
  });

  test('path tricks are refused on upgrades too', async () => {
    const raw = await gw.raw('GET /ws/%2e%2e/%2e%2e/x HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    assert.equal(statusOf(raw), 400);
    assert.match(raw, /strict-transport-security/i);
  });
});
