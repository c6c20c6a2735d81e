import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import selfsigned from 'selfsigned';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { adminRequest } from '../helpers/admin-client.js';
import { API_KEY_SECRET, authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { BASE_CONFIG, startGateway, startMockAndGateway, statusOf, stopAll, type ClientResponse, type GatewayHandle } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { isPortFree } from '../helpers/free-port.js';
import { plainTcp, silentTcp } from '../helpers/plain-tcp.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 8, admin listener: a separate listener (loopback by default, TLS optional) where every
 * request is authenticated with the admin role before anything is routed.
 */
const HTTP_LISTENER = '  http: { host: 127.0.0.1, port: 0 }\n';
const withAdmin = (yaml: string, admin = '{ port: 0 }') => {
  assert.ok(yaml.includes(HTTP_LISTENER));
  return yaml.replace(HTTP_LISTENER, `${HTTP_LISTENER}  admin: ${admin}\n`);
};

/** The fixture's users and keys, plus an API key "ops" with the admin role. */
async function adminFiles(): Promise<AuthFiles & { adminKey: string }> {
  const files = await makeAuthFiles();
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(files.keysFile, [...files.records, ops.record]);
  return { ...files, adminKey: ops.key };
}

function assertProblem(res: ClientResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], 'application/problem+json');
  const body = res.json();
  assert.equal(body.code, code);
  return body;
}

/** Our security headers and no-store, on every admin answer; no HSTS over plain HTTP (RFC 6797 7.2). */
function assertAdminHeaders(res: ClientResponse, tls: boolean): void {
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.ok(res.headers['content-security-policy'], 'a content security policy');
  assert.ok(res.headers['x-frame-options'], 'frame options');
  assert.ok(res.headers['x-request-id'], 'a request id');
  assert.equal(res.headers['strict-transport-security'] !== undefined, tls);
  assert.equal(res.headers['x-powered-by'], undefined);
}

async function accessLine(gw: GatewayHandle, requestId: string): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await waitUntil(() => (line = gw.logs().find((l) => l.kind === 'access' && l.request_id === requestId)) !== undefined, `access line ${requestId}`);
  return line!;
}

