import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { acmeConfig, presentedCert, startAcmeGateway, type AcmeGateway } from '../helpers/acme-gateway.js';
import { API_KEY_SECRET, JWT_SECRET } from '../helpers/auth-fixture.js';
import { freePort } from '../helpers/free-port.js';
import { startPebble, type PebbleHandle } from '../helpers/pebble.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';
import { join } from 'node:path';

/**
 * Issue 9, ACME "renew now": POST /admin/acme/renew starts a renewal at once through the timer's
 * path (lock, order, store), answers 202 with the certificate it replaces, and 409 while that
 * order runs. Pebble's certificates here live far longer than the renewal window, so no
 * renewal but the asked one happens during the test.
 */
interface Answer { status: number; body: Record<string, unknown> }

/** acmeConfig with an admin listener and an API key "ops" with the admin role. */
function withAdmin(dir: string, yaml: string): { config: string; key: string } {
  const keysFile = join(dir, 'keys.json');
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(keysFile, [ops.record]);
  const config = `${yaml.replace(/(  http: \{ host: 127\.0\.0\.1, port: \d+ \}\n)/, '$1  admin: { port: 0 }\n')}auth:
  jwt: { secret: "${JWT_SECRET}", accessTtl: 5m, refreshTtl: 1h }
  apiKeys: { file: "${keysFile}", secret: "${API_KEY_SECRET}" }
`;
  return { config, key: ops.key };
}

function renew(g: AcmeGateway, key: string): Promise<Answer> {
  const port = g.logs().find((l) => l.msg === 'gateway listening')!.admin_port as number;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/admin/acme/renew', headers: { 'x-api-key': key }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Pebble and one gateway (admin listener, key "ops") started before the suite's tests, stopped after. */
function pebbleAndGateway(prefix: string, email?: string | null): { gw(): AcmeGateway; key(): string; pebble(): PebbleHandle } {
  let pebble: PebbleHandle | undefined;
  let gw: AcmeGateway | undefined;
  let key = '';
  before(async () => {
    const dir = tempDir(prefix);
    const httpPort = await freePort();
    pebble = await startPebble({ dir, httpPort });
    const made = withAdmin(dir, acmeConfig({ httpPort, directory: pebble.directory, caBundle: pebble.caBundleFile, email }));
    key = made.key;
    gw = await startAcmeGateway(dir, made.config);
  });
  after(async () => {
    const code = await gw?.stop();
    await pebble?.stop();
    assert.equal(code, 0, 'the gateway stopped cleanly');
  });
  return { gw: () => gw!, key: () => key, pebble: () => pebble! };
}

describe('issue 9: POST /admin/acme/renew, one process', () => {
  const setup = pebbleAndGateway('acme-renew-');

  test('202 with the certificate it replaces, 409 while that order runs, then the new certificate is served', async () => {
    const g = setup.gw();
    const key = setup.key();
    await waitUntil(() => g.events('acme.issued').length === 1, 'the first certificate');
    const first = g.events('acme.issued')[0]!;
    const started = await renew(g, key);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.renewal, 'started');
    assert.deepEqual(started.body.domains, ['localhost']);
    assert.equal((started.body.serving as { serial: string }).serial, first.serial);
    // Asked again before the order finished: nothing new starts.
    const again = await renew(g, key);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.code, 'acme.order_running');

    await waitUntil(() => g.events('acme.issued').length === 2, 'the renewal asked for');
    const renewed = g.events('acme.issued')[1]!;
    assert.equal(renewed.reason, 'renew now');
    assert.notEqual(renewed.serial, first.serial);
    const shown = await presentedCert(g.httpsPort, await setup.pebble().issuingRoot());
    assert.ok(shown.authorized, shown.error);
    assert.equal(shown.cert.serialNumber, renewed.serial, 'new handshakes get the renewed certificate');
    // Done: a new ask starts again.
    assert.equal((await renew(g, key)).status, 202);
    await waitUntil(() => g.events('acme.issued').length === 3, 'the third certificate');
    assert.equal(g.logs().filter((l) => l.level === 'error').length, 0);
  });
});

