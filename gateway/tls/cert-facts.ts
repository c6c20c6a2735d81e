import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertPair } from './self-signed-cert.js';

/** What the ACME cert store needs to know of a certificate; times in ms since the epoch. */
export interface CertFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  /** DNS names of the subjectAltName, lower case. */
  readonly names: readonly string[];
  readonly issuer: string;
  readonly serial: string;
  readonly fingerprint256: string;
}

/** The leaf (the first certificate of a chain), or null when the PEM does not parse. */
export function certFacts(certPem: string): CertFacts | null {
  try {
    const cert = new X509Certificate(certPem);
    return {
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
      names: dnsNames(cert.subjectAltName ?? ''),
      issuer: cert.issuer,
      serial: cert.serialNumber,
      fingerprint256: cert.fingerprint256,
    };
  } catch {
    return null;
  }
}

/**
 * A pair that can be served for `domains` at `now`: it parses, is inside its validity period,
 * names every domain (RFC 6125 6.4: matched against the DNS names of subjectAltName) and its
 * key is the certificate's. Facts of the leaf, or null.
 */
export function servableFacts(pair: CertPair, domains: readonly string[], now: number): CertFacts | null {
  const facts = certFacts(pair.cert);
  if (!facts || now < facts.notBefore || now >= facts.notAfter) return null;
  if (!domains.every((d) => facts.names.includes(d))) return null;
  try {
    if (!new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key))) return null;
  } catch {
    return null;
  }
  return facts;
}

/** Node writes subjectAltName as `DNS:a, DNS:b, IP Address:...`; names never hold ", ". */
function dnsNames(san: string): string[] {
  return san.split(', ').filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase());
}