describe('issue 8: the admin listener (plain HTTP, loopback by default)', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  const asAdmin = { 'X-API-Key': '' };
  before(async () => {
    files = await adminFiles();
    asAdmin['X-API-Key'] = files.adminKey;
    ({ mock, gw } = await startMockAndGateway({ config: `${withAdmin(authConfig(files))}limits:\n  headersTimeout: 1s\n` }));
  });
  after(() => stopAll(gw, mock));

  test('listens on a port of its own, on 127.0.0.1 when no host is given', () => {
    const line = gw.logs().find((l) => l.msg === 'gateway listening')!;
    assert.equal(line.admin, `http://127.0.0.1:${gw.adminPort}`);
    assert.notEqual(gw.adminPort, gw.httpsPort);
  });

  test('no credentials: 401 problem+json with a Bearer challenge, our headers and no-store', async () => {
    const res = await adminRequest(gw, '/admin');
    assertProblem(res, 401, 'auth.missing_credentials');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="gateway"');
    assertAdminHeaders(res, false);
  });

  test('an unknown API key: 401', async () => {
    const res = await adminRequest(gw, '/admin', { headers: { 'X-API-Key': `${files.adminKey.slice(0, -4)}AAAA` } });
    assertProblem(res, 401, 'auth.invalid_api_key');
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
  });

  test('a valid API key without the admin role: 403', async () => {
    const res = await adminRequest(gw, '/admin', { headers: { 'X-API-Key': files.keys.trader } });
    assertProblem(res, 403, 'auth.forbidden');
    assert.match(String(res.headers['www-authenticate']), /insufficient_scope/);
  });

  test('an admin API key: 200, the index of endpoints, with our headers and no-store', async () => {
    const res = await adminRequest(gw, '/admin', { headers: asAdmin });
    assert.equal(res.status, 200, res.text);
    assertAdminHeaders(res, false);
    const { endpoints } = res.json<{ endpoints: { method: string; path: string; group: string }[] }>();
    const listed = endpoints.map((e) => `${e.method} ${e.path}`);
    assert.deepEqual(listed, ['GET /admin', 'GET /metrics', 'GET /admin/config', 'POST /admin/reload', 'POST /admin/cache/purge', 'GET /admin/cache/stats', 'POST /admin/acme/renew']);
  });

  test('a token of a user with the admin role (logged in on the main listener): 200; a viewer\'s token: 403', async () => {
    const root = await tokensFor(gw, 'root');
    assert.equal((await adminRequest(gw, '/admin', { headers: bearer(root.access_token) })).status, 200);
    const bob = await tokensFor(gw, 'bob');
    assertProblem(await adminRequest(gw, '/admin', { headers: bearer(bob.access_token) }), 403, 'auth.forbidden');
  });

  test('an unknown path: 401 without credentials (nothing is routed before the caller is known), 404 with them', async () => {
    const anonymous = await adminRequest(gw, '/admin/nothing-here');
    assertProblem(anonymous, 401, 'auth.missing_credentials');
    const known = await adminRequest(gw, '/admin/nothing-here', { headers: asAdmin });
    assertProblem(known, 404, 'route.not_found');
    assertAdminHeaders(known, false);
    // Exact paths: no case folding, no trailing slash.
    assertProblem(await adminRequest(gw, '/ADMIN', { headers: asAdmin }), 404, 'route.not_found');
    assertProblem(await adminRequest(gw, '/admin/', { headers: asAdmin }), 404, 'route.not_found');
  });

  test('another method on a known path: 405 with Allow', async () => {
    const res = await adminRequest(gw, '/admin/cache/purge', { headers: asAdmin });
    assertProblem(res, 405, 'route.method_not_allowed');
    assert.equal(res.headers.allow, 'POST');
    assert.equal((await adminRequest(gw, '/admin', { method: 'DELETE', headers: asAdmin })).headers.allow, 'GET, HEAD');
  });

  test('credentials in the query are refused as on the main listener', async () => {
    assertProblem(await adminRequest(gw, `/admin?api_key=${files.adminKey}`), 401, 'auth.credentials_in_query');
  });

  test('the main listener does not serve the admin endpoints', async () => {
    const res = await gw.request('/admin', { headers: asAdmin });
    assertProblem(res, 404, 'route.not_found');
  });

  describe('cache endpoints: requests checked, then 404 while no route caches', () => {
    const purge = (body: string, contentType = 'application/json') => adminRequest(gw, '/admin/cache/purge', {
      method: 'POST', headers: { ...asAdmin, 'content-type': contentType }, body,
    });
    for (const [why, body, says] of [
      ['not JSON', '{"tags": [', /not valid/],
      ['an empty object', '{}', /exactly one of/],
      ['two forms at once', '{"tags": ["a"], "all": true}', /got tags and all/],
      ['an unknown key', '{"tag": ["a"]}', /unknown key "tag"/],
      ['tags not a list', '{"tags": "portfolio"}', /"tags" must be a non-empty list/],
      ['an empty tag list', '{"tags": []}', /"tags" must be a non-empty list/],
      ['all: false', '{"all": false}', /"all" must be true/],
      ['a path with an encoded slash', '{"path": "/api/a%2Fb"}', /"path": /],
      ['a path with a query', '{"path": "/api/portfolio?x=1"}', /takes no query string/],
      ['a principal without path', '{"all": true, "principal": {"id": "alice", "method": "jwt"}}', /"principal" goes with "path" only/],
      ['a principal with a bad method', '{"path": "/api/portfolio", "principal": {"id": "alice", "method": "password"}}', /"principal.method"/],
    ] as const) {
      test(`400 for ${why}`, async () => {
        const problem = assertProblem(await purge(body), 400, 'request.malformed');
        assert.match(String(problem.detail), says);
      });
    }

    test('400 for a body that is not application/json', async () => {
      const body = assertProblem(await purge('tags=a', 'application/x-www-form-urlencoded'), 400, 'request.malformed');
      assert.match(String(body.detail), /expected a JSON object/);
    });

    test('413 for a body over 16 KiB', async () => {
      assertProblem(await purge(JSON.stringify({ tags: ['x'.repeat(20_000)] })), 413, 'request.body_too_large');
    });

    test('valid bodies: 404 "no route caches"; stats too', async () => {
      for (const body of ['{"tags": ["portfolio:alice"]}', '{"path": "/api/portfolio", "principal": {"id": "alice", "method": "jwt"}}', '{"all": true}']) {
        const problem = assertProblem(await purge(body), 404, 'route.not_found');
        assert.match(String(problem.detail), /no route caches/);
      }
      assertProblem(await adminRequest(gw, '/admin/cache/stats', { headers: asAdmin }), 404, 'route.not_found');
    });

    test('without the admin role the body is never looked at: 403', async () => {
      const res = await adminRequest(gw, '/admin/cache/purge', { method: 'POST', headers: { 'X-API-Key': files.keys.trader, 'content-type': 'application/json' }, body: '{' });
      assertProblem(res, 403, 'auth.forbidden');
    });
  });

  test('one access-log line per request, marked listener "admin", with no credential in the log', async () => {
    const res = await adminRequest(gw, '/admin', { headers: { ...asAdmin, 'X-Request-Id': 'issue-8-admin-log' } });
    assert.equal(res.headers['x-request-id'], 'issue-8-admin-log');
    const line = await accessLine(gw, 'issue-8-admin-log');
    assert.equal(line.listener, 'admin');
    assert.equal(line.route, 'gateway.admin');
    assert.equal(line.status, 200);
    assert.equal(line.path, '/admin');
    assert.equal(gw.logs().filter((l) => l.request_id === 'issue-8-admin-log' && l.kind === 'access').length, 1);
    // The whole secret part: base64url may hold '_' itself, and a short piece of it would match any log line.
    const secret = files.adminKey.split('_').slice(2).join('_');
    assert.ok(!gw.service.lines.some((l) => l.includes(secret)), 'the admin key never reaches the log');
  });

  test('bytes that are not HTTP: 400 problem+json with our headers, logged', async () => {
    const raw = await plainTcp(gw.adminPort!, 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(statusOf(raw), 400);
    assert.match(raw, /content-type: application\/problem\+json/i);
    assert.match(raw, /x-content-type-options: nosniff/i);
    assert.doesNotMatch(raw, /strict-transport-security/i);
    const id = /^x-request-id: (\S+)$/im.exec(raw)?.[1];
    assert.ok(id);
    const line = await accessLine(gw, id);
    assert.equal(line.listener, 'admin');
    assert.equal(line.reason, 'request.malformed');
  });

  test('a connection that sends nothing is closed by the headers timeout', async () => {
    const { closed } = await silentTcp(gw.adminPort!);
    // Without the limit this waits for ever. Node's timer starts at the connection on plain HTTP
    // (measured): the answer is the 408 a slow request head gets.
    const answer = (await closed).toString('latin1');
    assert.equal(statusOf(answer), 408, answer);
    assert.match(answer, /"code":"request.timeout"/);
  });

  test('a reload that takes the admin key away: 401 from the next request', async () => {
    assert.equal((await adminRequest(gw, '/admin', { headers: asAdmin })).status, 200);
    const withoutOps = join(files.dir, 'keys-without-ops.yaml');
    writeKeysFile(withoutOps, files.records);
    gw.writeConfig(`${withAdmin(authConfig(files)).replace(files.keysFile, withoutOps)}limits:\n  headersTimeout: 1s\n`);
    const reloaded = await gw.reload();
    assert.equal(reloaded.msg, 'config reloaded');
    assertProblem(await adminRequest(gw, '/admin', { headers: asAdmin }), 401, 'auth.invalid_api_key');
    // The new key file's keys work there at once: a root token still does.
    const root = await tokensFor(gw, 'root');
    assert.equal((await adminRequest(gw, '/admin', { headers: bearer(root.access_token) })).status, 200);
  });

  test('a reload that removes listeners.admin: the listener refuses everyone until the restart that closes it', async () => {
    gw.writeConfig(`${authConfig(files)}limits:\n  headersTimeout: 1s\n`);
    const reloaded = await gw.reload();
    assert.deepEqual(reloaded.restart_needed_for, ['listeners']);
    const root = await tokensFor(gw, 'root');
    const res = await adminRequest(gw, '/admin', { headers: bearer(root.access_token) });
    assert.match(String(assertProblem(res, 404, 'route.not_found').detail), /no admin listener/);
    assert.equal(res.headers['strict-transport-security'], undefined);
    gw.writeConfig(`${withAdmin(authConfig(files))}limits:\n  headersTimeout: 1s\n`);
    await gw.reload();
    assert.equal((await adminRequest(gw, '/admin', { headers: bearer(root.access_token) })).status, 200);
  });

  test('shutdown closes the admin listener, idle keep-alive connections included', async () => {
    const port = gw.adminPort!;
    const { socket, closed } = await silentTcp(port);
    socket.write(`GET /admin HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${files.adminKey}\r\n\r\n`);
    await waitUntil(() => socket.bytesRead > 0, 'the answer on a keep-alive connection');
    await gw.stop();
    await closed;
    assert.ok(await isPortFree(port), 'nothing listens on the admin port any more');
  });
});

