import assert from 'node:assert/strict';
import { Agent, request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startGateway, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { GATEWAY_BIN } from '../helpers/paths.js';
import { spawnService } from '../helpers/spawn-service.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/** Requests over one kept-alive TLS connection, to prove a reload does not drop it. */
function keepAliveClient(port: number, ca: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca, servername: 'localhost' });
  const sockets = new Set<unknown>();
  const get = (path: string) => new Promise<number>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      sockets.add(res.socket);
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
  return { get, sockets, close: () => agent.destroy() };
}

describe('reload and shutdown', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway()));
  after(() => stopAll(gw, mock));

  test('SIGHUP with a valid file swaps routes in, logs what changed, and keeps open connections', async () => {
    const client = keepAliveClient(gw.httpsPort, gw.ca);
    try {
      assert.equal(await client.get('/api/market/prices?symbols=BTC'), 404);
      gw.writeConfig(`${BASE_CONFIG.replace('  - id: health\n    auth: none\n    path: /health\n    methods: [GET]\n', '')}  - id: prices
    auth: none
    path: /api/market/prices
    methods: [GET]
`.replace('id: portfolio\n    auth: none\n    path: /api/portfolio\n    methods: [GET]', 'id: portfolio\n    auth: none\n    path: /api/portfolio\n    methods: [GET, HEAD]'));
      const line = await gw.reload();
      assert.equal(line.msg, 'config reloaded');
      assert.deepEqual(line.routes_added, ['prices']);
      assert.deepEqual(line.routes_removed, ['health']);
      assert.deepEqual(line.routes_changed, ['portfolio']);
      assert.equal(await client.get('/api/market/prices?symbols=BTC'), 200);
      assert.equal(await client.get('/health'), 404);
      assert.equal(client.sockets.size, 1, 'the same connection served before and after the reload');
    } finally {
      client.close();
    }
  });

  test('SIGHUP with an invalid file is rejected with positions, and the old config keeps serving', async () => {
    gw.writeConfig(BASE_CONFIG.replace('headersTimeout: 2s', 'headersTimeout: soon'));
    const line = await gw.reload();
    assert.equal(line.msg, 'config rejected; the running config stays');
    assert.match(JSON.stringify(line.errors), /gateway\.yaml:\d+:\d+ upstream\.headersTimeout: expected a duration like \\"30s\\", got \\"soon\\"/);
    // A route every config of this suite has: the check does not depend on what another test reloaded.
    assert.equal((await gw.request('/api/dashboard/overview')).status, 200);
  });

  test('/healthz and /readyz are answered by the gateway', async () => {
    const before = await mock.counters();
    const health = await gw.request('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await gw.request('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json<{ checks: unknown }>().checks, { store: true, backend: true, auth: true, accepting: true });
    const after = await mock.counters();
    assert.equal(after['GET /healthz'], undefined);
    assert.equal(after['GET /readyz'], undefined);
    assert.equal(before['GET /health'] === undefined ? 1 : before['GET /health'] + 1, after['GET /health'], 'readiness asks the backend health endpoint');
  });

  test('every request writes one access-log line without secrets', async () => {
    await gw.request('/api/dashboard/risk?token=supersecret&x=1', { headers: { Authorization: 'Bearer sekrit-token', Cookie: 'session=abc', 'X-Request-Id': 'log-check-000001' } });
    await gw.service.waitForLine((l) => l.includes('"request_id":"log-check-000001"'), 3000);
    const lines = gw.logs().filter((l) => l.request_id === 'log-check-000001');
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.kind, 'access');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/api/dashboard/risk');
    assert.equal(line.route, 'dashboard');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(typeof line.upstream_ms, 'number');
    assert.ok((line.bytes as number) > 0);
    assert.equal(line.query_keys, 'token,x');
    const all = gw.service.lines.join('\n');
    assert.doesNotMatch(all, /sekrit-token|supersecret|session=abc/);
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM lets an in-flight request finish, refuses new connections, and exits 0', async () => {
    const mock = await startMock();
    const gw = await startGateway({ upstreamUrl: mock.url, config: BASE_CONFIG.replace('headersTimeout: 2s', 'headersTimeout: 5s') });
    try {
      await mock.arm({ kind: 'delay', path: '/api/dashboard/trading', ms: 1000, times: 1 });
      const inFlight = gw.request('/api/dashboard/trading');
      await new Promise((r) => setTimeout(r, 200));
      process.kill(gw.service.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      await assert.rejects(gw.request('/health'), /ECONNREFUSED|ECONNRESET|socket hang up/);
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.aborted, false);
      assert.equal(await gw.service.exited, 0);
      assert.ok(gw.logs().some((l) => l.msg === 'stopped'));
    } finally {
      await gw.stop();
      await mock.stop();
    }
  });

  test('an invalid config file never starts the gateway', async () => {
    const { writeFileSync } = await import('node:fs');
    const { tempDir } = await import('../helpers/temp-dir.js');
    const dir = tempDir('gw-bad-');
    writeFileSync(`${dir}/gateway.yaml`, BASE_CONFIG.replace('port: 0 }\n  http', 'port: -5 }\n  http'));
    const proc = spawnService(process.execPath, [GATEWAY_BIN, 'serve', '--config', `${dir}/gateway.yaml`], { env: { UPSTREAM_URL: 'http://127.0.0.1:1' }, expectFailure: true });
    assert.equal(await proc.exited, 1);
    assert.match(proc.stderr.join('\n'), /gateway\.yaml:3:\d+ listeners\.https\.port: expected a port number 0-65535/);
  });
});
