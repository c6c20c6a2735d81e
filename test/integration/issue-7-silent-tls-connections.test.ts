import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { openSocketsOnPort } from '../helpers/tcp-sockets.js';
import { waitUntil } from '../helpers/wait-until.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue 7, defect 1: a TCP connection that never sent a ClientHello was held forever, and kept
 * in CLOSE-WAIT after the client left, because the clientError handler wrote an HTTP answer to a
 * socket whose TLS handshake never finished. Nothing here depends on timing beyond "eventually".
 */
const CONFIG = `${BASE_CONFIG}
limits:
  handshakeTimeout: 1s
`;

function openSilent(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('issue 7: silent TCP connections on the HTTPS port', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('closes a connection that sends nothing once the handshake timeout passes', async () => {
    const socket = await openSilent(gw.httpsPort);
    socket.on('error', () => {});
    // The server, not the client, ends it: without the fix this waits for ever (the test's timeout).
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.equal(Buffer.concat(received).length, 0, 'no HTTP answer is written before a handshake');
  });

  it('holds no socket after 50 silent clients leave, before or after the timeout', async () => {
    const early = await Promise.all(Array.from({ length: 25 }, () => openSilent(gw.httpsPort)));
    const late = await Promise.all(Array.from({ length: 25 }, () => openSilent(gw.httpsPort)));
    for (const s of [...early, ...late]) s.on('error', () => {});
    await waitUntil(() => openSocketsOnPort(gw.httpsPort).length >= 50, 'the gateway sees the 50 connections');
    for (const s of early) s.destroy();
    // The late ones stay past the handshake timeout, then leave: the case that stuck in CLOSE-WAIT.
    await new Promise((r) => setTimeout(r, 1500));
    for (const s of late) s.destroy();
    await waitUntil(() => openSocketsOnPort(gw.httpsPort).length === 0, 'every server-side socket released');
  });

  it('still serves requests afterwards', async () => {
    const res = await gw.request('/health');
    assert.equal(res.status, 200);
  });
});
