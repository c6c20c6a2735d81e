import type { GatewayConfig, RouteAuth } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { StoreUnavailableError } from '../store/store.js';
import { authError } from './auth-error.js';
import { looksLikeApiKey, type KeyCheck } from './api-keys.js';
import type { KeyDirectory } from './key-directory.js';
import type { JwksClient } from './tokens/jwks-client.js';
import type { Principal } from './principal.js';
import { hasQueryCredential } from './query-credentials.js';
import { principalRevoked, type Revocation } from './revocation.js';
import { toClaims, translateJoseError, unverifiedIssuer, type TokenService } from './tokens/token-service.js';

type AuthConfig = NonNullable<GatewayConfig['auth']>;

/** RFC 6750 2.1 with a bound: an Authorization value over 8 KiB is not a token of ours. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_AUTHORIZATION = 8192;

export interface Authenticator {
  /**
   * The caller, or null when no credentials came. Throws a 401 for bad credentials and a 503
   * when revocation cannot be checked (unless `onStoreError: allow`). `queryToken` is the
   * `access_token` a WebSocket handshake may carry, taken out of `query` before this is called:
   * any other credential parameter still in `query` is refused, handshake or not.
   */
  authenticate(headers: Record<string, string | string[] | undefined>, query: string, auth: RouteAuth, queryToken?: string): Promise<Principal | null>;
  jwksReady(): boolean;
}

/** Verifies credentials; owns none of the parts it uses (auth-service.ts closes them). */
export function createAuthenticator(config: AuthConfig, deps: { tokens: TokenService; revocation: Revocation; jwks: JwksClient | null; keys: KeyDirectory | null; logger: Logger }): Authenticator {
  const { keys } = deps;

  const verifyJwt = async (token: string): Promise<Principal> => {
    const jwks = config.jwks;
    if (jwks && deps.jwks && unverifiedIssuer(token) === jwks.issuer) {
      try {
        const payload = await deps.jwks.verify(token, { issuer: jwks.issuer, audience: jwks.audience, algorithms: jwks.algorithms, clockTolerance: Math.floor(config.jwt.clockTolerance / 1000) });
        const claims = toClaims(payload, jwks.rolesClaim);
        return { id: claims.sub, roles: new Set(claims.roles), method: 'jwt', token: { jti: claims.jti ?? '', family: undefined, issuedAt: claims.iat, expiresAt: claims.exp, external: true } };
      } catch (err) {
        throw translateJoseError(err);
      }
    }
    const claims = await deps.tokens.verifyAccess(token);
    return { id: claims.sub, roles: new Set(claims.roles), method: 'jwt', token: { jti: claims.jti, family: claims.fam || undefined, issuedAt: claims.iat, expiresAt: claims.exp, external: false } };
  };

  const checkKey = (apiKey: string | string[], auth: RouteAuth): Principal => {
    if (!auth.apiKey || !keys) throw authError('auth.invalid_api_key', 'this route does not accept API keys');
    let check: KeyCheck;
    try {
      check = typeof apiKey === 'string' ? keys.check(apiKey) : { ok: false, reason: 'malformed' };
    } catch (err) {
      // A store directory with no current snapshot: a revoked key must not pass (onStoreError: allow keeps using a stale one; none at all is this).
      if (err instanceof StoreUnavailableError) throw authError('auth.store_unavailable', 'API keys cannot be checked right now');
      throw err;
    }
    if (!check.ok) throw authError('auth.invalid_api_key', check.reason === 'expired' ? 'the API key has expired' : 'unknown or revoked API key');
    return { id: check.record.name, roles: new Set(check.record.roles), method: 'apiKey' };
  };

  const checkRevoked = async (p: Principal): Promise<void> => {
    let revoked: boolean;
    try {
      revoked = await principalRevoked(deps.revocation, p);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      // Fail closed by default (security notes, item 10): a logged-out token must not work just because Redis is away.
      if (config.onStoreError === 'deny') throw authError('auth.store_unavailable', 'token revocation cannot be checked right now');
      deps.logger.warn({ kind: 'auth' }, 'revocation check skipped: store unavailable (onStoreError: allow)');
      return;
    }
    if (revoked) throw authError('auth.token_revoked', 'the token has been revoked');
  };

  return {
    async authenticate(headers, query, auth, queryToken) {
      // A handshake's `access_token` is already out of `query`: whatever else is left is checked too.
      if (query && hasQueryCredential(query)) {
        throw authError('auth.credentials_in_query', 'send the token in Authorization or the key in X-API-Key, never in the URL');
      }
      const authorization = headers.authorization;
      const apiKey = headers['x-api-key'];
      if (typeof authorization === 'string' || queryToken !== undefined) {
        const m = typeof authorization === 'string' && authorization.length <= MAX_AUTHORIZATION ? BEARER.exec(authorization) : null;
        // Where the route allows it (the admin listener), an API key may come as the bearer
        // credential: what a Prometheus without custom headers (Debian's 2.42) can send.
        if (m && auth.mode === 'required' && auth.apiKeyAsBearer && looksLikeApiKey(m[1]!)) return checkKey(m[1]!, auth);
        if (!auth.jwt) throw authError('auth.invalid_token', 'this route accepts API keys only');
        let token = queryToken;
        if (typeof authorization === 'string') {
          if (!m) throw authError('auth.invalid_token', 'expected "Authorization: Bearer <token>"');
          token = m[1]!;
        }
        const principal = await verifyJwt(token!);
        await checkRevoked(principal);
        return principal;
      }
      if (apiKey !== undefined) return checkKey(apiKey, auth);
      return null;
    },
    jwksReady: () => deps.jwks?.ready() ?? true,
  };
}
