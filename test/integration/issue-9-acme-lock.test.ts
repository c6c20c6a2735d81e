import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import selfsigned from 'selfsigned';
import type { AcmeTlsConfig } from '../../gateway/config/schema/listeners.js';
import { createLogger } from '../../gateway/observability/logger.js';
import { createStore } from '../../gateway/store/create-store.js';
import type { Store } from '../../gateway/store/store.js';
import { createAcmeCertStore } from '../../gateway/tls/acme-cert-store.js';
import { createAcmeChallenges } from '../../gateway/tls/acme-challenges.js';
import type { OrderCertificate, OrderRequest } from '../../gateway/tls/acme-order.js';
import { createAcmeSharedState } from '../../gateway/tls/acme-shared-state.js';
import type { CertStore } from '../../gateway/tls/cert-store.js';
import type { CertPair } from '../../gateway/tls/self-signed-cert.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, ACME across instances: two ACME cert stores on two connections to one real Redis,
 * as two gateways would have. The CA is the test's (the order function is a dependency), so
 * the test decides when an order ends and can hold one open; pebble covers the real CA.
 */
let redis: RedisHandle;
const stores: Store[] = [];
const certStores: CertStore[] = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const c of certStores) c.close();
  for (const s of stores) await s.close();
  await redis.stop();
});

function tls(directory: string): AcmeTlsConfig {
  return { mode: 'acme', certDir: tempDir('acme-lock-'), watchInterval: 2000, domains: ['localhost'], email: null, directory, caBundle: null, renewBefore: 30 * 86_400_000 };
}

/** One gateway's worth: its own Redis connection, challenge board, logger and cert store. */
async function instance(directory: string, order: OrderCertificate, retryDelays?: number[]) {
  const store = await createStore({ redis: { url: redis.url, keyPrefix: `acme-lock-${process.pid}:`, commandTimeout: 250, connectTimeout: 2000 } }, createLogger('silent'));
  stores.push(store);
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } }));
  const challenges = createAcmeChallenges(store, logger);
  const served: CertPair[] = [];
  const certs = await createAcmeCertStore(tls(directory), { store, logger, clock: Date.now, challenges, order, lockPollMs: 50, ...(retryDelays ? { retryDelays } : {}) });
  certStores.push(certs);
  return { store, certs, challenges, served, events: (e: string) => lines.filter((l) => l.event === e), watch: () => certs.watch((p) => served.push(p), () => {}) };
}

async function certificateFor(domain: string): Promise<CertPair> {
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: domain }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 90 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: domain }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

const TOKEN = 'A'.repeat(43);

test('issue 9 ACME: while one instance orders (lock held), another waits, answers its challenge from the store and takes its certificate', async () => {
  let finish!: (pair: CertPair) => void;
  const ordersA: OrderRequest[] = [];
  const directory = 'https://ca-one.test/directory';
  const a = await instance(directory, async (request) => {
    ordersA.push(request);
    await request.publish(TOKEN, `${TOKEN}.thumbprint`);
    return new Promise<CertPair>((resolve) => { finish = resolve; });
  });
  let ordersB = 0;
  const b = await instance(directory, async () => {
    ordersB++;
    throw new Error('B must not order while A holds the lock');
  });
  a.watch();
  await waitUntil(() => ordersA.length === 1, 'A orders');
  b.watch();
  await waitUntil(() => b.events('acme.waiting').length === 1, 'B sees the lock and waits');
  assert.equal(await b.challenges.answer(TOKEN), `${TOKEN}.thumbprint`, 'B answers the CA for the order A placed');

  const pair = await certificateFor('localhost');
  finish(pair);
  await waitUntil(() => b.served.length === 1, 'B takes the certificate A stored');
  assert.equal(b.served[0]!.cert, pair.cert);
  assert.equal(a.served[0]!.cert, pair.cert);
  assert.equal(b.certs.current.cert, pair.cert);
  assert.equal(ordersB, 0);
  assert.equal(a.events('acme.issued').length, 1);
  assert.equal(b.events('acme.adopted').length, 1);
  // The lock was let go: someone else may take it now.
  const probe = createAcmeSharedState(a.store, directory, ['localhost']);
  assert.equal(await probe.tryLock(1000), true);
  await probe.unlock();
});

test('issue 9 ACME: failed orders are logged and retried with backoff, one at a time across instances, never thrown', async () => {
  // Another directory: its state starts empty (the first test's pair is under its own keys).
  const directory = 'https://ca-two.test/directory';
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const pair = await certificateFor('localhost');
  const ca: OrderCertificate = async () => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    if (calls <= 2) throw new Error(`urn:ietf:params:acme:error:connection: the CA could not connect (${calls})`);
    return pair;
  };
  const a = await instance(directory, ca, [100, 200]);
  const b = await instance(directory, ca, [100, 200]);
  a.watch();
  await waitUntil(() => a.events('acme.failed').length === 1, 'the first failure');
  b.watch();
  await waitUntil(() => a.served.length === 1 && b.served.length === 1, 'both serve a certificate in the end');

  assert.equal(calls, 3);
  assert.equal(maxInFlight, 1, 'never two orders at once');
  assert.equal(a.served[0]!.cert, pair.cert);
  assert.equal(b.served[0]!.cert, pair.cert);
  const failed = [...a.events('acme.failed'), ...b.events('acme.failed')].sort((x, y) => Number(x.failures) - Number(y.failures));
  assert.deepEqual(failed.map((f) => f.failures), [1, 2], 'the count of failures in a row is shared');
  assert.match(String(failed[0]!.err), /could not connect \(1\)/);
  assert.ok(Number(failed[0]!.retry_in_ms) >= 90 && Number(failed[0]!.retry_in_ms) <= 110, 'first wait: 100 ms ±10%');
  assert.ok(Number(failed[1]!.retry_in_ms) >= 180 && Number(failed[1]!.retry_in_ms) <= 220, 'second wait: 200 ms ±10%');
  assert.equal(failed[0]!.serving, 'the temporary self-signed certificate');
});

test('issue 9 ACME: a store that does not answer is waited out at the lock-poll pace, logged once, and is no failure', async () => {
  const directory = 'https://ca-store-down.test/directory';
  let orders = 0;
  const pair = await certificateFor('localhost');
  const a = await instance(directory, async () => {
    orders++;
    return pair;
  });
  redis.pause();
  try {
    a.watch();
    // Several looks (every 50 ms here) while Redis does not answer: one line, no order, no failure.
    await waitUntil(() => a.events('acme.store_unavailable').length >= 1, 'the store outage noticed');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(a.events('acme.store_unavailable').length, 1);
    assert.equal(a.events('acme.failed').length, 0);
    assert.equal(orders, 0);
  } finally {
    redis.resume();
  }
  await waitUntil(() => a.events('acme.issued').length === 1, 'ordered once the store answers');
  assert.equal(orders, 1);
  assert.equal(a.served.length, 1);
});
