import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { authConfig, bearer, JWT_SECRET, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

describe('asymmetric signing keys from files', () => {
  let mock: MockHandle;
  let files: AuthFiles;
  before(async () => {
    mock = await startMock();
    files = await makeAuthFiles();
  });
  after(() => mock?.stop());

  const algorithms = [
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
  ] as const;
  for (const [alg, make] of algorithms) {
    test(`${alg}: tokens are issued and verified; an HS256 token keyed with the public key is refused`, async () => {
      const { privateKey, publicKey } = make();
      const privateFile = join(files.dir, `${alg}.key`);
      const publicFile = join(files.dir, `${alg}.pub`);
      writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      writeFileSync(publicFile, publicPem);
      const config = authConfig(files).replace(`    secret: "${JWT_SECRET}"\n`, `    algorithm: ${alg}\n    privateKeyFile: ${privateFile}\n    publicKeyFile: ${publicFile}\n`);
      const gw = await startGateway({ upstreamUrl: mock.url, config });
      try {
        const { access_token } = await tokensFor(gw, 'alice');
        const header = JSON.parse(Buffer.from(access_token.split('.')[0]!, 'base64url').toString()) as { alg: string };
        assert.equal(header.alg, alg);
        assert.equal((await gw.request('/api/portfolio', { headers: bearer(access_token) })).status, 200);
        const confused = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setSubject('root')
          .setIssuer('security-gateway').setAudience('trading-api').setJti('x').setIssuedAt().setNotBefore('0s').setExpirationTime('5m')
          .sign(new TextEncoder().encode(publicPem));
        const res = await gw.request('/api/portfolio', { headers: bearer(confused) });
        assert.equal(res.status, 401);
        assert.match(String(res.headers['www-authenticate']), /algorithm not allowed/);
      } finally {
        await gw.stop();
      }
    });
  }
});

/** A stand-in identity provider: serves a JWKS, counts fetches, can fail on demand. */
function startIdp(): Promise<{ url: string; keys: JWK[]; fetches: () => number; failing: (on: boolean) => void; close: () => void }> {
  const keys: JWK[] = [];
  let fetches = 0;
  let failing = false;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    if (failing) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    keys,
    fetches: () => fetches,
    failing: (on) => { failing = on; },
    close: () => { server.closeAllConnections(); server.close(); },
  })));
}

const k1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const idpToken = (key: typeof k1, kid: string, sub = 'erin', roles = ['trader']) => new SignJWT({ roles })
  .setProtectedHeader({ alg: 'ES256', kid }).setSubject(sub).setIssuer('https://idp.test').setAudience('trading-api')
  .setIssuedAt().setExpirationTime('5m').setJti(`idp-${Math.random()}`).sign(key.privateKey);
const jwksAuth = (url: string) => `  jwks:\n    url: ${url}\n    issuer: https://idp.test\n    audience: trading-api\n    algorithms: [ES256]\n    cooldown: 1s\n`;

async function waitUntilReady(gw: GatewayHandle): Promise<number> {
  let status = 503;
  for (let i = 0; i < 40 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await gw.request('/readyz')).status;
  }
  return status;
}

describe('JWKS readiness', () => {
  test('/readyz is not ready until the first key set has loaded', async () => {
    const idp = await startIdp();
    idp.failing(true);
    const mock = await startMock();
    let gw: GatewayHandle | undefined;
    try {
      gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(await makeAuthFiles(), { auth: jwksAuth(idp.url) }) });
      const before = await gw.request('/readyz');
      assert.equal(before.status, 503);
      assert.equal(before.json<{ checks: { auth: boolean } }>().checks.auth, false);
      idp.keys.push({ ...(await exportJWK(k1.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' });
      idp.failing(false);
      assert.equal(await waitUntilReady(gw), 200);
    } finally {
      await stopAll(gw, mock);
      idp.close();
    }
  });
});

/** Each test starts from a gateway that has loaded k1 and a provider that answers. */
describe('tokens from an external identity provider (JWKS)', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let idp: Awaited<ReturnType<typeof startIdp>>;

  before(async () => {
    idp = await startIdp();
    idp.keys.push({ ...(await exportJWK(k1.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' });
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(await makeAuthFiles(), { auth: jwksAuth(idp.url) }) });
    assert.equal(await waitUntilReady(gw), 200);
  });
  after(async () => {
    await stopAll(gw, mock);
    idp?.close();
  });

  test('a provider token opens routes with its subject and roles; the gateway\'s own tokens still work', async () => {
    const res = await gw.request('/api/portfolio', { headers: bearer(await idpToken(k1, 'k1')) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json<{ user: string }>().user, 'erin');
    const own = await tokensFor(gw, 'alice');
    assert.equal((await gw.request('/api/portfolio', { headers: bearer(own.access_token) })).status, 200);
  });

  test('forged kids cannot cause a fetch storm: 50 unknown-kid tokens, at most one fetch per cool-down', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // let the cool-down from any earlier fetch pass
    const before = idp.fetches();
    const forged = await Promise.all(Array.from({ length: 50 }, (_, i) => idpToken(k2, `forged-${i}`)));
    const results = await Promise.all(forged.map((t) => gw.request('/api/portfolio', { headers: bearer(t) })));
    assert.ok(results.every((r) => r.status === 401));
    assert.ok(idp.fetches() - before <= 1, `${idp.fetches() - before} fetches`);
  });

  test('when the provider fails, the last good keys keep verifying', async () => {
    idp.failing(true);
    try {
      await new Promise((r) => setTimeout(r, 1100));
      await gw.request('/api/portfolio', { headers: bearer(await idpToken(k2, 'unknown')) }); // triggers a failing fetch
      const res = await gw.request('/api/portfolio', { headers: bearer(await idpToken(k1, 'k1')) });
      assert.equal(res.status, 200);
    } finally {
      idp.failing(false);
    }
  });

  test('a rotated-in key is fetched on first sight of its kid', async () => {
    idp.keys.push({ ...(await exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' });
    await new Promise((r) => setTimeout(r, 1100));
    const res = await gw.request('/api/portfolio', { headers: bearer(await idpToken(k2, 'k2', 'frank')) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json<{ user: string }>().user, 'frank');
  });
});
