import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';

/**
 * HTTP-01 answers (RFC 8555 8.3) for the HTTP listener, one board per process. A token is kept
 * here and in the store: the CA's request may reach any instance behind the load balancer, not
 * only the one that ordered. The key authorization is no secret (the CA fetches it in clear),
 * but the token is unguessable, so nothing else can be read through this path.
 */
export interface AcmeChallenges {
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
  /** The key authorization for `token`, or null: this process's first, then the store's. */
  answer(token: string): Promise<string | null>;
}

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** RFC 8555 8.1: a token is base64url of at least 128 bits; anything else is no token of ours. */
export function isAcmeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{22,128}$/.test(token);
}

/** A challenge outlives no order: pending authorizations expire long before, this only tidies. */
const CHALLENGE_TTL_MS = 10 * 60_000;

export function createAcmeChallenges(store: Store, logger: Logger): AcmeChallenges {
  const local = new Map<string, string>();
  const key = (token: string) => `acme:challenge:${token}`;
  return {
    async publish(token, keyAuthorization) {
      if (!isAcmeToken(token)) throw new Error('the CA sent a challenge token that is not base64url');
      local.set(token, keyAuthorization);
      try {
        await store.set(key(token), keyAuthorization, CHALLENGE_TTL_MS);
      } catch (err) {
        // This instance still answers; another one behind the same name would not.
        logger.warn({ kind: 'tls', event: 'acme.challenge_not_shared', err: (err as Error).message }, 'acme: the store did not take the challenge answer; only this instance can answer it');
      }
    },
    async withdraw(token) {
      local.delete(token);
      await store.delete(key(token)).catch(() => {});
    },
    async answer(token) {
      if (!isAcmeToken(token)) return null;
      const mine = local.get(token);
      if (mine !== undefined) return mine;
      try {
        return (await store.get(key(token)))?.toString('utf8') ?? null;
      } catch {
        return null;
      }
    },
  };
}
