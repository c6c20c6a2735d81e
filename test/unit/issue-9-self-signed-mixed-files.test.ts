import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureSelfSignedCert } from '../../gateway/tls/self-signed-cert.js';
import { tempDir } from '../helpers/temp-dir.js';

// Workers each writing the temporary certificate could leave one's key beside another's
// certificate; a start that reused that pair failed in createSecureContext ("key values mismatch").
test('a certificate whose key is not the one beside it is made again, not reused', async () => {
  const [a, b, mixed] = [tempDir('ss-a-'), tempDir('ss-b-'), tempDir('ss-mixed-')];
  await ensureSelfSignedCert(a, []);
  await ensureSelfSignedCert(b, []);
  copyFileSync(join(a, 'self-signed-cert.pem'), join(mixed, 'self-signed-cert.pem'));
  copyFileSync(join(b, 'self-signed-key.pem'), join(mixed, 'self-signed-key.pem'));

  const { pair, generated } = await ensureSelfSignedCert(mixed, []);

  assert.equal(generated, true);
  assert.equal(new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key)), true);
  assert.equal((await ensureSelfSignedCert(mixed, [])).generated, false, 'a matching pair is reused');
});
