import type { Store } from '../store/store.js';
import type { Principal } from './principal.js';

/**
 * Revocation state, shared by every instance through the store. All keys of one user share the
 * hash tag `{user}` so a request's check is one MGET even on Redis Cluster. Entries live as long
 * as the tokens they revoke can (jti: the token's remaining life; families and user cut-offs:
 * the refresh lifetime).
 */
const enc = (s: string) => encodeURIComponent(s);
export const revocationKeys = {
  jti: (sub: string, jti: string) => `rv:{${enc(sub)}}:jti:${jti}`,
  family: (sub: string, fam: string) => `rv:{${enc(sub)}}:fam:${fam}`,
  notBefore: (sub: string) => `rv:{${enc(sub)}}:nbf`,
  refreshUsed: (sub: string, jti: string) => `rv:{${enc(sub)}}:used:${jti}`,
  refreshGrace: (sub: string, jti: string) => `rv:{${enc(sub)}}:grace:${jti}`,
};

export interface Revocation {
  /** true when the token is revoked by jti, by its family, or by a revoke-all after it was issued. Throws StoreUnavailableError. */
  isRevoked(sub: string, jti: string, family: string | undefined, issuedAt: number): Promise<boolean>;
  revokeToken(sub: string, jti: string, expiresAt: number): Promise<void>;
  revokeFamily(sub: string, family: string): Promise<void>;
  /** Every token of the user issued up to now stops working. */
  revokeAll(sub: string): Promise<void>;
}

export function createRevocation(store: Store, refreshTtlMs: number, now: () => number = Date.now): Revocation {
  return {
    async isRevoked(sub, jti, family, issuedAt) {
      const keys = [revocationKeys.jti(sub, jti), revocationKeys.notBefore(sub)];
      if (family) keys.push(revocationKeys.family(sub, family));
      const [byJti, notBefore, byFamily] = await store.getMany(keys);
      if (byJti || byFamily) return true;
      // iat has one-second resolution: a token from the very second of a revoke-all is revoked too.
      return notBefore !== null && notBefore !== undefined && issuedAt <= Number(notBefore.toString());
    },
    async revokeToken(sub, jti, expiresAt) {
      const ttl = expiresAt * 1000 - now();
      if (ttl > 0) await store.set(revocationKeys.jti(sub, jti), '1', ttl);
    },
    async revokeFamily(sub, family) {
      await store.set(revocationKeys.family(sub, family), '1', refreshTtlMs);
    },
    async revokeAll(sub) {
      await store.set(revocationKeys.notBefore(sub), String(Math.floor(now() / 1000)), refreshTtlMs);
    },
  };
}

export function principalRevoked(revocation: Revocation, p: Principal): Promise<boolean> {
  if (!p.token) return Promise.resolve(false);
  return revocation.isRevoked(p.id, p.token.jti, p.token.family, p.token.issuedAt);
}
