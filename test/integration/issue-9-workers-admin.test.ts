import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { adminRequest } from '../helpers/admin-client.js';
import { API_KEY_SECRET, authConfig, makeAuthFiles, type AuthFiles } from '../helpers/auth-fixture.js';
import { startWorkersOnRedis, stopWorkersOnRedis, type ClientResponse, type GatewayHandle, type WorkersOnRedis } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { matching, parseSamples, promtoolCheck, valueOf } from '../helpers/prometheus-text.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, workers: the admin endpoints that concern every worker. POST /admin/reload and
 * `gateway reload` reach each worker through the primary (checked once there first), and
 * /metrics shows the sum of every worker's series, whichever worker takes the scrape.
 */
const ADDED = '  - id: added-by-reload\n    path: /api/market/prices\n    methods: [GET]\n    auth: none\n';
const REQUESTS = 12;

type Line = Record<string, unknown>;
interface WorkerReload { worker: number; pid: number; outcome: string; reloaded?: { routesAdded: string[] } }

async function adminFiles(): Promise<AuthFiles & { adminKey: string }> {
  const files = await makeAuthFiles();
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(files.keysFile, [...files.records, ops.record]);
  return { ...files, adminKey: ops.key };
}

describe('issue 9: admin reload and /metrics under workers: 2', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let config: string;
  let workers: WorkersOnRedis;
  const asAdmin = () => ({ 'X-API-Key': files.adminKey });
  const workerPids = (): number[] => gw.logs().find((l) => l.msg === 'all workers listening')!.pids as number[];
  const linesSince = (from: number): Line[] => gw.logs().slice(from);

  before(async () => {
    files = await adminFiles();
    workers = await startWorkersOnRedis((store) => authConfig(files, { store }));
    ({ mock, gw, config } = workers);
  });
  after(() => stopWorkersOnRedis(workers));

  test('/metrics sums every worker\'s counters: requests spread over both workers are all counted, once', async () => {
    const scrape = async () => {
      const res = await adminRequest(gw, '/metrics', { headers: asAdmin() });
      assert.equal(res.status, 200, res.text);
      return res.text;
    };
    const before = await mock.count('GET /health');
    for (let i = 0; i < REQUESTS; i++) assert.equal((await gw.request('/health')).status, 200);
    assert.equal(await mock.count('GET /health'), before + REQUESTS, 'each reached the backend once');
    // Fresh connections are dealt out in turn: both workers answered some of them.
    const answered = () => gw.logs().filter((l) => l.kind === 'access' && l.path === '/health');
    await waitUntil(() => answered().length === REQUESTS, 'every access line');
    assert.equal(new Set(answered().map((l) => l.pid)).size, 2, 'the requests were answered by both workers');
    // Counted when each response closes: poll until all are in, then it stays there.
    const echoed = (text: string) => valueOf(parseSamples(text), 'gateway_requests_total', { route: 'health', method: 'GET', status_class: '2xx' });
    await waitUntil(async () => echoed(await scrape()) === REQUESTS, `${REQUESTS} requests counted`);
    // Each scrape may be served by either worker; each shows the whole: the same exact count.
    for (let i = 0; i < 4; i++) assert.equal(echoed(await scrape()), REQUESTS);

    const text = await scrape();
    const samples = parseSamples(text);
    assert.equal(valueOf(samples, 'gateway_request_duration_seconds_count', { route: 'health' }), REQUESTS, 'histograms summed too');
    assert.equal(valueOf(samples, 'gateway_request_duration_seconds_bucket', { route: 'health', le: '+Inf' }), REQUESTS);
    // Gauges: the store is up in both (min), one expiry (min), connections per target summed.
    assert.deepEqual(matching(samples, 'gateway_store_up').map((s) => s.value), [1]);
    assert.equal(matching(samples, 'gateway_certificate_expiry_timestamp_seconds').length, 1);
    const limit = matching(samples, 'gateway_upstream_connection_limit');
    assert.deepEqual(limit.map((s) => s.labels), [{ upstream: 'default', target: '0' }]);
    assert.equal(limit[0]!.value % 2, 0, 'two workers\' pools, summed');
    const check = promtoolCheck(text);
    assert.equal(check.code, 0, check.output);
  });

  test('POST /admin/reload reloads every worker and lists each one\'s result', async () => {
    assert.equal((await gw.request('/api/market/prices')).status, 404);
    gw.writeConfig(config.replace('routes:\n', `routes:\n${ADDED}`));
    const from = gw.logs().length;
    const res = await adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ reloaded: { routesAdded: string[] }; workers: WorkerReload[] }>();
    assert.deepEqual(body.reloaded.routesAdded, ['added-by-reload']);
    assert.deepEqual(new Set(body.workers.map((w) => w.pid)), new Set(workerPids()));
    for (const w of body.workers) {
      assert.equal(w.outcome, 'applied');
      assert.deepEqual(w.reloaded?.routesAdded, ['added-by-reload']);
    }
    await waitUntil(() => new Set(linesSince(from).filter((l) => l.msg === 'config reloaded').map((l) => l.pid)).size === 2, 'both workers\' reload lines');
    // Both workers serve the new route: fresh connections reach each in turn.
    for (let i = 0; i < 4; i++) assert.equal((await gw.request('/api/market/prices')).status, 200);
  });

  test('a file that does not load is refused by the primary\'s check: 422, no worker asked', async () => {
    gw.writeConfig(config.replace('routes:\n', 'routes:\n  - id: broken\n    path: nope\n'));
    const from = gw.logs().length;
    const res: ClientResponse = await adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() });
    assert.equal(res.status, 422, res.text);
    const body = res.json<{ code: string; errors: string[]; workers: unknown[] }>();
    assert.equal(body.code, 'config.rejected');
    assert.ok(body.errors.length > 0);
    assert.deepEqual(body.workers, []);
    await gw.service.waitForLine((l) => gw.service.lines.indexOf(l) >= 0 && l.includes('every worker keeps the running config'));
    assert.equal(linesSince(from).filter((l) => l.msg === 'config rejected; the running config stays').length, 0, 'no worker was asked');
    // Yet every worker counts it, as if it had refused it itself: an alert on the gauge fires.
    const samples = parseSamples((await adminRequest(gw, '/metrics', { headers: asAdmin() })).text);
    assert.equal(valueOf(samples, 'gateway_config_last_reload_successful'), 0);
    assert.equal(valueOf(samples, 'gateway_reloads_total', { result: 'failure' }), 2, 'one per worker');
    assert.equal(valueOf(samples, 'gateway_reloads_total', { result: 'success' }), 2, 'the reload before, one per worker');
    // Still the config of the last good reload, everywhere.
    for (let i = 0; i < 4; i++) assert.equal((await gw.request('/api/market/prices')).status, 200);
  });

  test('POST /admin/acme/renew without tls.mode acme: 409 acme.not_configured, no worker asked', async () => {
    const res = await adminRequest(gw, '/admin/acme/renew', { method: 'POST', headers: asAdmin() });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.json<{ code: string }>().code, 'acme.not_configured');
    assert.equal((await adminRequest(gw, '/admin/acme/renew', { method: 'POST' })).status, 401, 'authenticated first, like every admin request');
  });

  test('gateway reload through the admin listener: every worker, said so', async () => {
    gw.writeConfig(config);
    const r = await gatewayCli(['reload', '--config', gw.configFile], { env: { UPSTREAM_URL: mock.url, GATEWAY_ADMIN_KEY: files.adminKey }, cwd: gw.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^reloaded; routes removed: added-by-reload.* \(every worker: 2\)\n$/);
    for (let i = 0; i < 4; i++) assert.equal((await gw.request('/api/market/prices')).status, 404);
    const samples = parseSamples((await adminRequest(gw, '/metrics', { headers: asAdmin() })).text);
    assert.equal(valueOf(samples, 'gateway_config_last_reload_successful'), 1, 'every worker\'s last reload applied');
  });
});
