import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { writeFileAtomically } from '../files/atomic-write.js';

export interface CertPair {
  cert: string;
  key: string;
}

const CERT_FILE = 'self-signed-cert.pem';
const KEY_FILE = 'self-signed-key.pem';
const VALID_DAYS = 90;
/** Regenerate this long before expiry, so a running dev gateway never serves an expired cert. */
const RENEW_BEFORE_MS = 7 * 86_400_000;

/**
 * The development certificate: made on first start with SANs for localhost, 127.0.0.1, ::1 and
 * the configured hosts; reused while valid and covering those names; made again otherwise.
 */
export async function ensureSelfSignedCert(dir: string, hosts: readonly string[], now = new Date()): Promise<{ pair: CertPair; generated: boolean }> {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])];
  const existing = readExisting(dir);
  if (existing && stillGood(existing, names, now)) return { pair: existing, generated: false };

  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'security-gateway development' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomically(join(dir, KEY_FILE), pems.private, 0o600);
  writeFileAtomically(join(dir, CERT_FILE), pems.cert, 0o644);
  return { pair: { cert: pems.cert, key: pems.private }, generated: true };
}

function readExisting(dir: string): CertPair | null {
  try {
    return { cert: readFileSync(join(dir, CERT_FILE), 'utf8'), key: readFileSync(join(dir, KEY_FILE), 'utf8') };
  } catch {
    return null;
  }
}

/** Valid long enough, naming every name, and its key the one beside it (two writers could have mixed the files). */
function stillGood(pair: CertPair, names: readonly string[], now: Date): boolean {
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (new Date(cert.validTo).getTime() - RENEW_BEFORE_MS <= now.getTime()) return false;
    const san = cert.subjectAltName ?? '';
    return names.every((n) => san.includes(isIP(n) ? `IP Address:${n === '::1' ? '0:0:0:0:0:0:0:1' : n}` : `DNS:${n}`) || (n === '::1' && san.includes('IP Address:::1')));
  } catch {
    return false;
  }
}
