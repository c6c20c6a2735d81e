import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { GatewayConfig } from '../config/compile-config.js';
import { ensureSelfSignedCert, type CertPair } from './self-signed-cert.js';
import { secureContextOptions } from './tls-options.js';

/**
 * Where the serving certificate comes from. The listener asks for the current pair at start and
 * is told of a new one; ACME will be a third implementation of this interface.
 */
export interface CertStore {
  readonly current: CertPair;
  /** Calls back with a new, already-validated pair whenever the source changes. */
  watch(onChange: (pair: CertPair) => void, onError: (err: Error) => void): void;
  close(): void;
}

export async function createCertStore(tls: GatewayConfig['tls'], hosts: readonly string[]): Promise<CertStore & { generated: boolean }> {
  if (tls.mode === 'self-signed') {
    const { pair, generated } = await ensureSelfSignedCert(tls.certDir, hosts);
    return { current: pair, generated, watch() {}, close() {} };
  }
  return { ...createFileCertStore(tls.cert, tls.key, tls.watchInterval), generated: false };
}

/**
 * Cert and key files, re-read when either changes. Polling (fs.watchFile) survives the
 * write-temp-and-rename that certbot and Kubernetes secrets do, which fs.watch does not.
 * A half-written or mismatched pair is rejected and the old one keeps serving.
 */
function createFileCertStore(certFile: string, keyFile: string, intervalMs: number): CertStore {
  const read = (): CertPair => {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    createSecureContext(secureContextOptions(pair.cert, pair.key)); // throws on a bad or mismatched pair
    return pair;
  };
  const store = {
    current: read(),
    watch(onChange: (pair: CertPair) => void, onError: (err: Error) => void) {
      const check = () => {
        try {
          const next = read();
          if (next.cert === store.current.cert && next.key === store.current.key) return;
          store.current = next;
          onChange(next);
        } catch (err) {
          onError(err as Error);
        }
      };
      watchFile(certFile, { interval: intervalMs }, check);
      watchFile(keyFile, { interval: intervalMs }, check);
    },
    close() {
      unwatchFile(certFile);
      unwatchFile(keyFile);
    },
  };
  return store;
}
