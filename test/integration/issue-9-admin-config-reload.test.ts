import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import selfsigned from 'selfsigned';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { adminRequest } from '../helpers/admin-client.js';
import { API_KEY_SECRET, authConfig, JWT_SECRET, makeAuthFiles, type AuthFiles } from '../helpers/auth-fixture.js';
import { freePort } from '../helpers/free-port.js';
import { BASE_CONFIG, startGateway, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { parseSamples, valueOf } from '../helpers/prometheus-text.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { spawnService } from '../helpers/spawn-service.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, admin: GET /admin/config (the running config, secrets redacted), POST /admin/reload
 * (SIGHUP's reload, answered with the diff or the errors), and `gateway reload --config FILE`
 * through the admin listener or the PID file.
 */
const REDIS_PASSWORD = 'redis-pass-Wq9-do-not-show';
const ADDED = '  - id: added-by-reload\n    path: /api/market/prices\n    methods: [GET]\n    auth: none\n';

async function adminFiles(): Promise<AuthFiles & { adminKey: string }> {
  const files = await makeAuthFiles();
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(files.keysFile, [...files.records, ops.record]);
  return { ...files, adminKey: ops.key };
}

const withListener = (yaml: string, admin: string | null) => (admin === null ? yaml
  : yaml.replace('  http: { host: 127.0.0.1, port: 0 }\n', `  http: { host: 127.0.0.1, port: 0 }\n  admin: ${admin}\n`));
const withRoute = (yaml: string) => yaml.replace('routes:\n', `routes:\n${ADDED}`);

function assertRejected(res: ClientResponse): string[] {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.headers['content-type'], 'application/problem+json');
  const body = res.json<{ code: string; errors: string[]; request_id: string }>();
  assert.equal(body.code, 'config.rejected');
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
  assert.ok(body.request_id);
  return body.errors;
}

describe('issue 9: GET /admin/config and POST /admin/reload (Redis with a password)', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let redis: RedisHandle;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let config: string;
  const asAdmin = () => ({ 'X-API-Key': files.adminKey });
  const reload = () => adminRequest(gw, '/admin/reload', { method: 'POST', headers: asAdmin() });
  const cli = (env: Record<string, string> = { GATEWAY_ADMIN_KEY: files.adminKey }) => gatewayCli(['reload', '--config', gw.configFile], { env: { UPSTREAM_URL: mock.url, ...env }, cwd: gw.dir });

  before(async () => {
    files = await adminFiles();
    redis = await startRedis(undefined, { password: REDIS_PASSWORD });
    mock = await startMock();
    // A fixed port: `gateway reload` finds the listener by what the file says.
    config = withListener(authConfig(files, { store: `store:\n  redis: { url: "${redis.url}" }\n` }), `{ port: ${await freePort()} }`);
    gw = await startGateway({ upstreamUrl: mock.url, config });
  });
  after(async () => {
    try {
      await stopAll(gw, mock);
    } finally {
      await redis.stop();
    }
  });

  test('GET /admin/config: the running config, with the JWT secret, the API key secret and the Redis password redacted', async () => {
    assert.equal((await adminRequest(gw, '/admin/config')).status, 401);
    assert.equal((await adminRequest(gw, '/admin/config', { headers: { 'X-API-Key': files.keys.trader } })).status, 403);
    const res = await adminRequest(gw, '/admin/config', { headers: asAdmin() });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    for (const secret of [JWT_SECRET, API_KEY_SECRET, REDIS_PASSWORD, encodeURIComponent(REDIS_PASSWORD)]) assert.ok(!res.text.includes(secret), 'a secret was shown');
    const body = res.json<{ store: { redis: { url: string } }; auth: { jwt: { secret: string } }; routes: { id: string }[] }>();
    assert.equal(body.store.redis.url, `redis://[redacted]@127.0.0.1:${redis.port}`);
    assert.equal(body.auth.jwt.secret, '[redacted]');
    assert.ok(body.routes.some((r) => r.id === 'portfolio'));
  });

  test('gateway_store_up follows the store: 0 while Redis does not answer, 1 once it does again', async () => {
    const storeUp = async () => valueOf(parseSamples((await adminRequest(gw, '/metrics', { headers: asAdmin() })).text), 'gateway_store_up', { store: 'redis' });
    assert.equal(await storeUp(), 1);
    redis.pause();
    try {
      assert.equal(await storeUp(), 0);
    } finally {
      redis.resume();
    }
    await waitUntil(async () => (await storeUp()) === 1, 'the store back up');
  });

  test('POST /admin/reload: the route diff; the new route answers, and /admin/config shows it', async () => {
    assert.equal((await gw.request('/api/market/prices')).status, 404);
    gw.writeConfig(withRoute(config));
    const res = await reload();
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { reloaded: { routesAdded: ['added-by-reload'], routesRemoved: [], routesChanged: [], sectionsChanged: [], restartNeeded: [] } });
    assert.equal((await gw.request('/api/market/prices')).status, 200);
    const shown = (await adminRequest(gw, '/admin/config', { headers: asAdmin() })).json<{ routes: { id: string }[] }>();
    assert.ok(shown.routes.some((r) => r.id === 'added-by-reload'));
    // Who asked, in the log, beside the reload's own line.
    await waitUntil(() => gw.logs().some((l) => l.kind === 'admin' && l.event === 'reload' && l.by === 'ops'), 'the admin line');
  });

  test('a section that needs a restart is named; the rest applies', async () => {
    gw.writeConfig(`${withRoute(config)}limits:\n  maxHeaders: 90\n`);
    const res = await reload();
    assert.equal(res.status, 200, res.text);
    const { reloaded } = res.json<{ reloaded: { sectionsChanged: string[]; restartNeeded: string[] } }>();
    assert.deepEqual(reloaded.sectionsChanged, ['limits']);
    assert.deepEqual(reloaded.restartNeeded, ['limits']);
  });

  test('a file that does not load: 422 with every error as `gateway check` prints it; the running config stays', async () => {
    gw.writeConfig(config.replace('  - id: portfolio\n', '  - id: portfolio\n    bodyLimit: lots\n'));
    const errors = assertRejected(await reload());
    assert.ok(errors.some((e) => /gateway\.yaml:\d+:\d+ routes\[\d+\]\.bodyLimit: /.test(e)), errors.join('\n'));
    // Still the last good config: the route a rejected file removes keeps answering.
    assert.equal((await gw.request('/api/market/prices')).status, 200);
  });

  test('a file that loads but does not build (its users file is gone): 422 naming why', async () => {
    gw.writeConfig(withRoute(config).replace(files.usersFile, join(files.dir, 'gone.yaml')));
    const errors = assertRejected(await reload());
    assert.match(errors.join('\n'), /gone\.yaml/);
    assert.equal((await gw.request('/api/market/prices')).status, 200);
  });

  test('the rejected answer never carries a secret value', async () => {
    gw.writeConfig(config.replace(`secret: "${JWT_SECRET}"`, 'secret: "tooshort-JWTSECRET"'));
    const res = await reload();
    assertRejected(res);
    assert.ok(!res.text.includes('tooshort-JWTSECRET'));
  });

  test('only POST, only for the admin role: nothing is reloaded otherwise', async () => {
    gw.writeConfig(config);
    const get = await adminRequest(gw, '/admin/reload', { headers: asAdmin() });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await adminRequest(gw, '/admin/reload', { method: 'POST', headers: { 'X-API-Key': files.keys.trader } })).status, 403);
    assert.equal((await gw.request('/api/market/prices')).status, 200, 'the file without the route was not applied');
  });

  test('gateway reload --config FILE: through the admin listener, with the key from GATEWAY_ADMIN_KEY', async () => {
    gw.writeConfig(config);
    const out = await cli();
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'reloaded; routes removed: added-by-reload; sections changed: limits; restart needed for: limits\n');
    assert.equal((await gw.request('/api/market/prices')).status, 404);
  });

  test('gateway reload: the gateway\'s errors on stderr, exit 1', async () => {
    gw.writeConfig(withRoute(config).replace(files.usersFile, join(files.dir, 'gone.yaml')));
    const out = await cli();
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^gateway reload: config rejected; the running config stays\n.*gone\.yaml/s);
    gw.writeConfig(config);
  });

  test('gateway reload: a file that does not load is reported without asking the gateway', async () => {
    gw.writeConfig('routes: [}\n');
    const out = await cli();
    assert.equal(out.code, 1);
    assert.match(out.stderr, /is not valid, nothing was asked/);
    gw.writeConfig(config);
  });

  test('gateway reload: no key is a usage error; a key without the admin role, the listener\'s 403', async () => {
    const none = await cli({});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /GATEWAY_ADMIN_KEY/);
    const wrong = await cli({ GATEWAY_ADMIN_KEY: files.keys.trader });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /answered 403 auth\.forbidden/);
  });
});