describe('issue 8: the admin listener with tls: true', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let certDir: string;
  let certs: { cert: string; private: string }[];
  const tlsConfig = () => `${withAdmin(authConfig(files), '{ port: 0, tls: true }')
    .replace('tls:\n  mode: self-signed', `tls:\n  mode: files\n  cert: ${certDir}/cert.pem\n  key: ${certDir}/key.pem\n  watchInterval: 100ms`)}limits:\n  handshakeTimeout: 1s\n`;
  before(async () => {
    files = await adminFiles();
    certDir = tempDir('gw-admin-certs-');
    const make = (cn: string) => selfsigned.generate([{ name: 'commonName', value: cn }], {
      keyType: 'ec', algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    certs = await Promise.all([make('cert-a'), make('cert-b')]);
    writeFileSync(join(certDir, 'cert.pem'), certs[0]!.cert);
    writeFileSync(join(certDir, 'key.pem'), certs[0]!.private);
    const gwDir = tempDir('gw-admin-tls-');
    // The helper trusts certs/self-signed-cert.pem: cert A, the one served first.
    mkdirSync(join(gwDir, 'certs'));
    writeFileSync(join(gwDir, 'certs', 'self-signed-cert.pem'), certs[0]!.cert);
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, dir: gwDir, config: tlsConfig() });
  });
  after(() => stopAll(gw, mock));

  test('serves the gateway\'s certificate (trusted as the HTTPS listener\'s), HSTS included', async () => {
    assert.equal((gw.logs().find((l) => l.msg === 'gateway listening')!).admin, `https://127.0.0.1:${gw.adminPort}`);
    assert.equal(await peerFingerprint(gw.adminPort!), await peerFingerprint(gw.httpsPort));
    const res = await adminRequest(gw, '/admin', { tls: true, headers: { 'X-API-Key': files.adminKey } });
    assert.equal(res.status, 200);
    assertAdminHeaders(res, true);
    assertProblem(await adminRequest(gw, '/admin', { tls: true }), 401, 'auth.missing_credentials');
  });

  test('a connection that never sends a ClientHello is closed by the handshake timeout, unanswered', async () => {
    const { closed } = await silentTcp(gw.adminPort!);
    assert.equal((await closed).length, 0);
  });

  test('follows the certificate\'s hot swap with the HTTPS listener', async () => {
    writeFileSync(join(certDir, 'key.pem'), certs[1]!.private);
    writeFileSync(join(certDir, 'cert.pem'), certs[1]!.cert);
    await waitUntil(async () => (await peerCommonName(gw.adminPort!)) === 'cert-b', 'the admin listener serves cert B');
    assert.equal(await peerCommonName(gw.httpsPort), 'cert-b');
  });
});

