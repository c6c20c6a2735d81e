import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import acme from 'acme-client';
import type { CertPair } from './self-signed-cert.js';

/**
 * The one module that speaks ACME (acme-client). One call orders one certificate: account
 * (created, or found again by its key: RFC 8555 7.3.1), order, HTTP-01 for each domain, CSR,
 * download. Retrying a failed order is the caller's business.
 */
export interface OrderRequest {
  readonly directory: string;
  /** PEM file of the roots trusted for the directory's TLS; null: the system's. */
  readonly caBundle: string | null;
  readonly accountKey: string;
  readonly email: string | null;
  readonly domains: readonly string[];
  /** Makes the HTTP listener answer `token` (RFC 8555 8.3) before the CA is told to look. */
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
}

export type OrderCertificate = (request: OrderRequest) => Promise<CertPair>;

/** An ECDSA P-256 key in PEM: for the account, and for each certificate. */
export async function createEcKey(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

export const orderCertificate: OrderCertificate = async (request) => {
  trustForDirectory(request.directory, request.caBundle);
  const client = new acme.Client({
    directoryUrl: request.directory,
    accountKey: request.accountKey,
    // Polls of a pending order: acme-client's default starts at 5 s; a second is plenty of pause.
    backoffMin: 1000,
    backoffMax: 10_000,
    backoffAttempts: 10,
  });
  const key = await createEcKey();
  const [, csr] = await acme.crypto.createCsr({ commonName: request.domains[0], altNames: [...request.domains] }, key);
  const chain = await client.auto({
    csr,
    email: request.email ?? undefined,
    // The CA's terms (Let's Encrypt's subscriber agreement) are accepted by choosing mode acme:
    // docs/configuration.md says so, as Caddy does.
    termsOfServiceAgreed: true,
    // acme-client would first fetch the token itself from port 80; the CA's own check is the one
    // that counts, and the gateway may sit behind a port mapping it cannot see.
    skipChallengeVerification: true,
    challengePriority: ['http-01'],
    challengeCreateFn: (_authz, challenge, keyAuthorization) => request.publish(challenge.token, keyAuthorization),
    challengeRemoveFn: (_authz, challenge) => request.withdraw(challenge.token),
  });
  return { cert: chain, key };
};

/**
 * acme-client sends every request through one axios instance of its own; a request to a
 * directory configured with a CA bundle is given an agent that trusts that bundle only.
 * Keyed by origin: the directory's other URLs (orders, certificates) share it.
 */
const agents = new Map<string, { bundle: string; agent: Agent }>();
let installed = false;

function trustForDirectory(directory: string, caBundle: string | null): void {
  const origin = new URL(directory).origin;
  if (caBundle === null) {
    agents.delete(origin);
  } else {
    const bundle = readFileSync(caBundle, 'utf8');
    if (agents.get(origin)?.bundle !== bundle) agents.set(origin, { bundle, agent: new Agent({ ca: bundle, keepAlive: false }) });
  }
  if (installed) return;
  installed = true;
  const settings = (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings;
  // acme-client waits 5 s, 10 s ... up to 5 times on a 5xx or 429 before failing; our own
  // backoff (renewal-plan.ts) takes over sooner and logs each failure.
  settings.retryMaxAttempts = 2;
  // axios has no timeout by default: a CA that stops answering would hold the order lock.
  acme.axios.defaults.timeout = 30_000;
  acme.axios.interceptors.request.use((config) => {
    const url = config.url ? new URL(config.url, config.baseURL) : null;
    const entry = url ? agents.get(url.origin) : undefined;
    if (entry) config.httpsAgent = entry.agent;
    return config;
  });
}