describe('issue 9: gateway reload with an admin listener on TLS', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    files = await adminFiles();
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: withListener(authConfig(files), `{ port: ${await freePort()}, tls: true }`) });
  });
  after(() => stopAll(gw, mock));

  test('trusts the gateway\'s own certificate (the self-signed one in certDir) and reloads', async () => {
    gw.writeConfig(withRoute(withListener(authConfig(files), `{ port: ${gw.adminPort}, tls: true }`)));
    const out = await gatewayCli(['reload', '--config', gw.configFile], { env: { UPSTREAM_URL: mock.url, GATEWAY_ADMIN_KEY: files.adminKey }, cwd: gw.dir });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'reloaded; routes added: added-by-reload\n');
  });

  test('refuses a listener that presents another certificate than the one FILE names', async () => {
    const certFile = join(gw.dir, 'certs', 'self-signed-cert.pem');
    const served = readFileSync(certFile, 'utf8');
    const other = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec', algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    try {
      writeFileSync(certFile, other.cert);
      const out = await gatewayCli(['reload', '--config', gw.configFile], { env: { UPSTREAM_URL: mock.url, GATEWAY_ADMIN_KEY: files.adminKey }, cwd: gw.dir });
      assert.equal(out.code, 1);
      assert.match(out.stderr, /no answer from the admin listener at https:\/\/127\.0\.0\.1:\d+ \(self-signed certificate/);
    } finally {
      writeFileSync(certFile, served);
    }
  });
});

