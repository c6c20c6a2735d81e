import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BASE_CONFIG, startGateway, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

describe('proxying to the backend', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway()));
  after(() => stopAll(gw, mock));
  beforeEach(() => mock.reset());

  test('a GET reaches the backend and its JSON comes back', async () => {
    const res = await gw.request('/api/dashboard/risk');
    assert.equal(res.status, 200);
    assert.equal(res.json<{ var_95: number }>().var_95, 42000);
    assert.equal(await mock.count('GET /api/dashboard/risk'), 1);
  });

  test('the backend sees the normalized path, not the one the client wrote', async () => {
    const raw = await gw.raw('GET /api/dashboard/../portfolio?x=1 HTTP/1.1\r\nHost: localhost\r\nX-User-Id: mallory\r\nConnection: close\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 401/); // the portfolio route, and the spoofed X-User-Id was dropped
    const seen = await mock.last('/api/portfolio');
    assert.equal(seen?.path, '/api/portfolio?x=1');
    assert.equal(await mock.count('GET /api/dashboard/..'), 0);
  });

  test('hop-by-hop, Connection-listed, spoofed forwarding/identity and underscore headers never reach the backend', async () => {
    await gw.request('/api/dashboard/overview', {
      headers: {
        Connection: 'keep-alive, X-Hop', 'X-Hop': 'secret', 'Keep-Alive': 'timeout=9', TE: 'trailers',
        'X-Forwarded-For': '6.6.6.6', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http', Forwarded: 'for=6.6.6.6',
        'X-Real-IP': '6.6.6.6', 'X-User-Id': 'admin', 'X-User-Roles': 'admin', X_User_Id: 'admin', 'X-HTTP-Method-Override': 'DELETE',
        'X-Request-Id': 'client-request-0001', Accept: 'application/json',
      },
    });
    const seen = await mock.last('/api/dashboard/overview');
    const names = seen!.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const banned of ['x-hop', 'keep-alive', 'te', 'forwarded', 'x-real-ip', 'x-user-id', 'x-user-roles', 'x_user_id', 'x-http-method-override']) {
      assert.ok(!names.includes(banned), `${banned} reached the backend`);
    }
    const get = (n: string) => seen!.rawHeaders[seen!.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === n) + 1];
    assert.equal(get('x-forwarded-for'), '127.0.0.1');
    assert.equal(get('x-forwarded-proto'), 'https');
    assert.equal(get('x-forwarded-host'), `127.0.0.1:${gw.httpsPort}`);
    assert.equal(get('x-request-id'), 'client-request-0001');
    assert.equal(get('accept'), 'application/json');
    assert.equal(names.filter((n) => n === 'x-forwarded-for').length, 1);
  });

  test('X-Request-Id: a valid one is kept and echoed, a bad one replaced', async () => {
    const kept = await gw.request('/health', { headers: { 'X-Request-Id': 'abc-123-def-456' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123-def-456');
    const replaced = await gw.request('/health', { headers: { 'X-Request-Id': 'x'.repeat(300) } });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const seen = await mock.last('/health');
    assert.equal(seen!.rawHeaders[seen!.rawHeaders.indexOf('x-request-id') + 1], replaced.headers['x-request-id']);
  });

  test('POST with a JSON body reaches the backend once and its 201 comes back', async () => {
    const res = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC', side: 'buy', quantity: 0.5 }) });
    assert.equal(res.status, 201);
    assert.equal(res.json<{ symbol: string }>().symbol, 'BTC');
    assert.equal(await mock.count('POST /api/trading/orders'), 1);
  });

  test('Expect: 100-continue (curl sends it for large bodies) is answered by the gateway and the body still arrives', async () => {
    const res = await gw.request('/__mock/echo', { method: 'POST', headers: { expect: '100-continue', 'content-type': 'application/octet-stream' }, body: Buffer.alloc(2 * 1024 * 1024, 'e') });
    assert.equal(res.status, 200);
    assert.equal(res.json<{ body_bytes: number }>().body_bytes, 2 * 1024 * 1024);
  });

  test('413: a declared Content-Length over the route limit is refused before reaching the backend', async () => {
    const res = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(65 * 1024, 'a') });
    assert.equal(res.status, 413);
    assert.equal(res.json<{ code: string }>().code, 'request.body_too_large');
    assert.equal(await mock.count('POST /api/trading/orders'), 0);
  });

  test('413: a chunked body is cut at the limit', async () => {
    const { Readable } = await import('node:stream');
    const body = Readable.from((function* () { for (let i = 0; i < 20; i++) yield Buffer.alloc(8 * 1024, 'b'); })());
    const res = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 413);
  });

  test('after a chunked 413 the same keep-alive connection still serves the next request', async () => {
    const { Agent } = await import('node:https');
    const { Readable } = await import('node:stream');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: gw.ca, servername: 'localhost' });
    try {
      const body = Readable.from((function* () { for (let i = 0; i < 20; i++) yield Buffer.alloc(8 * 1024, 'c'); })());
      const big = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body, tls: { agent } });
      assert.equal(big.status, 413);
      const next = await gw.request('/health', { tls: { agent } });
      assert.equal(next.status, 200);
    } finally {
      agent.destroy();
    }
  });

  test('a POST is never retried: a reset before any response byte is a 502 and the backend saw it once', async () => {
    await mock.arm({ kind: 'reset-before', path: '/api/trading/orders', method: 'POST', times: 1 });
    const res = await gw.request('/api/trading/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"symbol":"BTC","side":"buy","quantity":1}' });
    assert.equal(res.status, 502);
    assert.equal(res.json<{ code: string }>().code, 'upstream.connection_reset');
    assert.equal(await mock.count('POST /api/trading/orders'), 1);
  });

  test('a GET is retried once on a reset before any response byte', async () => {
    await mock.arm({ kind: 'reset-before', path: '/api/dashboard/trading', times: 1 });
    const res = await gw.request('/api/dashboard/trading');
    assert.equal(res.status, 200);
    assert.equal(await mock.count('GET /api/dashboard/trading'), 2);
  });

  test('a GET is not retried a second time', async () => {
    await mock.arm({ kind: 'reset-before', path: '/api/dashboard/trading', times: 5 });
    const res = await gw.request('/api/dashboard/trading');
    assert.equal(res.status, 502);
    assert.equal(await mock.count('GET /api/dashboard/trading'), 2);
  });

  test('504 when the backend does not answer within the headers timeout', async () => {
    await mock.arm({ kind: 'delay', path: '/api/dashboard/overview', ms: 3000, times: 1 });
    const res = await gw.request('/api/dashboard/overview');
    assert.equal(res.status, 504);
    const problem = res.json<{ code: string; detail: string }>();
    assert.equal(problem.code, 'upstream.timeout');
    assert.doesNotMatch(res.text, /127\.0\.0\.1|stack|at /);
  });

  test('a reset in the middle of the body aborts the client connection instead of ending it cleanly', async () => {
    await mock.arm({ kind: 'reset-mid-body', path: '/api/dashboard/risk', times: 1 });
    const res = await gw.request('/api/dashboard/risk');
    assert.equal(res.status, 200);
    assert.equal(res.aborted, true);
    assert.ok(res.body.length < 1000);
  });

  test('a malformed backend response is a 502', async () => {
    await mock.arm({ kind: 'malformed', path: '/api/dashboard/risk', times: 1 });
    const res = await gw.request('/api/dashboard/risk');
    assert.equal(res.status, 502);
    assert.equal(res.json<{ code: string }>().code, 'upstream.bad_response');
  });

  test('backend 500s pass through unchanged, with the gateway headers', async () => {
    await mock.arm({ kind: 'status', status: 500, path: '/api/dashboard/risk', times: 1 });
    const res = await gw.request('/api/dashboard/risk');
    assert.equal(res.status, 500);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  test('100 MB upload and download stream through without being buffered', async () => {
    const { Readable } = await import('node:stream');
    const { createHash } = await import('node:crypto');
    const total = 100 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 'z');
    const hash = createHash('sha256');
    for (let i = 0; i < 100; i++) hash.update(chunk);
    const upload = await gw.request('/__mock/echo', {
      method: 'POST', headers: { 'content-length': String(total) },
      body: Readable.from((function* () { for (let i = 0; i < 100; i++) yield chunk; })()),
      timeoutMs: 60_000,
    });
    assert.equal(upload.status, 200);
    const echoed = upload.json<{ body_bytes: number; sha256: string }>();
    assert.equal(echoed.body_bytes, total);
    assert.equal(echoed.sha256, hash.digest('hex'));

    const download = await gw.request(`/__mock/download?bytes=${total}`, { timeoutMs: 60_000 });
    assert.equal(download.status, 200);
    assert.equal(download.body.length, total);
    // Peak resident memory of the gateway stays far below the 100 MB that went through it twice.
    const { readFileSync } = await import('node:fs');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${gw.service.pid}/status`, 'utf8'))![1]) * 1024;
    assert.ok(hwm < 180 * 1024 * 1024, `gateway peak RSS ${Math.round(hwm / 1048576)} MB`);
  });
});

describe('behind a trusted proxy', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: BASE_CONFIG.replace('tls:', 'trustedProxies: [127.0.0.1/32]\ntls:') })));
  after(() => stopAll(gw, mock));

  test('a trusted peer\'s X-Forwarded-For is extended and its client address is the one logged', async () => {
    await gw.request('/api/dashboard/risk', { headers: { 'X-Forwarded-For': '6.6.6.6, 198.51.100.7', 'X-Forwarded-Proto': 'https', 'X-Request-Id': 'trusted-proxy-01' } });
    const seen = await mock.last('/api/dashboard/risk');
    const xff = seen!.rawHeaders[seen!.rawHeaders.indexOf('x-forwarded-for') + 1];
    assert.equal(xff, '6.6.6.6, 198.51.100.7, 127.0.0.1');
    const line = JSON.parse(await gw.service.waitForLine((l) => l.includes('"request_id":"trusted-proxy-01"'), 3000)) as { client_ip: string };
    assert.equal(line.client_ip, '198.51.100.7');
  });
});

describe('backend down', () => {
  test('502 with a problem body and no internal address when the backend refuses connections', async () => {
    const gw = await startGateway({ upstreamUrl: 'http://127.0.0.1:1' });
    try {
      const res = await gw.request('/api/dashboard/overview');
      assert.equal(res.status, 502);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      const body = res.json<{ code: string; request_id: string; status: number }>();
      assert.equal(body.code, 'upstream.unavailable');
      assert.equal(body.status, 502);
      assert.equal(body.request_id, res.headers['x-request-id']);
      assert.doesNotMatch(res.text, /127\.0\.0\.1|ECONNREFUSED/);
      const ready = await gw.request('/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json<{ checks: { backend: boolean } }>().checks.backend, false);
    } finally {
      await gw.stop();
    }
  });
});