describe('issue 9: ACME without an email, every order after the first', () => {
  const setup = pebbleAndGateway('acme-no-email-', null);

  // The account exists from the first order on; acme-client sent it an empty update, which
  // pebble refuses ("Use POST-as-GET ..."): every renewal failed while the first issue worked.
  test('the renewal reuses the account and is issued', async () => {
    const g = setup.gw();
    const key = setup.key();
    await waitUntil(() => g.events('acme.issued').length === 1, 'the first certificate');
    assert.equal((await renew(g, key)).status, 202);
    await waitUntil(() => g.events('acme.issued').length === 2 || g.events('acme.failed').length > 0, 'the renewal to end');
    assert.deepEqual(g.events('acme.failed').map((l) => l.err), []);
    assert.notEqual(g.events('acme.issued')[1]!.serial, g.events('acme.issued')[0]!.serial);
  });
});

describe('issue 9: POST /admin/acme/renew, workers: 2 on Redis', () => {
  let dir: string;
  let redis: RedisHandle | undefined;
  let pebble: PebbleHandle | undefined;
  let gw: AcmeGateway | undefined;
  let key: string;

  before(async () => {
    dir = tempDir('acme-renew-workers-');
    redis = await startRedis();
    const httpPort = await freePort();
    pebble = await startPebble({ dir, httpPort });
    const store = `store:\n  redis: { url: "${redis.url}" }\n`;
    const made = withAdmin(dir, `${acmeConfig({ httpPort, directory: pebble.directory, caBundle: pebble.caBundleFile, store })}workers: 2\n`);
    key = made.key;
    gw = await startAcmeGateway(dir, made.config);
    await gw.service.waitForLine((l) => l.includes('all workers listening'));
  });
  after(async () => {
    const code = await gw?.stop();
    await pebble?.stop();
    await redis?.stop();
    assert.equal(code, 0, 'the gateway stopped cleanly');
  });

  test('one worker orders, the other takes the pair from the store; both serve it', async () => {
    const g = gw!;
    const acmeLines = () => JSON.stringify(g.logs().filter((l) => String(l.event ?? '').startsWith('acme.') || (l.level as number) >= 50)
      .map((l) => ({ event: l.event, msg: l.msg, pid: l.pid, serial: l.serial, err: l.err })));
    /** Which worker serves which serial, from the events that change it (a worker started late loads it from the store). */
    const serving = () => {
      const by = new Map<unknown, unknown>();
      for (const l of g.logs()) {
        if (l.event === 'acme.issued' || l.event === 'acme.adopted' || (l.event === 'acme.loaded' && l.source === 'store')) by.set(l.pid, l.serial);
      }
      return by;
    };
    const bothServe = (serial: unknown) => [...serving().values()].filter((s) => s === serial).length === 2;
    const wait = (check: () => boolean, what: string) => waitUntil(check, what, 30_000).catch((err: Error) => assert.fail(`${err.message}: ${acmeLines()}`));

    await wait(() => g.events('acme.issued').length >= 1 && bothServe(g.events('acme.issued')[0]!.serial), 'the first certificate in both workers');
    const first = g.events('acme.issued')[0]!;
    assert.equal(g.events('acme.issued').length, 1, `one order at start: ${acmeLines()}`);
    const started = await renew(g, key);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const workers = started.body.workers as { outcome: string; pid: number }[];
    assert.deepEqual(workers.map((w) => w.outcome), ['started', 'started']);

    await wait(() => g.events('acme.issued').length >= 2 && bothServe(g.events('acme.issued')[1]!.serial), 'the renewal, in both workers');
    const renewed = g.events('acme.issued')[1]!;
    assert.equal(g.events('acme.issued').length, 2, `one order for the renewal: ${acmeLines()}`);
    assert.equal(renewed.reason, 'renew now');
    assert.notEqual(renewed.serial, first.serial);
    const adopted = g.events('acme.adopted').filter((l) => l.serial === renewed.serial);
    assert.equal(adopted.length, 1, acmeLines());
    assert.notEqual(adopted[0]!.pid, renewed.pid, 'the other worker took it from the store');
    const root = await pebble!.issuingRoot();
    // Fresh connections are dealt to the workers in turn: both present the renewed certificate.
    for (let i = 0; i < 4; i++) assert.equal((await presentedCert(g.httpsPort, root)).cert.serialNumber, renewed.serial);
  });
});
