import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { acmeConfig, presentedCert, startAcmeGateway, type AcmeGateway } from '../helpers/acme-gateway.js';
import { freePort } from '../helpers/free-port.js';
import { startPebble, type PebbleHandle } from '../helpers/pebble.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, ACME with several instances on one Redis. Pebble validates against instance B's HTTP
 * listener while instance A orders: B answers from the challenge A put in the store, as any
 * instance behind a load balancer must. A third instance starts after the issue and takes
 * the pair from the store instead of ordering its own; so does B once a reload turns it to ACME.
 */
let redis: RedisHandle | undefined;
let pebble: PebbleHandle | undefined;
const gateways: AcmeGateway[] = [];

after(async () => {
  const codes = [];
  for (const g of gateways) codes.push(await g.stop());
  await pebble?.stop();
  await redis?.stop();
  assert.deepEqual(codes, gateways.map(() => 0), 'every gateway stopped cleanly');
});

test('issue 9 ACME: one instance orders, another answers the CA from the store, a third takes the issued pair from the store', async () => {
  redis = await startRedis();
  const store = `store:\n  redis: { url: "${redis.url}" }\n`;
  const dir = tempDir('acme-shared-');
  const bHttpPort = await freePort();
  pebble = await startPebble({ dir, httpPort: bHttpPort });
  const config = (httpPort: number) => acmeConfig({ httpPort, directory: pebble!.directory, caBundle: pebble!.caBundleFile, store });

  // B: no ACME of its own (self-signed), yet the CA's requests reach its HTTP listener.
  const b = await startAcmeGateway(tempDir('acme-b-'), config(bHttpPort).replace(/tls:\n(  .*\n)+/, 'tls:\n  mode: self-signed\n'));
  gateways.push(b);
  const a = await startAcmeGateway(tempDir('acme-a-'), config(await freePort()));
  gateways.push(a);
  await waitUntil(() => a.events('acme.issued').length === 1, 'A gets its certificate');
  const issued = a.events('acme.issued')[0]!;
  assert.equal(b.logs().filter((l) => String(l.event ?? '').startsWith('acme.')).length, 0, 'B orders nothing');
  // B's access lines reach its log in batches (flushed every 200 ms): wait for them rather than race the flush.
  const fromB = () => b.logs().filter((l) => l.listener === 'http' && String(l.path).startsWith('/.well-known/acme-challenge/') && l.status === 200);
  await waitUntil(() => fromB().length >= 1, 'B answered the challenge A ordered', 5000);
  assert.equal(a.logs().filter((l) => l.listener === 'http' && String(l.path).startsWith('/.well-known/acme-challenge/')).length, 0, 'A was never asked');

  const c = await startAcmeGateway(tempDir('acme-c-'), config(await freePort()));
  gateways.push(c);
  const loaded = c.events('acme.loaded');
  assert.equal(loaded.length, 1);
  assert.equal(loaded[0]!.source, 'store');
  assert.equal(loaded[0]!.serial, issued.serial);
  assert.equal(c.events('acme.temporary').length, 0, 'C never served a temporary certificate');

  const root = await pebble.issuingRoot();
  for (const g of [a, c]) {
    const shown = await presentedCert(g.httpsPort, root);
    assert.ok(shown.authorized, shown.error);
    assert.equal(shown.cert.serialNumber, issued.serial);
  }
  assert.equal(pebble.service.lines.filter((l) => l.includes('Issued certificate serial')).length, 1, 'pebble issued one certificate for the fleet');
  assert.equal(c.events('acme.issued').length + c.events('acme.waiting').length, 0);

  // A reload turns B to ACME: the new certificate comes from the store, served without a restart.
  const reloaded = await b.reload(config(bHttpPort));
  assert.match(String(reloaded.msg), /config reloaded/);
  assert.equal(b.events('acme.loaded')[0]?.serial, issued.serial);
  const fromReloaded = await presentedCert(b.httpsPort, root);
  assert.ok(fromReloaded.authorized, fromReloaded.error);
  assert.equal(fromReloaded.cert.serialNumber, issued.serial);
});
