import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/atomic-write.js';
import type { CertPair } from './self-signed-cert.js';

/**
 * An ACME directory's state in `certDir/acme/HOST[_PORT]/`: the account key, the certificate
 * chain and its key. One folder per CA, so a staging certificate is never taken for a
 * production one after the directory changes. Written atomically (readers see the old or the
 * new file), keys 0600, the folders 0700.
 */
export interface AcmeFiles {
  readonly dir: string;
  readAccountKey(): string | null;
  writeAccountKey(pem: string): void;
  readPair(): CertPair | null;
  writePair(pair: CertPair): void;
}

const ACCOUNT_KEY = 'account-key.pem';
const CERT = 'cert.pem';
const KEY = 'key.pem';

export function acmeFiles(certDir: string, directory: string): AcmeFiles {
  const url = new URL(directory);
  const dir = join(certDir, 'acme', url.port ? `${url.hostname}_${url.port}` : url.hostname);
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return null;
    }
  };
  const ensureDir = () => mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    dir,
    readAccountKey: () => read(ACCOUNT_KEY),
    writeAccountKey(pem) {
      ensureDir();
      writeFileAtomically(join(dir, ACCOUNT_KEY), pem, 0o600);
    },
    readPair() {
      const cert = read(CERT);
      const key = read(KEY);
      return cert !== null && key !== null ? { cert, key } : null;
    },
    writePair(pair) {
      ensureDir();
      // Key first: a reader between the two renames sees the new key with the old certificate,
      // which servableFacts refuses (the key must match), never a half-written file.
      writeFileAtomically(join(dir, KEY), pair.key, 0o600);
      writeFileAtomically(join(dir, CERT), pair.cert, 0o644);
    },
  };
}
