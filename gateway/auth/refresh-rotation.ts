import type { Store } from '../store/store.js';
import { authError } from './auth-error.js';
import { credentialFingerprint } from './credential-fingerprint.js';
import { parseSessionRecord, revocationKeys, type Revocation } from './revocation.js';
import type { TokenPair, TokenService } from './tokens/token-service.js';
import type { UserDirectory } from './user-directory.js';
import type { UserRecord } from './users-file.js';

/** What a rotation keeps for a retry within the grace window. */
interface Rotation {
  tokens: TokenPair;
  refreshJti: string;
}

const sessionEnded = () => authError('auth.token_revoked', 'the session has ended (logout, revocation, or a reset of the token store): log in again');

/**
 * Refresh with rotation (RFC 9700 4.14.2): every refresh token works once. The session record
 * (revocation.ts) holds the one refresh jti that may rotate next; no record, no refresh, so a
 * store that lost its state refuses every refresh token instead of accepting them all.
 * Presenting an older one of the session means it was copied: the whole family (every token
 * descended from that login) is revoked. A client that retries within `graceMs` (a lost
 * response) gets the same new pair again, kept in the store for that long only.
 */
export async function rotateRefreshToken(
  refreshToken: string,
  deps: { tokens: TokenService; revocation: Revocation; store: Store; users: UserDirectory; graceMs: number },
): Promise<TokenPair> {
  const claims = await deps.tokens.verifyRefresh(refreshToken);
  const { sub, jti, fam } = claims;
  if (await deps.revocation.isRevoked(sub, { jti, family: fam || undefined, issuedAt: claims.iat, external: false })) throw sessionEnded();

  const graceKey = revocationKeys.refreshGrace(sub, jti);
  const [grace, stored] = await deps.store.getMany([graceKey, revocationKeys.session(sub, fam)]);
  const current = parseSessionRecord(stored ?? null);
  if (grace) {
    // A retry is still a refresh: an account changed since the first try gets nothing.
    if (!current || !activeUser(deps.users, sub, current.credential)) throw sessionEnded();
    const kept = JSON.parse(grace.toString()) as Rotation;
    // The rotation that stored this answer failed before moving the record on: finish it, or
    // the new refresh token would look like a reused one.
    if (current?.refreshJti === jti) await deps.revocation.recordSession(sub, fam, { refreshJti: kept.refreshJti, credential: current.credential });
    return kept.tokens;
  }
  if (!current) throw sessionEnded(); // ended since the check above
  if (current.refreshJti !== jti) {
    await deps.revocation.revokeFamily(sub, fam);
    throw authError('auth.refresh_reused', 'this refresh token was already used; every session token from it is revoked');
  }

  // Roles come from the directory now, not from the old token: a changed or disabled user shows at refresh.
  // A user removed, disabled or given a new password (or removed and added again) ends the session
  // for good: the refusal revokes the family, so re-enabling the account does not revive it.
  const user = activeUser(deps.users, sub, current.credential);
  if (!user) {
    await deps.revocation.revokeFamily(sub, fam);
    throw authError('auth.token_revoked', 'the account changed (removed, disabled or a new password) since this session began: log in again');
  }
  const issued = await deps.tokens.issuePair(sub, user.roles, fam);
  const rotation: Rotation = { tokens: issued.tokens, refreshJti: issued.refreshJti };
  if (!(await deps.store.setIfAbsent(graceKey, JSON.stringify(rotation), deps.graceMs))) {
    const winner = await deps.store.get(graceKey); // a concurrent retry rotated first
    if (!winner) throw sessionEnded(); // and its grace window has passed already
    return (JSON.parse(winner.toString()) as Rotation).tokens;
  }
  await deps.revocation.recordSession(sub, fam, { refreshJti: issued.refreshJti, credential: current.credential });
  return issued.tokens;
}

/** The user, when it exists, is enabled and still has the password the session was opened with. */
function activeUser(users: UserDirectory, sub: string, credential: string): UserRecord | null {
  const user = users.find(sub);
  return user && !user.disabled && credentialFingerprint(user.hash) === credential ? user : null;
}
