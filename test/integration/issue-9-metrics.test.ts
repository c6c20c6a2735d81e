import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { adminRequest } from '../helpers/admin-client.js';
import { API_KEY_SECRET, authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { matching, parseSamples, promtoolCheck, valueOf, type Sample } from '../helpers/prometheus-text.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, metrics: GET /metrics on the admin listener, in the Prometheus text format, with
 * bounded labels, kept (not reset, not duplicated) across reloads, and valid for promtool.
 */
function metricsConfig(files: AuthFiles): string {
  return `${authConfig(files)
    .replace('  http: { host: 127.0.0.1, port: 0 }\n', '  http: { host: 127.0.0.1, port: 0 }\n  admin: { port: 0 }\n')
    .replace('  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n',
      '  - id: portfolio\n    auth: required\n    path: /api/portfolio\n    methods: [GET]\n    cache: { ttl: 5m }\n')
    .replace('  - id: docs\n', '  - id: docs\n    rateLimit: tight\n')}rateLimits:
  policies:
    tight:
      limits:
        - { name: per-ip, points: 2, duration: 1h, key: [ip] }
`;
}

/** The fixture's users and keys, plus an API key "ops" with the admin role. */
async function adminFiles(): Promise<AuthFiles & { adminKey: string }> {
  const files = await makeAuthFiles();
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(files.keysFile, [...files.records, ops.record]);
  return { ...files, adminKey: ops.key };
}

describe('issue 9: GET /metrics', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let alice: string;
  const asAdmin = () => ({ 'X-API-Key': files.adminKey });
  const scrapeText = async (): Promise<string> => {
    const res = await adminRequest(gw, '/metrics', { headers: asAdmin() });
    assert.equal(res.status, 200, res.text);
    return res.text;
  };
  const scrape = async (): Promise<Sample[]> => parseSamples(await scrapeText());
  /** Counted when each response closes, which may be just after the client read it: poll. */
  const until = async (what: string, check: (s: Sample[]) => boolean): Promise<Sample[]> => {
    let last: Sample[] = [];
    await waitUntil(async () => check(last = await scrape()), what);
    return last;
  };

  before(async () => {
    files = await adminFiles();
    ({ mock, gw } = await startMockAndGateway({ config: metricsConfig(files) }));
    alice = (await tokensFor(gw, 'alice')).access_token;
  });
  after(() => stopAll(gw, mock));

  test('needs the admin role like every admin request; answers in the text format with no-store', async () => {
    assert.equal((await adminRequest(gw, '/metrics')).status, 401);
    assert.equal((await adminRequest(gw, '/metrics', { headers: { 'X-API-Key': files.keys.trader } })).status, 403);
    const res = await adminRequest(gw, '/metrics', { headers: asAdmin() });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.text, /^# HELP gateway_requests_total /m);
  });

  test('an API key may come as the bearer credential here (a Prometheus scrape job\'s `authorization`), and only here', async () => {
    assert.equal((await adminRequest(gw, '/metrics', { headers: { Authorization: `Bearer ${files.adminKey}` } })).status, 200);
    assert.equal((await adminRequest(gw, '/metrics', { headers: { Authorization: `Bearer ${files.keys.trader}` } })).status, 403);
    const unknown = await adminRequest(gw, '/metrics', { headers: { Authorization: `Bearer ${files.adminKey.slice(0, -4)}AAAA` } });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json().code, 'auth.invalid_api_key');
    // On the main listener a bearer credential is a token, whatever it looks like.
    const main = await gw.request('/api/portfolio', { headers: bearer(files.keys.trader) });
    assert.equal(main.status, 401);
    assert.equal(main.json().code, 'auth.invalid_token');
  });

  test('requests by route, method and status class, with both latency histograms', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await gw.request('/health')).status, 200);
    const s = await until('three health requests', (x) => valueOf(x, 'gateway_requests_total', { route: 'health', method: 'GET', status_class: '2xx' }) === 3);
    assert.equal(valueOf(s, 'gateway_request_duration_seconds_count', { route: 'health' }), 3);
    assert.equal(valueOf(s, 'gateway_upstream_duration_seconds_count', { route: 'health' }), 3);
    // Every request is in the +Inf bucket; the sum is a time, not a count.
    assert.equal(valueOf(s, 'gateway_request_duration_seconds_bucket', { route: 'health', le: '+Inf' }), 3);
    assert.ok(valueOf(s, 'gateway_request_duration_seconds_sum', { route: 'health' }) > 0);
  });

  test('labels stay bounded: no raw path, an unknown method is "other", unrouted requests are route "(none)"', async () => {
    // The mock answers 404 here: a backend's answer counts under the route that forwarded it.
    await gw.request('/api/dashboard/unique-path-4711?user=carol-9');
    assert.equal((await gw.request('/no-such-route-0815')).status, 404);
    assert.equal((await gw.request('/health', { method: 'PROPFIND' })).status, 405);
    const s = await until('the 404 and the 405', (x) => valueOf(x, 'gateway_requests_total', { route: '(none)', status_class: '4xx' }) >= 2);
    assert.equal(valueOf(s, 'gateway_requests_total', { route: '(none)', method: 'other', status_class: '4xx' }), 1);
    assert.equal(valueOf(s, 'gateway_requests_total', { route: 'dashboard', method: 'GET' }), 1);
    const text = await scrapeText();
    for (const raw of ['unique-path-4711', 'carol-9', 'no-such-route-0815', 'PROPFIND']) assert.ok(!text.includes(raw), `${raw} leaked into a label`);
    const routes = new Set(matching(s, 'gateway_requests_total').map((x) => x.labels.route));
    for (const route of routes) assert.match(route!, /^(\(none\)|[A-Za-z0-9_.:-]+)$/);
  });

  test('auth failures by reason: the data plane\'s and the admin listener\'s', async () => {
    const before = await scrape();
    assert.equal((await gw.request('/api/portfolio')).status, 401);
    assert.equal((await gw.request('/api/portfolio', { headers: bearer('not.a.token') })).status, 401);
    assert.equal((await adminRequest(gw, '/admin')).status, 401);
    const s = await until('three auth failures', (x) => valueOf(x, 'gateway_auth_failures_total') - valueOf(before, 'gateway_auth_failures_total') === 3);
    assert.equal(valueOf(s, 'gateway_auth_failures_total', { reason: 'auth.missing_credentials' }) - valueOf(before, 'gateway_auth_failures_total', { reason: 'auth.missing_credentials' }), 2);
    assert.equal(valueOf(s, 'gateway_auth_failures_total', { reason: 'auth.invalid_token' }) - valueOf(before, 'gateway_auth_failures_total', { reason: 'auth.invalid_token' }), 1);
    // Every reason is there from the start, at zero until it happens.
    assert.equal(matching(s, 'gateway_auth_failures_total', { reason: 'auth.token_revoked' }).length, 1);
  });

  test('cache outcomes per route: a miss, then a hit', async () => {
    for (const want of ['MISS', 'HIT']) assert.equal((await gw.request('/api/portfolio', { headers: bearer(alice) })).headers['x-cache'], want);
    const s = await scrape();
    assert.equal(valueOf(s, 'gateway_cache_requests_total', { route: 'portfolio', outcome: 'miss' }), 1);
    assert.equal(valueOf(s, 'gateway_cache_requests_total', { route: 'portfolio', outcome: 'hit' }), 1);
    assert.equal(valueOf(s, 'gateway_cache_requests_total', { route: 'portfolio', outcome: 'stale' }), 0);
    assert.equal(matching(s, 'gateway_cache_requests_total', { route: 'portfolio', outcome: 'bypass' }).length, 1);
  });

  test('rate-limited requests by policy', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await gw.request('/api/docs')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const s = await scrape();
    assert.equal(valueOf(s, 'gateway_rate_limited_total', { policy: 'tight' }), 1);
  });

  test('upstream errors by kind', async () => {
    await mock.arm({ kind: 'malformed', path: '/api/dashboard/broken', times: 1 });
    assert.equal((await gw.request('/api/dashboard/broken')).status, 502);
    await until('the bad response', (x) => valueOf(x, 'gateway_upstream_errors_total', { kind: 'upstream.bad_response' }) === 1);
  });

  test('open connections per listener, pool use, store and certificate', async () => {
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: gw.httpsPort, ca: gw.ca, servername: 'localhost' }, () => resolve(s));
      s.once('error', reject);
    });
    try {
      // A connection to the backend, kept alive after its answer (the bad response above broke the last one).
      assert.equal((await gw.request('/health')).status, 200);
      const s = await scrape();
      assert.ok(valueOf(s, 'gateway_open_connections', { listener: 'https' }) >= 1);
      // The scrape's own connection.
      assert.ok(valueOf(s, 'gateway_open_connections', { listener: 'admin' }) >= 1);
      assert.equal(matching(s, 'gateway_open_connections', { listener: 'http' }).length, 1);
      assert.equal(valueOf(s, 'gateway_upstream_connection_limit', { upstream: 'default' }), 64);
      assert.ok(valueOf(s, 'gateway_upstream_connections', { upstream: 'default' }) >= 1);
      assert.equal(valueOf(s, 'gateway_upstream_requests', { upstream: 'default', state: 'running' }), 0);
      assert.equal(valueOf(s, 'gateway_upstream_requests', { upstream: 'default', state: 'queued' }), 0);
      assert.equal(valueOf(s, 'gateway_store_up', { store: 'memory' }), 1);
      const notAfter = Date.parse(new X509Certificate(gw.ca).validTo) / 1000;
      assert.equal(valueOf(s, 'gateway_certificate_expiry_timestamp_seconds'), notAfter);
    } finally {
      socket.destroy();
    }
  });

  test('promtool check metrics accepts the whole exposition', async () => {
    const { code, output } = promtoolCheck(await scrapeText());
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  test('a reload (SIGHUP or POST /admin/reload) is counted, and neither resets nor duplicates a series', async () => {
    const before = await scrape();
    const health = valueOf(before, 'gateway_requests_total', { route: 'health' });
    gw.writeConfig(metricsConfig(files).replace('routes:\n', 'routes:\n  - id: added-by-reload\n    path: /api/market/prices\n    methods: [GET]\n    auth: none\n'));
    assert.equal((await gw.reload()).msg, 'config reloaded');
    const res = await adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() });
    assert.equal(res.status, 200, res.text);
    const text = await scrapeText();
    const s = parseSamples(text);
    assert.equal(valueOf(s, 'gateway_reloads_total', { result: 'success' }), 2);
    assert.equal(valueOf(s, 'gateway_config_last_reload_successful'), 1);
    assert.ok(valueOf(s, 'gateway_requests_total', { route: 'health' }) >= health, 'not reset');
    assert.equal(valueOf(s, 'gateway_cache_requests_total', { route: 'portfolio', outcome: 'hit' }), 1, 'the cache\'s counts go on');
    assert.equal(text.match(/^# HELP gateway_requests_total /gm)?.length, 1);
    assert.equal(matching(s, 'gateway_request_duration_seconds_count', { route: 'health' }).length, 1);
    assert.equal(promtoolCheck(text).code, 0);

    gw.writeConfig('routes: [}\n');
    assert.equal((await adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() })).status, 422);
    const failed = await scrape();
    assert.equal(valueOf(failed, 'gateway_reloads_total', { result: 'failure' }), 1);
    assert.equal(valueOf(failed, 'gateway_config_last_reload_successful'), 0);
    gw.writeConfig(metricsConfig(files));
    assert.equal((await adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() })).status, 200);
  });
});

describe('issue 9: the README\'s scrape job', () => {
  test('is a valid Prometheus config (promtool check config), for the Prometheus Debian ships', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const job = /```yaml\n(# prometheus\.yml\n[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(job, 'README.md has a "# prometheus.yml" block');
    const dir = tempDir('gw-prometheus-');
    const keyFile = join(dir, 'gateway-admin-key');
    writeFileSync(keyFile, 'gwk_example');
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, job.replace('/etc/prometheus/gateway-admin-key', keyFile));
    const run = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  });
});
