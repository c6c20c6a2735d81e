import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acmeConfig, presentedCert, startAcmeGateway, type AcmeGateway } from '../helpers/acme-gateway.js';
import { freePort } from '../helpers/free-port.js';
import { clientRequest } from '../helpers/gateway.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, ACME: a CA that cannot be reached. The gateway starts anyway on a temporary
 * self-signed certificate, says what failed and when it tries again, and keeps serving.
 */
let gw: AcmeGateway | undefined;

after(async () => {
  assert.equal(await gw?.stop(), 0, 'the gateway was still running and stopped cleanly');
});

test('issue 9 ACME: an unreachable CA is logged with the next try, and the gateway serves on a temporary certificate', async () => {
  const dir = tempDir('acme-down-');
  // A port nothing listens on: every connection to the "CA" is refused.
  const directory = `https://127.0.0.1:${await freePort()}/dir`;
  gw = await startAcmeGateway(dir, acmeConfig({ httpPort: await freePort(), directory }));
  await waitUntil(() => gw!.events('acme.failed').length === 1, 'the failed order is logged');
  const failed = gw.events('acme.failed')[0]!;
  assert.equal(failed.level, 'error');
  assert.match(String(failed.err), /ECONNREFUSED/);
  assert.equal(failed.failures, 1);
  assert.ok(Number(failed.retry_in_ms) >= 54_000 && Number(failed.retry_in_ms) <= 66_000, 'the first retry in about a minute');
  assert.equal(failed.serving, 'the temporary self-signed certificate');

  const selfSigned = readFileSync(join(dir, 'certs', 'self-signed-cert.pem'), 'utf8');
  const shown = await presentedCert(gw.httpsPort, selfSigned);
  assert.ok(shown.authorized, shown.error);
  assert.match(String(shown.cert.subjectaltname), /DNS:localhost/);
  assert.equal((await clientRequest(gw.httpsPort, selfSigned, '/healthz')).status, 200);
});
