import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * TLS 1.2 minimum, ECDHE key exchange with AEAD ciphers only (no CBC, no static RSA: what
 * testssl flags on a default Node server as LUCKY13 and missing forward secrecy).
 * TLS 1.3 suites are listed first; Node takes both kinds from this one string.
 */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export function secureContextOptions(cert: string, key: string): SecureContextOptions {
  return {
    cert,
    key,
    minVersion: 'TLSv1.2',
    ciphers: CIPHERS,
    honorCipherOrder: true,
    ecdhCurve: 'X25519:P-256:P-384',
  };
}

export function serverTlsOptions(cert: string, key: string): TlsOptions {
  return {
    ...secureContextOptions(cert, key),
    ALPNProtocols: ['http/1.1'],
  };
}
