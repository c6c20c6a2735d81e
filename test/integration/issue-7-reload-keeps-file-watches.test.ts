import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import selfsigned from 'selfsigned';
import { authConfig, login, makeAuthFiles, PASSWORDS } from '../helpers/auth-fixture.js';
import { BASE_CONFIG, startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { GATEWAY_BIN } from '../helpers/paths.js';
import { startMock } from '../helpers/upstream-mock.js';

/**
 * Issue #7: a reload that rebuilt auth (or the certificate store) released its predecessor's
 * file watches with unwatchFile(file), which also removed the watches the new one had just
 * registered. Edits after such a reload never took effect: a revoked key kept working.
 */
const run = promisify(execFile);

/** Polls `probe` until it returns `want` (or gives up); returns the last value seen. */
async function eventually<T>(probe: () => Promise<T>, want: T, tries = 50): Promise<T> {
  let seen = await probe();
  for (let i = 0; i < tries && seen !== want; i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await probe();
  }
  return seen;
}

describe('issue #7: file edits still take effect after a reload', () => {
  test('after a reload that changes auth, "gateway keys revoke" and "gateway users remove" lock out at the next poll', async () => {
    const files = await makeAuthFiles();
    const mock = await startMock();
    let gw: GatewayHandle | undefined;
    try {
      gw = await startGateway({ upstreamUrl: mock.url, config: authConfig(files) });
      const withKey = () => gw!.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.revokedLater } }).then((r) => r.status);
      assert.equal(await withKey(), 200);

      gw.writeConfig(authConfig(files).replace('failuresPerIp: 20', 'failuresPerIp: 21'));
      const reloaded = await gw.reload();
      assert.equal(reloaded.msg, 'config reloaded');
      assert.ok((reloaded.sections_changed as string[]).includes('auth'), 'the reload rebuilt auth');
      assert.equal(await withKey(), 200, 'the new auth system read the keys file');

      const cli = (args: string[]) => run(process.execPath, [GATEWAY_BIN, ...args, '--config', gw!.configFile], { env: { ...process.env, UPSTREAM_URL: mock.url } });
      assert.match((await cli(['keys', 'revoke', 'temp-bot'])).stdout, /revoked temp-bot/);
      assert.equal(await eventually(withKey, 401), 401, 'the revoked key is refused without a restart');

      assert.equal((await login(gw, 'bob', PASSWORDS.bob)).status, 200);
      await cli(['users', 'remove', 'bob']);
      assert.equal(await eventually(() => login(gw!, 'bob', PASSWORDS.bob).then((r) => r.status), 401), 401, 'the removed user cannot log in');
    } finally {
      await stopAll(gw, mock);
      rmSync(files.dir, { recursive: true, force: true });
    }
  });

  test('tls.mode files: after a reload that changes tls, a new certificate pair is served at the next poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-issue7-tls-'));
    const gwDir = mkdtempSync(join(tmpdir(), 'gw-issue7-run-'));
    const mock = await startMock();
    let gw: GatewayHandle | undefined;
    try {
      const make = (cn: string) => selfsigned.generate([{ name: 'commonName', value: cn }], {
        keyType: 'ec', algorithm: 'sha256',
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
      });
      const [a, b] = await Promise.all([make('cert-a'), make('cert-b')]);
      writeFileSync(join(dir, 'cert.pem'), a.cert);
      writeFileSync(join(dir, 'key.pem'), a.private);
      // The helper trusts certs/self-signed-cert.pem: put cert A there so it can connect.
      mkdirSync(join(gwDir, 'certs'));
      writeFileSync(join(gwDir, 'certs', 'self-signed-cert.pem'), a.cert);
      const config = (interval: string) => BASE_CONFIG.replace('tls:\n  mode: self-signed', `tls:\n  mode: files\n  cert: ${dir}/cert.pem\n  key: ${dir}/key.pem\n  watchInterval: ${interval}`);
      gw = await startGateway({ upstreamUrl: mock.url, dir: gwDir, config: config('100ms') });
      const servedCn = () => peerCommonName(gw!.httpsPort);
      assert.equal(await servedCn(), 'cert-a');

      gw.writeConfig(config('150ms'));
      const reloaded = await gw.reload();
      assert.ok((reloaded.sections_changed as string[]).includes('tls'), 'the reload rebuilt the certificate store');

      writeFileSync(join(dir, 'key.pem'), b.private);
      writeFileSync(join(dir, 'cert.pem'), b.cert);
      assert.equal(await eventually(servedCn, 'cert-b'), 'cert-b');
    } finally {
      await stopAll(gw, mock);
      rmSync(dir, { recursive: true, force: true });
      rmSync(gwDir, { recursive: true, force: true });
    }
  });
});

function peerCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN));
      socket.end();
    });
    socket.on('error', reject);
  });
}
