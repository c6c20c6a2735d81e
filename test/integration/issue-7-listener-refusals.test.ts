import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createConnection } from 'node:net';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, statusOf, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 7: answers the listeners write themselves were invisible. Parser refusals (400, 431)
 * and header timeouts (408) had no access-log line, so their x-request-id led nowhere; CONNECT
 * got a closed connection; a slow body was cut at requestTimeout with no answer; the plain-HTTP
 * listener answered text/plain without a request id and logged nothing.
 */
const CONFIG = `${BASE_CONFIG.replace('  headersTimeout: 2s\n  bodyTimeout: 2s\n', '  headersTimeout: 30s\n  bodyTimeout: 30s\n')}limits:
  headersTimeout: 1s
  requestTimeout: 2s
`;

describe('issue 7: answers made by the listeners are problem+json and logged', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  test('a malformed request: 400 problem+json, one access line with its request id and the TCP peer', async () => {
    const raw = await gw.raw('GET /api/portfolio HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    const { status, id, body } = parse(raw);
    assert.equal(status, 400);
    assert.equal(body.code, 'request.malformed');
    const line = await accessLine(gw, id);
    assert.equal(line.status, 400);
    assert.equal(line.reason, 'request.malformed');
    assert.equal(line.client_ip, '127.0.0.1');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/api/portfolio');
  });

  test('one oversized header: 431, logged', async () => {
    const raw = await gw.raw(`GET /api/portfolio HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { status, id } = parse(raw);
    assert.equal(status, 431);
    const line = await accessLine(gw, id);
    assert.equal(line.status, 431);
    assert.equal(line.reason, 'request.headers_too_large');
  });

  test('headers not finished within headersTimeout: 408, logged', async () => {
    const raw = await gw.raw('GET /api/portfolio HTTP/1.1\r\nHost: localhost\r\n', 15_000);
    const { status, id } = parse(raw);
    assert.equal(status, 408);
    const line = await accessLine(gw, id);
    assert.equal(line.reason, 'request.timeout');
  });

  test('CONNECT host:port: 400 problem+json, logged with its target', async () => {
    const raw = await gw.raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nX-Request-Id: issue-7-connect\r\n\r\n');
    const { status, id, body, headers } = parse(raw);
    assert.equal(status, 400);
    assert.equal(body.code, 'request.authority_form');
    assert.equal(id, 'issue-7-connect');
    assert.match(headers, /content-type: application\/problem\+json/i);
    const line = await accessLine(gw, 'issue-7-connect');
    assert.equal(line.method, 'CONNECT');
    assert.equal(line.path, 'example.com:443');
    assert.equal(line.status, 400);
  });

  test('a body slower than requestTimeout: 408 problem+json through the pipeline, its request id logged', async () => {
    const raw = await slowBody(gw, 'POST /__mock/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\nX-Request-Id: issue-7-slow-body\r\n\r\n');
    const { status, id, body } = parse(raw);
    assert.equal(status, 408);
    assert.equal(body.code, 'request.timeout');
    assert.equal(id, 'issue-7-slow-body');
    const line = await accessLine(gw, 'issue-7-slow-body');
    assert.equal(line.status, 408);
    assert.equal(line.reason, 'request.timeout');
    assert.equal(line.route, 'echo');
  });

  test('the HTTP listener: a 400 is problem+json with x-request-id and security headers (no HSTS), and logged', async () => {
    const res = await plainHttp(gw.httpPort!, '/a/%2f/b', { 'x-request-id': 'issue-7-http-400' });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.headers['x-request-id'], 'issue-7-http-400');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['strict-transport-security'], undefined);
    assert.equal(JSON.parse(res.body).code, 'request.bad_path');
    const line = await accessLine(gw, 'issue-7-http-400');
    assert.equal(line.listener, 'http');
    assert.equal(line.status, 400);
    assert.equal(line.reason, 'request.bad_path');
    assert.equal(line.path, '/a/%2f/b');
  });

  test('the HTTP listener: bytes that are not HTTP and CONNECT are refused as on HTTPS, and logged', async () => {
    // Second outside review: Node's bare 400, or a silent close for CONNECT, with no log line.
    for (const [bytes, code] of [
      ['GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n', 'request.malformed'],
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 'request.authority_form'],
    ] as const) {
      const { status, id, body, headers } = parse(await plainTcp(gw.httpPort!, bytes));
      assert.equal(status, 400);
      assert.equal(body.code, code);
      assert.match(headers, /content-type: application\/problem\+json/i);
      assert.doesNotMatch(headers, /strict-transport-security/i);
      const line = await accessLine(gw, id);
      assert.equal(line.listener, 'http');
      assert.equal(line.reason, code);
    }
  });

  test('the HTTP listener: the ACME 404 is problem+json; a redirect carries a request id and is logged', async () => {
    const notFound = await plainHttp(gw.httpPort!, '/.well-known/acme-challenge/t', {});
    assert.equal(notFound.status, 404);
    assert.equal(JSON.parse(notFound.body).code, 'route.not_found');
    const moved = await plainHttp(gw.httpPort!, '/api/portfolio?x=1', { 'x-request-id': 'issue-7-http-301' });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers['x-request-id'], 'issue-7-http-301');
    const line = await accessLine(gw, 'issue-7-http-301');
    assert.equal(line.listener, 'http');
    assert.equal(line.status, 301);
    assert.equal(line.path, '/api/portfolio');
    assert.equal(line.method, 'GET');
  });
});

/** Raw bytes over plain TCP; everything received until the gateway closes (or 5 s). */
function plainTcp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

function parse(raw: string): { status: number; id: string; headers: string; body: Record<string, unknown> } {
  const split = raw.indexOf('\r\n\r\n');
  assert.ok(split > 0, `no response: ${JSON.stringify(raw.slice(0, 200))}`);
  const headers = raw.slice(0, split);
  const id = /^x-request-id: (\S+)$/im.exec(headers)?.[1] ?? '';
  assert.ok(id, headers);
  return { status: statusOf(raw), id, headers, body: JSON.parse(raw.slice(split + 4)) as Record<string, unknown> };
}

async function accessLine(gw: GatewayHandle, requestId: string): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await waitUntil(() => (line = gw.logs().find((l) => l.kind === 'access' && l.request_id === requestId)) !== undefined, `access line ${requestId}`);
  return line!;
}

/** Sends `head`, then one body byte every 500 ms until the gateway answers or closes. */
function slowBody(gw: GatewayHandle, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port: gw.httpsPort, ca: gw.ca, servername: 'localhost' }, () => socket.write(head));
    const drip = setInterval(() => {
      if (socket.writable) socket.write('a');
    }, 500);
    const limit = setTimeout(() => socket.destroy(), 30_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      if (chunks.length === 0) reject(err);
    });
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(limit);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

function plainHttp(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: 'localhost', ...headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
