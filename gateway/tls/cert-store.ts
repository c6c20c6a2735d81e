import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { GatewayConfig } from '../config/compile-config.js';
import { pollFile } from '../files/poll-file.js';
import { createAcmeCertStore, type AcmeDeps } from './acme-cert-store.js';
import { ensureSelfSignedCert, type CertPair } from './self-signed-cert.js';
import { secureContextOptions } from './tls-options.js';

/**
 * Where the serving certificate comes from. The listener asks for the current pair at start and
 * is told of a new one: self-signed, files, or ACME (acme-cert-store.ts).
 */
export interface CertStore {
  readonly current: CertPair;
  /**
   * Calls back with a new, already-validated pair whenever the source changes. Called once the
   * listeners are bound: ACME's first order needs the HTTP listener to answer the CA.
   */
  watch(onChange: (pair: CertPair) => void, onError: (err: Error) => void): void;
  /** Stops this store's watches only: a successor built on a reload may watch the same files. */
  close(): void;
  /** ACME only: whether an order runs now, here or (the store's lock) in another process. */
  orderRunning?(): Promise<boolean>;
  /**
   * ACME only: renew at once through the timer's path (lock, store, then serve), unless this
   * process is looking at its certificate already. Not waited for: the log and the metrics tell.
   */
  renewNow?(): RenewStart;
}

/** What renewNow set going; `serving` is the certificate it replaces (null: the temporary one). */
export type RenewStart =
  | { readonly started: true; readonly serving: { readonly serial: string; readonly notAfter: string } | null }
  | { readonly started: false };

export async function createCertStore(tls: GatewayConfig['tls'], hosts: readonly string[], deps: AcmeDeps): Promise<CertStore> {
  switch (tls.mode) {
    case 'self-signed': {
      const { pair } = await ensureSelfSignedCert(tls.certDir, hosts);
      return { current: pair, watch() {}, close() {} };
    }
    case 'files':
      return createFileCertStore(tls.cert, tls.key, tls.watchInterval);
    case 'acme':
      return createAcmeCertStore(tls, deps);
  }
}

/**
 * Cert and key files, re-read when either changes (polled, see files/poll-file.ts).
 * A half-written or mismatched pair is rejected and the old one keeps serving.
 */
function createFileCertStore(certFile: string, keyFile: string, intervalMs: number): CertStore {
  const read = (): CertPair => {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    createSecureContext(secureContextOptions(pair.cert, pair.key)); // throws on a bad or mismatched pair
    return pair;
  };
  const releases: (() => void)[] = [];
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
      releases.push(pollFile(certFile, intervalMs, check), pollFile(keyFile, intervalMs, check));
    },
    close() {
      for (const release of releases.splice(0)) release();
    },
  };
  return store;
}
