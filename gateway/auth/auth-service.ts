import type { GatewayConfig } from '../config/compile-config.js';
import { credentialFingerprint } from './credential-fingerprint.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { authError } from './auth-error.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { createKeyDirectory, createStoreKeyDirectory, type KeyDirectory } from './key-directory.js';
import { createPasswordHasher } from './password-hasher.js';
import type { Principal } from './principal.js';
import { rotateRefreshToken } from './refresh-rotation.js';
import { createRevocation } from './revocation.js';
import { storeGuard } from './store-guard.js';
import { createJwksClient } from './tokens/jwks-client.js';
import { createTokenService, type TokenPair } from './tokens/token-service.js';
import { keySecretFingerprint } from './key-secret-fingerprint.js';
import { startStoreDirectoryFeed, type StoreDirectoryFeed } from './store-directory.js';
import { createStoreUserDirectory, createUserDirectory, type UserDirectory } from './user-directory.js';
import type { UserRecord } from './users-file.js';

type AuthConfig = NonNullable<GatewayConfig['auth']>;

/**
 * What authentication does, for whoever serves it (the control plane's routes, the pipeline's
 * authenticate stage). No HTTP here: failures are GatewayErrors with auth.* codes.
 */
export interface AuthService {
  /** Verifies bearer tokens and API keys on requests. */
  readonly authenticator: Authenticator;
  readonly users: UserDirectory;
  /** null when no API keys file is configured. */
  readonly keys: KeyDirectory | null;
  /** A token pair for the right password; null otherwise (wrong password, unknown or disabled user: same time). */
  login(username: string, password: string): Promise<{ user: UserRecord; tokens: TokenPair } | null>;
  /** Rotates a refresh token (refresh-rotation.ts). */
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Revokes the caller's access token and session, and the session of `refreshToken` if it is theirs. */
  logout(principal: Principal, refreshToken?: string): Promise<void>;
  /** Ends the session a refresh token belongs to, for a client that holds nothing else. */
  endSession(refreshToken: string): Promise<void>;
  /** Every token of `user` issued up to now stops working, on every instance. */
  revokeAll(user: string): Promise<void>;
  /** false until an identity provider's first key set has loaded. */
  ready(): boolean;
  /** Stops this service's file watches and timers only. */
  close(): void;
}

export interface AuthDeps {
  store: Store;
  logger: Logger;
  clock: () => number;
}