describe('issue 9: gateway reload by PID file (no admin listener)', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: `pidFile: gateway.pid\n${BASE_CONFIG}` });
  });
  after(() => stopAll(gw, mock));
  const cli = () => gatewayCli(['reload', '--config', gw.configFile], { env: { UPSTREAM_URL: mock.url }, cwd: gw.dir });

  test('serve writes its PID there; reload sends it SIGHUP, and the gateway reloads', async () => {
    assert.equal(readFileSync(join(gw.dir, 'gateway.pid'), 'utf8'), `${gw.service.pid}\n`);
    gw.writeConfig(`pidFile: gateway.pid\n${withRoute(BASE_CONFIG)}`);
    const out = await cli();
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`^sent SIGHUP to PID ${gw.service.pid};`));
    await waitUntil(() => gw.logs().some((l) => l.msg === 'config reloaded'), 'the reload');
    assert.equal((await gw.request('/api/market/prices')).status, 200);
  });

  test('a PID file naming a process that is not a gateway: nothing is signalled', async () => {
    const pidFile = join(gw.dir, 'gateway.pid');
    const sleeper = spawnService('sleep', ['30']);
    try {
      writeFileSync(pidFile, `${sleeper.pid}\n`);
      const out = await cli();
      assert.equal(out.code, 1);
      assert.match(out.stderr, /not a running gateway/);
      assert.equal(sleeper.child.exitCode, null, 'the other process still runs');
    } finally {
      writeFileSync(pidFile, `${gw.service.pid}\n`);
      await sleeper.stop();
    }
  });

  test('neither an admin listener nor a pidFile: a usage error that says what to add', async () => {
    const dir = gw.dir;
    const file = join(dir, 'plain.yaml');
    writeFileSync(file, BASE_CONFIG);
    const out = await gatewayCli(['reload', '--config', file], { env: { UPSTREAM_URL: mock.url }, cwd: dir });
    assert.equal(out.code, 2);
    assert.match(out.stderr, /has neither listeners\.admin .* nor pidFile/);
  });

  test('the PID file goes when the gateway stops', async () => {
    const pidFile = join(gw.dir, 'gateway.pid');
    assert.ok(existsSync(pidFile));
    await gw.service.stop();
    assert.ok(!existsSync(pidFile));
  });
});
