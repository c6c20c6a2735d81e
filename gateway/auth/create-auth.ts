import type { Router } from 'express';
import { createAuthRoutes } from '../api/auth-routes.js';
import type { GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { createLimiter } from '../ratelimit/create-limiter.js';
import type { Store } from '../store/store.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { createJwksClient } from './tokens/jwks-client.js';
import { createPasswordHasher } from './password-hasher.js';
import { createRevocation } from './revocation.js';
import { createTokenService } from './tokens/token-service.js';
import { createUserDirectory } from './user-directory.js';

export interface AuthSystem {
  authenticator: Authenticator;
  routes: Router;
  close(): void;
}

/** Everything authentication needs, built once per config (keys imported, files watched). */
export async function createAuthSystem(config: NonNullable<GatewayConfig['auth']>, store: Store, logger: Logger): Promise<AuthSystem> {
  const tokens = await createTokenService(config.jwt);
  const hasher = await createPasswordHasher(config.argon2);
  const revocation = createRevocation(store, config.jwt.refreshTtl);
  const users = createUserDirectory(config.users?.file, hasher, (err) => logger.error({ kind: 'auth', err: err.message }, 'users file rejected; the previous users stay'));
  const jwks = config.jwks
    ? createJwksClient(config.jwks.url, config.jwks.refreshInterval, config.jwks.cooldown, (err) => logger.warn({ kind: 'auth', err: err.message }, 'JWKS fetch failed; keeping the last good keys'))
    : null;
  const authenticator = createAuthenticator(config, { tokens, revocation, jwks, logger });
  const window = config.login.window;
  const routes = createAuthRoutes({
    config, tokens, users, revocation, store, authenticator, logger,
    loginFailuresByUserIp: createLimiter(store, { name: 'login-user-ip', points: config.login.failuresPerUserAndIp, durationMs: window }),
    loginFailuresByIp: createLimiter(store, { name: 'login-ip', points: config.login.failuresPerIp, durationMs: window }),
  });
  return {
    authenticator,
    routes,
    close() {
      authenticator.close();
      users.close();
    },
  };
}
