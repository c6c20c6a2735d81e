import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { readKeysFile, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { authConfig, bearer, JWT_SECRET, login, makeAuthFiles, PASSWORDS, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

const secret = new TextEncoder().encode(JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** A token shaped like the gateway's own, with any field overridden. */
function forge(o: { alg?: string; key?: Uint8Array | import('node:crypto').KeyObject; typ?: string; iss?: string; aud?: string; iat?: number; nbf?: number; exp?: number | null; sub?: string; roles?: string[] } = {}) {
  const iat = o.iat ?? now();
  const jwt = new SignJWT({ roles: o.roles ?? ['trader', 'admin'], fam: 'forged-family' })
    .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: o.typ ?? 'at+jwt' })
    .setSubject(o.sub ?? 'alice').setIssuer(o.iss ?? 'security-gateway').setAudience(o.aud ?? 'trading-api')
    .setJti(`forged-${Math.random()}`).setIssuedAt(iat).setNotBefore(o.nbf ?? iat);
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? iat + 300);
  return jwt.sign(o.key ?? secret);
}

describe('authentication', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let files: AuthFiles;
  before(async () => {
    files = await makeAuthFiles();
    ({ mock, gw } = await startMockAndGateway({ config: authConfig(files) }));
  });
  after(() => stopAll(gw, mock));

  test('login with JSON and with a form both give a token pair that opens a protected route', async () => {
    for (const form of [false, true]) {
      const res = await login(gw, 'alice', PASSWORDS.alice, form);
      assert.equal(res.status, 200, res.text);
      const body = res.json<{ access_token: string; refresh_token: string; token_type: string; expires_in: number }>();
      assert.equal(body.token_type, 'bearer');
      assert.equal(body.expires_in, 300);
      assert.equal(res.headers['cache-control'], 'no-store');
      const portfolio = await gw.request('/api/portfolio', { headers: bearer(body.access_token) });
      assert.equal(portfolio.status, 200);
      assert.equal(portfolio.json<{ user: string }>().user, 'alice');
    }
  });

  test('a wrong password and an unknown user get the same 401 body', async () => {
    const wrong = await login(gw, 'bob', 'not-the-password');
    const unknown = await login(gw, 'nobody-at-all', 'not-the-password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const strip = (t: string) => ({ ...(JSON.parse(t) as Record<string, unknown>), request_id: undefined });
    assert.deepEqual(strip(wrong.text), strip(unknown.text));
    assert.equal(wrong.headers['www-authenticate'], unknown.headers['www-authenticate']);
  });

  test('brute force: failures per username+IP give 429 with Retry-After; a success resets the count', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await login(gw, 'carol', 'wrong')).status, 401);
    assert.equal((await login(gw, 'carol', PASSWORDS.carol)).status, 200, 'success before the limit');
    for (let i = 0; i < 3; i++) assert.equal((await login(gw, 'carol', 'wrong')).status, 401);
    const blocked = await login(gw, 'carol', PASSWORDS.carol);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.json<{ code: string }>().code, 'auth.too_many_attempts');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
  });

  test('the backend gets the verified identity; spoofed identity headers and the token never reach it', async () => {
    const { access_token } = await tokensFor(gw, 'alice');
    await gw.request('/api/portfolio', { headers: { ...bearer(access_token), 'X-User-Id': 'root', 'X-User-Roles': 'admin', 'X-Auth-Method': 'api-key', X_User_Id: 'root' } });
    const seen = await mock.last('/api/portfolio');
    const pairs = new Map<string, string[]>();
    for (let i = 0; i < seen!.rawHeaders.length; i += 2) {
      const name = seen!.rawHeaders[i]!.toLowerCase();
      pairs.set(name, [...(pairs.get(name) ?? []), seen!.rawHeaders[i + 1]!]);
    }
    assert.deepEqual(pairs.get('x-user-id'), ['alice']);
    assert.deepEqual(pairs.get('x-user-roles'), ['trader']);
    assert.deepEqual(pairs.get('x-auth-method'), ['jwt']);
    assert.equal(pairs.get('authorization'), undefined, 'Authorization is not forwarded unless the route says so');
    assert.equal(pairs.get('x_user_id'), undefined);
  });

  test('a route with forwardAuthorization passes the bearer token on', async () => {
    const { access_token } = await tokensFor(gw, 'alice');
    await gw.request('/api/dashboard/trading', { headers: bearer(access_token) });
    const seen = await mock.last('/api/dashboard/trading');
    assert.equal(seen!.rawHeaders[seen!.rawHeaders.indexOf('authorization') + 1], `Bearer ${access_token}`);
  });

  test('no credentials: 401 with a bare Bearer challenge; a role the caller lacks: 403', async () => {
    const none = await gw.request('/api/portfolio');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="gateway"');
    const { access_token } = await tokensFor(gw, 'bob'); // viewer
    const forbidden = await gw.request('/api/trading/orders', { headers: bearer(access_token) });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json<{ code: string }>().code, 'auth.forbidden');
    assert.match(String(forbidden.headers['www-authenticate']), /error="insufficient_scope"/);
    const allowed = await gw.request('/api/dashboard/risk', { headers: bearer(access_token) });
    assert.equal(allowed.status, 200);
  });

  const rejected: [string, () => Promise<string>, RegExp][] = [
    ['alg none', async () => new UnsecuredJWT({ roles: ['admin'] }).setSubject('alice').setIssuer('security-gateway').setAudience('trading-api').setIssuedAt().setExpirationTime('5m').setJti('x').encode(), /malformed token|algorithm/],
    ['HS256 signed with another secret', () => forge({ key: new TextEncoder().encode('another-secret-of-enough-length-0123456789') }), /bad signature/],
    ['HS512 with the right secret', () => forge({ alg: 'HS512' }), /algorithm not allowed/],
    ['expired', () => forge({ iat: now() - 3600, exp: now() - 600 }), /expired/],
    ['nbf in the future', () => forge({ nbf: now() + 600 }), /not valid yet/],
    ['iat in the future', () => forge({ iat: now() + 3600, exp: now() + 7200 }), /issued in the future|not valid yet|iat/],
    ['no exp', () => forge({ exp: null }), /invalid exp claim|missing/],
    ['wrong issuer', () => forge({ iss: 'someone-else' }), /wrong issuer/],
    ['wrong audience', () => forge({ aud: 'another-api' }), /wrong audience/],
    ['a refresh token used as an access token', async () => (await tokensFor(gw, 'alice')).refresh_token, /wrong token type|audience/],
    ['tampered payload', async () => {
      const [h, , s] = (await tokensFor(gw, 'bob')).access_token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt((await tokensFor(gw, 'bob')).access_token), roles: ['admin'], sub: 'root' })).toString('base64url');
      return `${h}.${payload}.${s}`;
    }, /bad signature/],
  ];
  for (const [name, make, description] of rejected) {
    test(`rejected: ${name}`, async () => {
      const res = await gw.request('/api/portfolio', { headers: bearer(await make()) });
      assert.equal(res.status, 401, res.text);
      const challenge = String(res.headers['www-authenticate']);
      assert.match(challenge, /error="invalid_token"/);
      assert.match(challenge, description);
    });
  }

  test('rejected: a token whose header claims RS256, and one keyed with an RSA public key as HMAC secret', async () => {
    // An HS256 gateway has no public key a header could select; asymmetric algorithms are simply
    // not allowed. (An RS256 gateway refusing HS256 keyed with its own public key: auth-keys.test.)
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = await forge({ alg: 'RS256', key: privateKey });
    const rsRes = await gw.request('/api/portfolio', { headers: bearer(rs) });
    assert.equal(rsRes.status, 401);
    assert.match(String(rsRes.headers['www-authenticate']), /algorithm not allowed/);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const pemKeyed = await forge({ key: new TextEncoder().encode(pem) });
    const pemRes = await gw.request('/api/portfolio', { headers: bearer(pemKeyed) });
    assert.equal(pemRes.status, 401);
    assert.match(String(pemRes.headers['www-authenticate']), /bad signature/);
  });

  test('refresh rotates: the new pair works, the old refresh token is spent, and reuse revokes the family', async () => {
    const first = await tokensFor(gw, 'alice');
    const refresh = (token: string) => gw.request('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
    const r1 = await refresh(first.refresh_token);
    assert.equal(r1.status, 200);
    const second = r1.json<{ access_token: string; refresh_token: string }>();
    assert.notEqual(second.refresh_token, first.refresh_token);
    // A retry inside the grace window (a lost response) gets the same pair, not a theft verdict.
    const retry = await refresh(first.refresh_token);
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.json(), second);
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(second.access_token) })).status, 200);

    await new Promise((r) => setTimeout(r, 2200)); // past refreshGrace
    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.json<{ code: string }>().code, 'auth.refresh_reused');
    // The whole family is gone: the access and refresh tokens the thief or the owner hold.
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(second.access_token) })).status, 401);
    assert.equal((await refresh(second.refresh_token)).status, 401);
    // Another login (another family) is unaffected.
    const other = await tokensFor(gw, 'alice');
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(other.access_token) })).status, 200);
  });

  test('logout revokes the access token and the session', async () => {
    const pair = await tokensFor(gw, 'bob');
    const out = await gw.request('/api/auth/logout', { method: 'POST', headers: { ...bearer(pair.access_token), 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: pair.refresh_token }) });
    assert.equal(out.status, 204);
    const after = await gw.request('/api/dashboard/risk', { headers: bearer(pair.access_token) });
    assert.equal(after.status, 401);
    assert.equal(after.json<{ code: string }>().code, 'auth.token_revoked');
    const refresh = await gw.request('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: pair.refresh_token }) });
    assert.equal(refresh.status, 401);
  });

  test('/api/auth/me describes the caller; admins revoke all of a user\'s tokens at once', async () => {
    const alice = await tokensFor(gw, 'alice');
    const me = await gw.request('/api/auth/me', { headers: bearer(alice.access_token) });
    assert.deepEqual({ ...me.json<Record<string, unknown>>(), token_expires_at: undefined }, { id: 'alice', roles: ['trader'], auth_method: 'jwt', token_expires_at: undefined });
    const bob = await tokensFor(gw, 'bob');
    const notAdmin = await gw.request('/api/auth/revoke', { method: 'POST', headers: { ...bearer(bob.access_token), 'content-type': 'application/json' }, body: '{"user":"alice"}' });
    assert.equal(notAdmin.status, 403);
    const root = await tokensFor(gw, 'root');
    const revoked = await gw.request('/api/auth/revoke', { method: 'POST', headers: { ...bearer(root.access_token), 'content-type': 'application/json' }, body: '{"user":"alice"}' });
    assert.equal(revoked.status, 204);
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(alice.access_token) })).status, 401);
    assert.equal((await gw.request('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: alice.refresh_token }) })).status, 401);
    await new Promise((r) => setTimeout(r, 1100)); // the cut-off has one-second resolution
    const fresh = await tokensFor(gw, 'alice');
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(fresh.access_token) })).status, 200);
  });

  test('API keys: a valid key works; expired, unknown, revoked and query-string keys are refused', async () => {
    const ok = await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.trader } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ user: string }>().user, 'trading-bot');
    const seen = await mock.last('/api/portfolio');
    assert.ok(!seen!.rawHeaders.map((h) => h.toLowerCase()).includes('x-api-key'), 'the key is not forwarded');
    assert.equal((await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.expired } })).status, 401);
    assert.equal((await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.trader.slice(0, -2) + 'xx' } })).status, 401);
    assert.equal((await gw.request('/api/portfolio', { headers: { 'X-API-Key': 'not-a-key' } })).status, 401);
    const inQuery = await gw.request(`/api/portfolio?api_key=${files.keys.trader}`);
    assert.equal(inQuery.status, 401);
    assert.equal(inQuery.json<{ code: string }>().code, 'auth.credentials_in_query');
    // A route that takes JWTs only refuses a key.
    assert.equal((await gw.request('/api/dashboard/overview', { headers: { 'X-API-Key': files.keys.trader } })).status, 401);

    assert.equal((await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.revokedLater } })).status, 200);
    writeKeysFile(files.keysFile, readKeysFile(files.keysFile).filter((k) => k.name !== 'temp-bot'));
    let status = 200;
    for (let i = 0; i < 30 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.revokedLater } })).status;
    }
    assert.equal(status, 401, 'a key removed from the file stops working without a restart');
  });

  test('the users file is re-read when it changes: a removed user can no longer log in', async () => {
    const { writeUsersFile, readUsersFile } = await import('../../gateway/auth/users-file.js');
    assert.equal((await login(gw, 'bob', PASSWORDS.bob)).status, 200);
    writeUsersFile(files.usersFile, readUsersFile(files.usersFile).filter((u) => u.username !== 'bob'));
    let status = 200;
    for (let i = 0; i < 30 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await login(gw, 'bob', PASSWORDS.bob)).status;
    }
    assert.equal(status, 401);
  });

  test('the token API is described by an OpenAPI document', async () => {
    const res = await gw.request('/api/auth/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/api/auth/login', '/api/auth/logout', '/api/auth/me', '/api/auth/refresh', '/api/auth/revoke']);
  });

  test('WebSocket routes authenticate the handshake, by header or by access_token (which is not forwarded)', async () => {
    const { default: WebSocket } = await import('ws');
    const open = (url: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { ca: gw.ca, servername: 'localhost', headers } as import('ws').ClientOptions);
      ws.once('open', () => { ws.close(); resolve(101); });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.once('error', () => resolve(0));
    });
    const base = `wss://127.0.0.1:${gw.httpsPort}/ws/prices`;
    assert.equal(await open(base), 401);
    const { access_token } = await tokensFor(gw, 'alice');
    assert.equal(await open(base, bearer(access_token)), 101);
    assert.equal(await open(`${base}?symbols=BTC&access_token=${access_token}`), 101);
    const seen = await mock.last('/ws/prices');
    assert.equal(seen!.path, '/ws/prices?symbols=BTC');
    assert.equal(seen!.rawHeaders[seen!.rawHeaders.findIndex((h) => h.toLowerCase() === 'x-user-id') + 1], 'alice');
    assert.equal(await open(`${base}?access_token=garbage`), 401);
  });
});