/** Built once per `auth` section: keys imported, files read and watched. */
export async function createAuthService(config: AuthConfig, deps: AuthDeps): Promise<AuthService> {
  const { store, logger, clock } = deps;
  const tokens = await createTokenService(config.jwt, clock);
  const hasher = await createPasswordHasher(config.argon2);
  // Long enough for the last token of a session to expire, whichever of the two lives longer.
  const revocation = createRevocation(store, Math.max(config.jwt.refreshTtl, config.jwt.accessTtl) + config.jwt.clockTolerance, clock);
  const owned: { close(): void }[] = [];
  let users: UserDirectory;
  let keys: KeyDirectory | null;
  try {
    const feed = await storeDirectoryFeed(config, deps);
    if (feed) own(feed);
    users = own(config.users?.source === 'store'
      ? createStoreUserDirectory(feed!, hasher)
      : createUserDirectory(config.users?.file, hasher, (err) => logger.error({ kind: 'auth', err: err.message }, 'users file rejected; the previous users stay')));
    const apiKeys = config.apiKeys;
    keys = !apiKeys ? null : own(apiKeys.source === 'store'
      ? createStoreKeyDirectory(feed!, apiKeys.secret, clock)
      : createKeyDirectory(apiKeys.file, apiKeys.secret, (err) => logger.error({ kind: 'auth', err: err.message }, 'API keys file rejected; the previous keys stay'), clock));
  } catch (err) {
    for (const o of owned) o.close(); // a half-built service releases its watches
    throw err;
  }
  const jwks = config.jwks
    ? own(createJwksClient(config.jwks.url, config.jwks.refreshInterval, config.jwks.cooldown, (err) => logger.warn({ kind: 'auth', err: err.message }, 'JWKS fetch failed; keeping the last good keys'), clock))
    : null;
  const authenticator = createAuthenticator(config, { tokens, revocation, jwks, keys, logger });

  function own<T extends { close(): void }>(part: T): T {
    owned.push(part);
    return part;
  }

  return {
    authenticator,
    users,
    keys,
    async login(username, password) {
      // Asked before the password is checked: with the store down every login gets the same 503,
      // where checking first answered 401 to a wrong password and 503 to a right one (an oracle).
      await storeGuard(() => store.ping(), 'sign-in is unavailable while token state cannot be kept');
      // A store directory without a current snapshot: the same 503 for every name and password.
      const user = await storeGuard(() => users.authenticate(username, password), 'sign-in is unavailable while the user directory cannot be read');
      if (!user) return null;
      const issued = await tokens.issuePair(user.username, user.roles);
      // A session exists only once its record does (revocation.ts); while the store is down,
      // whatever onStoreError says, the login is refused rather than handing out tokens that
      // would be refused on first use once the store answers again.
      await storeGuard(() => revocation.recordSession(user.username, issued.family, { refreshJti: issued.refreshJti, credential: credentialFingerprint(user.hash) }), 'sign-in is unavailable while token state cannot be kept');
      return { user, tokens: issued.tokens };
    },
    refresh: (refreshToken) => storeGuard(() => rotateRefreshToken(refreshToken, { tokens, revocation, store, users, graceMs: config.jwt.refreshGrace })),
    async endSession(refreshToken) {
      const claims = await tokens.verifyRefresh(refreshToken);
      await storeGuard(() => revocation.revokeFamily(claims.sub, claims.fam));
    },
    async logout(principal, refreshToken) {
      const token = principal.token;
      if (!token || token.external) throw authError('auth.invalid_token', 'logout needs an access token issued by this gateway');
      await storeGuard(async () => {
        await revocation.revokeToken(principal.id, token.jti, token.expiresAt);
        if (token.family) await revocation.revokeFamily(principal.id, token.family);
        if (!refreshToken) return;
        const claims = await tokens.verifyRefresh(refreshToken).catch(() => null);
        if (claims && claims.sub === principal.id) await revocation.revokeFamily(claims.sub, claims.fam);
      });
    },
    revokeAll: (user) => storeGuard(() => revocation.revokeAll(user)),
    ready: () => authenticator.jwksReady(),
    close() {
      for (const o of owned) o.close();
    },
  };
}

/** One poller for whichever of users and keys live in the store; null when both are files. */
async function storeDirectoryFeed(config: AuthConfig, deps: AuthDeps): Promise<StoreDirectoryFeed | null> {
  const users = config.users?.source === 'store';
  const keys = config.apiKeys?.source === 'store';
  if (!users && !keys) return null;
  const { logger } = deps;
  return startStoreDirectoryFeed(deps.store, {
    users,
    keys,
    useStale: config.onStoreError === 'allow',
    now: deps.clock,
    ...(config.apiKeys?.source === 'store' ? { keySecretFingerprint: keySecretFingerprint(config.apiKeys.secret) } : {}),
    report(event, detail) {
      if (event === 'recovered') logger.info({ kind: 'auth' }, detail);
      else if (event === 'failing') logger.warn({ kind: 'auth', err: detail }, `store directory cannot be read; ${config.onStoreError === 'allow' ? 'keeping the last snapshot' : 'API keys and logins fail closed once the snapshot is stale'}`);
      else if (event === 'key-secret-mismatch') logger.error({ kind: 'auth', problem: 'api_key_secret_mismatch' }, detail);
      else logger.error({ kind: 'auth' }, detail);
    },
  });
}
