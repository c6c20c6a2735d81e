import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * From an outside review of issue 7: requests and WebSocket handshakes were said to tell the
 * backend different X-Forwarded-Host values (with and without the port). Both take it from one
 * place (backend-headers.ts: the Host as the client sent it, after check-request validated it,
 * or a trusted proxy's X-Forwarded-Host); this pins that they agree.
 */
const CONFIG = BASE_CONFIG.replace('tls:', 'trustedProxies: [127.0.0.1/32]\ntls:');

function sentHeader(rawHeaders: readonly string[], name: string): string | undefined {
  const i = rawHeaders.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === name);
  return i === -1 ? undefined : rawHeaders[i + 1];
}

describe('issue 7: requests and handshakes tell the backend the same X-Forwarded-Host', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  /** What the backend was told for a request and for a handshake carrying the same headers. */
  async function forwardedHosts(headers: Record<string, string>): Promise<{ request: string | undefined; handshake: string | undefined }> {
    const echoed = await gw.request('/__mock/echo', { headers });
    assert.equal(echoed.status, 200);
    const request = sentHeader(echoed.json<{ raw_headers: string[] }>().raw_headers, 'x-forwarded-host');
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}/ws/prices`, { ca: gw.ca, servername: 'localhost', headers } as WebSocket.ClientOptions);
      ws.once('open', () => {
        ws.close();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
      ws.once('error', reject);
    });
    const handshake = sentHeader((await mock.last('/ws/prices'))!.rawHeaders, 'x-forwarded-host');
    return { request, handshake };
  }

  test('the Host as the client sent it, port included', async () => {
    assert.deepEqual(await forwardedHosts({}), { request: `127.0.0.1:${gw.httpsPort}`, handshake: `127.0.0.1:${gw.httpsPort}` });
    const host = `LocalHost:${gw.httpsPort}`;
    assert.deepEqual(await forwardedHosts({ Host: host }), { request: host, handshake: host });
  });

  test('behind a trusted proxy, the proxy\'s X-Forwarded-Host', async () => {
    assert.deepEqual(await forwardedHosts({ 'X-Forwarded-Host': 'shop.example' }), { request: 'shop.example', handshake: 'shop.example' });
  });
});
