import type { Store } from '../store/store.js';
import type { Principal } from './principal.js';

/**
 * Token state, shared by every instance through the store. All keys of one user share the hash
 * tag `{user}` so a request's check is one MGET even on Redis Cluster.
 *
 * Two kinds of entry (docs/adr/0004): revocations are deny entries (jti, family, a per-user
 * cut-off), written once and never undone, so no race can bring a session back; and each
 * session of the gateway's own tokens has a positive record holding its current refresh jti.
 * A token whose session record is absent is refused: when the store loses its state (a
 * restarted in-memory store, a Redis without persistence, FLUSHALL, eviction), every session
 * ends instead of every logout being forgotten. Entries live as long as a token of theirs can.
 */
const enc = (s: string) => encodeURIComponent(s);
export const revocationKeys = {
  jti: (sub: string, jti: string) => `rv:{${enc(sub)}}:jti:${jti}`,
  family: (sub: string, fam: string) => `rv:{${enc(sub)}}:fam:${fam}`,
  notBefore: (sub: string) => `rv:{${enc(sub)}}:nbf`,
  session: (sub: string, fam: string) => `rv:{${enc(sub)}}:session:${fam}`,
  refreshGrace: (sub: string, jti: string) => `rv:{${enc(sub)}}:grace:${jti}`,
};

/** What the check needs of a verified token. External (identity provider) tokens have no session here. */
export interface TokenRef {
  jti: string;
  family: string | undefined;
  issuedAt: number; // seconds
  external: boolean;
}

export interface Revocation {
  /**
   * true when the token is revoked by jti, by its family, or by a revoke-all after it was
   * issued, or (own tokens) when its session has no record. Throws StoreUnavailableError.
   */
  isRevoked(sub: string, token: TokenRef): Promise<boolean>;
  /** Records a session's current refresh token and the credential it was opened with: at login and at every rotation. */
  recordSession(sub: string, family: string, record: SessionRecord): Promise<void>;
  revokeToken(sub: string, jti: string, expiresAt: number): Promise<void>;
  revokeFamily(sub: string, family: string): Promise<void>;
  /**
   * Every token of the user issued up to now stops working. `untilMs` moves the cut-off later:
   * tokens issued until then stop too (the CLI covers the time instances take to see a change).
   */
  revokeAll(sub: string, untilMs?: number): Promise<void>;
}

/** `lifetimeMs`: how long a token can stay valid, so how long its entries must last. */
export function createRevocation(store: Store, lifetimeMs: number, now: () => number = Date.now): Revocation {
  return {
    async isRevoked(sub, token) {
      // An own token always names its session; one that does not is not ours to accept.
      if (!token.external && !token.family) return true;
      const keys = [revocationKeys.jti(sub, token.jti), revocationKeys.notBefore(sub)];
      if (!token.external) keys.push(revocationKeys.family(sub, token.family!), revocationKeys.session(sub, token.family!));
      const [byJti, notBefore, byFamily, session] = await store.getMany(keys);
      if (byJti || byFamily) return true;
      if (!token.external && !session) return true;
      // iat has one-second resolution: a token from the very second of a revoke-all is revoked too.
      return notBefore !== null && notBefore !== undefined && token.issuedAt <= Number(notBefore.toString());
    },
    async recordSession(sub, family, record) {
      await store.set(revocationKeys.session(sub, family), `${record.refreshJti} ${record.credential}`, lifetimeMs);
    },
    async revokeToken(sub, jti, expiresAt) {
      const ttl = expiresAt * 1000 - now();
      if (ttl > 0) await store.set(revocationKeys.jti(sub, jti), '1', ttl);
    },
    async revokeFamily(sub, family) {
      // The deny entry first: it is what a rotation racing this call cannot undo.
      await store.set(revocationKeys.family(sub, family), '1', lifetimeMs);
      await store.delete(revocationKeys.session(sub, family));
    },
    async revokeAll(sub, untilMs = now()) {
      await store.set(revocationKeys.notBefore(sub), String(Math.floor(untilMs / 1000)), lifetimeMs + Math.max(0, untilMs - now()));
    },
  };
}

export function principalRevoked(revocation: Revocation, p: Principal): Promise<boolean> {
  if (!p.token) return Promise.resolve(false);
  return revocation.isRevoked(p.id, p.token);
}

/** What a session record holds; the access check reads only that it exists. */
export interface SessionRecord {
  /** The one refresh token that may rotate next. */
  refreshJti: string;
  /** credentialFingerprint() of the password the session was opened with. */
  credential: string;
}

export function parseSessionRecord(value: Buffer | null): SessionRecord | null {
  if (value === null) return null;
  const [refreshJti = '', credential = ''] = value.toString().split(' ');
  return { refreshJti, credential };
}
