import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
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

/** Each request to the CA: axios has no timeout by default, and a hung order holds the lock. */
const REQUEST_TIMEOUT_MS = 30_000;

/** An ECDSA P-256 key in PEM: for the account, and for each certificate. */
export async function createEcKey(): Promise<string> {
  return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
}

export const orderCertificate: OrderCertificate = async (request) => {
  const agent = trustForDirectory(request.directory, request.caBundle);
  await reachDirectory(request.directory, agent);
  const client = new acme.Client({
    directoryUrl: request.directory,
    accountKey: request.accountKey,
    // Polls of a pending order: acme-client's default starts at 5 s; a second is plenty of pause.
    backoffMin: 1000,
    backoffMax: 10_000,
    backoffAttempts: 10,
  });
  // Without a contact, auto() answers an account that exists (HTTP 200: every order after the
  // first) with an update carrying only termsOfServiceAgreed, which a CA may refuse (pebble: "Use
  // POST-as-GET to retrieve account data instead of doing an empty update"). Finding it first with
  // onlyReturnExisting (RFC 8555 7.3.1) fetches it with a POST-as-GET and leaves auto() nothing to
  // register; an account that does not exist yet is created by auto() as before. With an email,
  // auto()'s update keeps the account's contact current.
  if (request.email === null) await client.createAccount({ onlyReturnExisting: true }).catch(() => {});
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
  }).catch((err: unknown) => {
    // acme-client 5.4 turns a connection lost mid-order into a TypeError of its own making
    // (axios.js reads `response.config` of a response that never came).
    if (err instanceof TypeError) throw new Error('the connection to the ACME server failed during the order', { cause: err });
    throw err;
  });
  return { cert: chain, key };
};

/**
 * The directory fetched once before acme-client runs: an unreachable CA or a TLS failure (a
 * wrong caBundle) is reported by its code (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE ...),
 * which acme-client's own error would hide.
 */
function reachDirectory(directory: string, agent: Agent | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(directory, { agent, timeout: REQUEST_TIMEOUT_MS, headers: { accept: 'application/json' } }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`the ACME directory ${directory} answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot reach the ACME directory ${directory}: ${err.code ?? err.message}`)));
  });
}

/**
 * acme-client sends every request through one axios instance of its own; a request to a
 * directory configured with a CA bundle is given an agent that trusts that bundle only.
 * Keyed by origin: the directory's other URLs (orders, certificates) share it.
 */
const agents = new Map<string, { bundle: string; agent: Agent }>();
let installed = false;

function trustForDirectory(directory: string, caBundle: string | null): Agent | undefined {
  const origin = new URL(directory).origin;
  if (caBundle === null) {
    agents.delete(origin);
  } else {
    const bundle = readFileSync(caBundle, 'utf8');
    if (agents.get(origin)?.bundle !== bundle) agents.set(origin, { bundle, agent: new Agent({ ca: bundle, keepAlive: false }) });
  }
  install();
  return agents.get(origin)?.agent;
}

function install(): void {
  if (installed) return;
  installed = true;
  // acme-client would retry a 5xx, a 429 or a refused connection itself, up to 5 times, sleeping
  // 5 s, 10 s ... or as long as a Retry-After says, inside the order and under our lock. Every
  // failure goes to the gateway's own schedule instead (renewal-plan.ts), logged once each.
  // (A badNonce is still retried at once, RFC 8555 6.5: that is acme-client's http.js.)
  (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
  acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
  acme.axios.interceptors.request.use((config) => {
    const url = config.url ? new URL(config.url, config.baseURL) : null;
    const entry = url ? agents.get(url.origin) : undefined;
    if (entry) config.httpsAgent = entry.agent;
    return config;
  });
}
