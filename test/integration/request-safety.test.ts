import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, statusOf, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Raw byte streams replayed over TLS: what Node's parser accepts but an edge must refuse, and
 * what it already refuses (kept here so a Node upgrade that changes it is noticed).
 */
describe('request safety', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: BASE_CONFIG.replace('tls:', 'hosts: [localhost, 127.0.0.1, api.example.com]\nlimits:\n  headersTimeout: 1s\n  requestTimeout: 2s\n  maxHeaders: 50\n  maxHeaderSize: 8kb\ntls:') })));
  after(() => stopAll(gw, mock));

  const reqLine = (line: string, headers = 'Host: localhost\r\n') => `${line}\r\n${headers}Connection: close\r\n\r\n`;

  const cases: { name: string; bytes: string; status: number; code?: string }[] = [
    { name: 'encoded slash', bytes: reqLine('GET /api/dashboard%2F..%2Fportfolio HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'encoded backslash', bytes: reqLine('GET /api/dashboard%5C..%5Cportfolio HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'raw backslash', bytes: reqLine('GET /api\\dashboard HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'encoded NUL', bytes: reqLine('GET /api/dashboard/%00 HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'invalid percent-encoding', bytes: reqLine('GET /api/dashboard/%GG HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'dot segments above the root', bytes: reqLine('GET /../../etc/passwd HTTP/1.1'), status: 400, code: 'request.bad_path' },
    { name: 'two Host headers', bytes: reqLine('GET /health HTTP/1.1', 'Host: localhost\r\nHost: evil.example\r\n'), status: 400, code: 'request.duplicate_host' },
    { name: 'missing Host', bytes: reqLine('GET /health HTTP/1.1', ''), status: 400, code: 'request.missing_host' },
    { name: 'Host not served here', bytes: reqLine('GET /health HTTP/1.1', 'Host: evil.example\r\n'), status: 421, code: 'request.unknown_host' },
    { name: 'malformed Host', bytes: reqLine('GET /health HTTP/1.1', 'Host: local host/x\r\n'), status: 400, code: 'request.malformed' },
    { name: 'absolute-form target', bytes: reqLine('GET http://evil.example/health HTTP/1.1'), status: 400, code: 'request.absolute_form' },
    { name: 'OPTIONS *', bytes: reqLine('OPTIONS * HTTP/1.1'), status: 400, code: 'request.asterisk_form' },
    { name: 'HTTP/2.0 request line', bytes: reqLine('GET /health HTTP/2.0'), status: 400 },
    { name: 'HTTP/0.9 style request line', bytes: reqLine('GET /health HTTP/0.9'), status: 400 },
    { name: 'Content-Length with Transfer-Encoding (smuggling)', bytes: 'POST /api/trading/orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', status: 400 },
    { name: 'duplicate Content-Length', bytes: 'POST /api/trading/orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab', status: 400 },
    { name: 'obs-fold header', bytes: 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n  folded\r\n\r\n', status: 400 },
    { name: 'bare LF line ending', bytes: 'GET /health HTTP/1.1\nHost: localhost\n\n', status: 400 },
    { name: 'oversized header', bytes: reqLine('GET /health HTTP/1.1', `Host: localhost\r\nX-Big: ${'a'.repeat(9000)}\r\n`), status: 431 },
    { name: 'too many header fields', bytes: reqLine('GET /health HTTP/1.1', `Host: localhost\r\n${Array.from({ length: 60 }, (_, i) => `X-H${i}: v\r\n`).join('')}`), status: 431, code: 'request.headers_too_large' },
  ];

  for (const c of cases) {
    test(`${c.name} is refused with ${c.status}`, async () => {
      const before = await mock.counters();
      const raw = await gw.raw(c.bytes);
      assert.equal(statusOf(raw), c.status, raw.slice(0, 300));
      if (c.code) assert.match(raw, new RegExp(`"code":"${c.code.replace('.', '\\.')}"`));
      // Every refusal still carries the security headers and is problem+json.
      assert.match(raw, /strict-transport-security: max-age=31536000/i);
      assert.match(raw, /content-type: application\/problem\+json/i);
      assert.deepEqual(await mock.counters(), before, 'nothing reached the backend');
    });
  }

  test('health probes by IP are answered whatever the hosts list says', async () => {
    const raw = await gw.raw(reqLine('GET /healthz HTTP/1.1', 'Host: 10.1.2.3:8443\r\n'));
    assert.equal(statusOf(raw), 200);
  });

  test('a configured host with a port is accepted', async () => {
    const raw = await gw.raw(reqLine('GET /health HTTP/1.1', 'Host: api.example.com:8443\r\n'));
    assert.equal(statusOf(raw), 200);
  });

  test('slow body: a request whose body never completes is cut off after requestTimeout', async () => {
    const started = Date.now();
    const raw = await gw.raw('POST /api/trading/orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"symbol":', 10_000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 6000, `connection held for ${elapsed} ms`);
    assert.ok(statusOf(raw) === 408 || raw === '', raw.slice(0, 200));
    // The backend saw the request start, then its connection abort: no order was made from half a body.
    const orders = await (await fetch(`${mock.url}/api/trading/orders`)).json() as { orders: unknown[] };
    assert.deepEqual(orders.orders, []);
  });

  test('slowloris: a client that never finishes its headers is cut off after headersTimeout', async () => {
    const started = Date.now();
    const raw = await gw.raw('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n', 10_000);
    const elapsed = Date.now() - started;
    assert.equal(statusOf(raw), 408, raw);
    assert.ok(elapsed < 5000, `connection held for ${elapsed} ms`);
  });
});