describe('issue 8: the admin listener spends the per-address unauthenticated budget', () => {
  let files: Awaited<ReturnType<typeof adminFiles>>;
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => {
    files = await adminFiles();
    ({ mock, gw } = await startMockAndGateway({ config: `${withAdmin(authConfig(files))}rateLimits:\n  unauthenticated: { points: 3, duration: 1m }\n` }));
  });
  after(() => stopAll(gw, mock));

  test('guessing keys is cut off at the budget: 429 with Retry-After, even for the right key then', async () => {
    for (let i = 0; i < 3; i++) {
      assertProblem(await adminRequest(gw, '/admin', { headers: { 'X-API-Key': `gwk_guess${i}` } }), 401, 'auth.invalid_api_key');
    }
    const refused = await adminRequest(gw, '/admin', { headers: { 'X-API-Key': files.adminKey } });
    assertProblem(refused, 429, 'ratelimit.exceeded');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
  });
});

describe('issue 8: gateway check and the admin listener', () => {
  const check = (yaml: string) => {
    const dir = tempDir('gw-admin-check-');
    writeFileSync(join(dir, 'gateway.yaml'), yaml);
    return gatewayCli(['check', '--config', 'gateway.yaml'], { env: { UPSTREAM_URL: 'http://127.0.0.1:1' }, cwd: dir });
  };

  test('an admin listener without an auth section is refused: it could authenticate no one', async () => {
    const out = await check(withAdmin(BASE_CONFIG));
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stderr, /^gateway\.yaml:\d+:\d+ listeners\.admin: the admin listener admits only callers with the "admin" role: it needs the top-level "auth" section/m);
  });

  test('a valid one is named in the summary; on a non-loopback address with a warning', async () => {
    const files = await makeAuthFiles();
    const loopback = await check(withAdmin(authConfig(files), '{ port: 9090 }'));
    assert.equal(loopback.code, 0, loopback.stderr);
    assert.match(loopback.stdout, /; admin listener on http:\/\/127\.0\.0\.1:9090 \(role admin\)\)\n$/);
    assert.equal(loopback.stderr, '');
    const exposed = await check(withAdmin(authConfig(files), '{ host: 0.0.0.0, port: 9090, tls: true }'));
    assert.equal(exposed.code, 0, exposed.stderr);
    assert.match(exposed.stdout, /admin listener on https:\/\/0\.0\.0\.0:9090/);
    assert.match(exposed.stderr, /^gateway check: warning: listeners\.admin\.host: 0\.0\.0\.0 is not a loopback address/m);
  });
});

function peerFingerprint(port: number): Promise<string> {
  return peer(port, (c) => c.fingerprint256);
}

function peerCommonName(port: number): Promise<string> {
  return peer(port, (c) => String(c.subject.CN));
}

function peer(port: number, pick: (cert: import('node:tls').PeerCertificate) => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(pick(socket.getPeerCertificate()));
      socket.end();
    });
    socket.on('error', reject);
  });
}
