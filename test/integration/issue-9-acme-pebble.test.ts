import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { acmeConfig, presentedCert, startAcmeGateway, type AcmeGateway } from '../helpers/acme-gateway.js';
import { freePort } from '../helpers/free-port.js';
import { startPebble, type PebbleHandle } from '../helpers/pebble.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, ACME: a real ACME server on loopback (Debian's pebble) validates HTTP-01 against the
 * gateway's HTTP listener. Its certificates live 60 s and the gateway renews 50 s before
 * expiry, so a renewal comes about 10 s after each issue: that is the forced renewal.
 */
let dir: string;
let pebble: PebbleHandle | undefined;
let gw: AcmeGateway | undefined;

before(async () => {
  dir = tempDir('acme-pebble-');
  const httpPort = await freePort();
  pebble = await startPebble({ dir, httpPort, validitySeconds: 60 });
  gw = await startAcmeGateway(dir, acmeConfig({ httpPort, directory: pebble.directory, caBundle: pebble.caBundleFile, renewBefore: '50s' }));
});

after(async () => {
  const code = await gw?.stop();
  await pebble?.stop();
  assert.equal(code, 0, 'the gateway stopped cleanly');
});

test('issue 9 ACME: a certificate is obtained from pebble over HTTP-01, presented in the handshake and kept in certDir', async () => {
  const g = gw!;
  // Nothing was stored yet: the listeners came up on a temporary self-signed certificate.
  assert.equal(g.events('acme.temporary').length, 1);
  await waitUntil(() => g.events('acme.issued').length >= 1, 'the first certificate from pebble');
  const issued = g.events('acme.issued')[0]!;

  const root = await pebble!.issuingRoot();
  const shown = await presentedCert(g.httpsPort, root);
  assert.ok(shown.authorized, `the chain verifies to pebble's root: ${shown.error}`);
  assert.match(String(shown.cert.issuer.CN), /^Pebble Intermediate CA /);
  assert.equal(shown.cert.subjectaltname, 'DNS:localhost');
  assert.equal(shown.cert.serialNumber, issued.serial);

  // Pebble's validation (three perspectives) fetched the token from the gateway's HTTP listener.
  const answered = g.logs().filter((l) => l.listener === 'http' && String(l.path).startsWith('/.well-known/acme-challenge/') && l.status === 200);
  assert.ok(answered.length >= 1, 'the HTTP listener answered the challenge');

  // Only a token of an open order is answered; POST is not how a CA fetches.
  assert.equal((await plain(g.httpPort, 'GET', `/.well-known/acme-challenge/${'x'.repeat(43)}`)).statusCode, 404);
  const post = await plain(g.httpPort, 'POST', `/.well-known/acme-challenge/${'x'.repeat(43)}`);
  assert.equal(post.statusCode, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  assert.equal((await plain(g.httpPort, 'GET', '/a')).statusCode, 301, 'everything else is still sent to HTTPS');

  const acmeDir = join(dir, 'certs', 'acme', `127.0.0.1_${new URL(pebble!.directory).port}`);
  for (const key of ['account-key.pem', 'key.pem']) assert.equal(statSync(join(acmeDir, key)).mode & 0o777, 0o600, key);
  const onDisk = new X509Certificate(readFileSync(join(acmeDir, 'cert.pem')));
  assert.equal(onDisk.serialNumber, shown.cert.serialNumber);
});

function plain(port: number, method: string, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: 'localhost' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject).end();
  });
}

test('issue 9 ACME: a renewal replaces the certificate while a keep-alive connection stays up', async () => {
  const g = gw!;
  const root = await pebble!.issuingRoot();
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: root, servername: 'localhost' });
  const sockets = new Set<TLSSocket>();
  const serials = new Set<string>();
  const get = () => new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: g.httpsPort, path: '/healthz', agent }, (res) => {
      const socket = res.socket as TLSSocket;
      sockets.add(socket);
      serials.add(socket.getPeerCertificate().serialNumber);
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    assert.equal(await get(), 200);
    const before = [...serials][0]!;
    const renewalsBefore = g.events('acme.issued').length;
    // Requests keep flowing on the one connection while the gateway orders and swaps.
    await waitUntil(async () => {
      assert.equal(await get(), 200);
      const latest = g.events('acme.issued').at(-1);
      return g.events('acme.issued').length > renewalsBefore && latest?.reason === 'renewal';
    }, 'a renewal', 60_000);
    const renewed = g.events('acme.issued').at(-1)!;
    assert.notEqual(renewed.serial, before);

    const fresh = await presentedCert(g.httpsPort, root);
    assert.ok(fresh.authorized, fresh.error);
    assert.notEqual(fresh.cert.serialNumber, before, 'a new handshake gets the renewed certificate');

    assert.equal(await get(), 200);
    assert.equal(sockets.size, 1, 'every request went over the one connection opened before the renewal');
    assert.deepEqual([...serials], [before], 'that connection keeps the certificate it was opened with');
    assert.equal(g.logs().filter((l) => l.level === 'error').length, 0);
  } finally {
    agent.destroy();
  }
});
