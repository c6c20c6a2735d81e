import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import selfsigned from 'selfsigned';
import { ensureSelfSignedCert } from '../../gateway/tls/self-signed-cert.js';
import { BASE_CONFIG, startGateway, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

function handshake(port: number, options: Record<string, unknown>): Promise<{ protocol: string | null; alpn: string | false; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options }, () => {
      resolve({ protocol: socket.getProtocol(), alpn: socket.alpnProtocol ?? false, cert: socket.getPeerCertificate() });
      socket.end();
    });
    socket.on('error', reject);
  });
}

function plainHttp(port: number, method: string, path: string, host = 'localhost'): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS and the HTTP listener', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: BASE_CONFIG.replace('tls:', 'hosts: [localhost, 127.0.0.1, ::1, gw.internal.example]\ntls:') })));
  after(() => stopAll(gw, mock));

  test('TLS 1.3 and 1.2 with AEAD ciphers work; ALPN settles on http/1.1', async () => {
    const t13 = await handshake(gw.httpsPort, { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(t13.protocol, 'TLSv1.3');
    assert.equal(t13.alpn, 'http/1.1');
    const t12 = await handshake(gw.httpsPort, { maxVersion: 'TLSv1.2' });
    assert.equal(t12.protocol, 'TLSv1.2');
  });

  test('TLS 1.1 and CBC or static-RSA suites are refused', async () => {
    await assert.rejects(handshake(gw.httpsPort, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }));
    await assert.rejects(handshake(gw.httpsPort, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES128-SHA:AES256-SHA256' }));
    await assert.rejects(handshake(gw.httpsPort, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384' }));
  });

  test('the self-signed certificate names localhost, 127.0.0.1, ::1 and the configured hosts, and is trusted by clients given it', async () => {
    const cert = new X509Certificate(gw.ca);
    const san = cert.subjectAltName ?? '';
    for (const name of ['DNS:localhost', 'DNS:gw.internal.example', 'IP Address:127.0.0.1']) assert.ok(san.includes(name), `${name} missing in ${san}`);
    assert.match(san, /IP Address:(0:0:0:0:0:0:0:1|::1)/);
    const res = await gw.request('/health');
    assert.equal(res.status, 200);
  });

  test('HTTP redirects to HTTPS: 301 for GET/HEAD, 308 for others, same host, path and query', async () => {
    const get = await plainHttp(gw.httpPort!, 'GET', '/api/market/prices?symbols=BTC', 'localhost:8080');
    assert.equal(get.status, 301);
    assert.equal(get.location, `https://localhost:${gw.httpsPort}/api/market/prices?symbols=BTC`);
    const head = await plainHttp(gw.httpPort!, 'HEAD', '/x');
    assert.equal(head.status, 301);
    const post = await plainHttp(gw.httpPort!, 'POST', '/api/trading/orders');
    assert.equal(post.status, 308);
    assert.equal(post.location, `https://localhost:${gw.httpsPort}/api/trading/orders`);
    const v6 = await plainHttp(gw.httpPort!, 'GET', '/x', '[::1]:8080');
    assert.equal(v6.location, `https://[::1]:${gw.httpsPort}/x`);
  });

  test('HTTP: the ACME challenge path is not redirected; unknown hosts and bad paths are refused', async () => {
    assert.equal((await plainHttp(gw.httpPort!, 'GET', '/.well-known/acme-challenge/token')).status, 404);
    // The same code as on HTTPS for a host not served: 421 request.unknown_host.
    assert.equal((await plainHttp(gw.httpPort!, 'GET', '/x', 'evil.example')).status, 421);
    assert.equal((await plainHttp(gw.httpPort!, 'GET', '/a/%2f/b')).status, 400);
  });
});

describe('certificates', () => {
  test('the self-signed certificate is reused across restarts and made again when it nears expiry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cert-'));
    try {
      const first = await ensureSelfSignedCert(dir, ['a.example']);
      assert.equal(first.generated, true);
      const again = await ensureSelfSignedCert(dir, ['a.example']);
      assert.equal(again.generated, false);
      assert.equal(again.pair.cert, first.pair.cert);
      const newHost = await ensureSelfSignedCert(dir, ['a.example', 'b.example']);
      assert.equal(newHost.generated, true, 'a new configured host needs a new certificate');
      const later = await ensureSelfSignedCert(dir, ['a.example', 'b.example'], new Date(Date.now() + 85 * 86_400_000));
      assert.equal(later.generated, true, 'regenerated within a week of expiry');
      assert.ok(new Date(new X509Certificate(later.pair.cert).validTo).getTime() > Date.now() + 150 * 86_400_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('mode "files": a changed certificate is served without restart; a broken one is rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-files-'));
    const mock = await startMock();
    const make = async (cn: string) => selfsigned.generate([{ name: 'commonName', value: cn }], {
      keyType: 'ec', algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    const a = await make('cert-a');
    const b = await make('cert-b');
    writeFileSync(join(dir, 'cert.pem'), a.cert);
    writeFileSync(join(dir, 'key.pem'), a.private);
    // The helper trusts certs/self-signed-cert.pem; write cert A there too so it can connect.
    const gwDir = mkdtempSync(join(tmpdir(), 'gw-files-run-'));
    mkdirSync(join(gwDir, 'certs'));
    writeFileSync(join(gwDir, 'certs', 'self-signed-cert.pem'), a.cert);
    const gw = await startGateway({
      upstreamUrl: mock.url, dir: gwDir,
      config: BASE_CONFIG.replace('tls:\n  mode: self-signed', `tls:\n  mode: files\n  cert: ${dir}/cert.pem\n  key: ${dir}/key.pem\n  watchInterval: 100ms`),
    });
    try {
      assert.equal((await handshake(gw.httpsPort, {})).cert.subject.CN, 'cert-a');
      writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await handshake(gw.httpsPort, {})).cert.subject.CN, 'cert-a', 'a broken file keeps the old certificate');
      await gw.service.waitForLine((l) => l.includes('certificate change rejected'), 3000);
      writeFileSync(join(dir, 'key.pem'), b.private);
      writeFileSync(join(dir, 'cert.pem'), b.cert);
      let cn = '';
      for (let i = 0; i < 50 && cn !== 'cert-b'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        cn = String((await handshake(gw.httpsPort, {})).cert.subject.CN);
      }
      assert.equal(cn, 'cert-b');
      await gw.service.waitForLine((l) => l.includes('"certificate reloaded"'), 3000);
    } finally {
      await gw.stop();
      await mock.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(gwDir, { recursive: true, force: true });
    }
  });
});
