import type { Store } from '../store/store.js';
import { authError } from './auth-error.js';
import { revocationKeys, type Revocation } from './revocation.js';
import type { TokenPair, TokenService } from './tokens/token-service.js';
import type { UserDirectory } from './user-directory.js';

/**
 * Refresh with rotation (RFC 9700 4.14.2): every refresh token works once. Presenting one that
 * was already used means it was copied: the whole family (every token descended from that
 * login) is revoked. A client that retries within `graceMs` (a lost response) gets the same
 * new pair again, kept in the store for that long only.
 */
export async function rotateRefreshToken(
  refreshToken: string,
  deps: { tokens: TokenService; revocation: Revocation; store: Store; users: UserDirectory; graceMs: number; now?: () => number },
): Promise<TokenPair> {
  const now = deps.now ?? Date.now;
  const claims = await deps.tokens.verifyRefresh(refreshToken);
  const { sub, jti, fam } = claims;
  if (await deps.revocation.isRevoked(sub, jti, fam, claims.iat)) throw authError('auth.token_revoked', 'the refresh token has been revoked');

  const graceKey = revocationKeys.refreshGrace(sub, jti);
  const usedKey = revocationKeys.refreshUsed(sub, jti);
  const [grace, used] = await deps.store.getMany([graceKey, usedKey]);
  if (grace) return JSON.parse(grace.toString()) as TokenPair;
  if (used) {
    await deps.revocation.revokeFamily(sub, fam);
    throw authError('auth.refresh_reused', 'this refresh token was already used; every session token from it is revoked');
  }

  // Roles come from the directory now, not from the old token: a changed or disabled user shows at refresh.
  const user = deps.users.find(sub);
  if (!user || user.disabled) throw authError('auth.token_revoked', 'the account is no longer active');
  const pair = (await deps.tokens.issuePair(sub, user.roles, fam)).tokens;
  if (!(await deps.store.setIfAbsent(graceKey, JSON.stringify(pair), deps.graceMs))) {
    const winner = await deps.store.get(graceKey); // a concurrent retry rotated first
    if (winner) return JSON.parse(winner.toString()) as TokenPair;
  }
  await deps.store.set(usedKey, '1', Math.max(1000, claims.exp * 1000 - now()));
  return pair;
}
