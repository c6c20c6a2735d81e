import express, { type Request, type Response, type Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { authError } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { rotateRefreshToken } from '../auth/refresh-rotation.js';
import type { Revocation } from '../auth/revocation.js';
import type { TokenService } from '../auth/tokens/token-service.js';
import type { UserDirectory } from '../auth/user-directory.js';
import type { GatewayConfig } from '../config/compile-config.js';
import { GatewayError, retryAfterError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { contextOf, type RequestContext } from '../pipeline/request-context.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import type { Store } from '../store/store.js';
import { StoreUnavailableError } from '../store/store.js';
import { AUTH_OPENAPI } from './auth-openapi.js';

export interface AuthApiDeps {
  config: NonNullable<GatewayConfig['auth']>;
  tokens: TokenService;
  users: UserDirectory;
  revocation: Revocation;
  store: Store;
  authenticator: Authenticator;
  loginFailuresByUserIp: Limiter;
  loginFailuresByIp: Limiter;
  logger: Logger;
}

/** The role that may revoke other users' tokens. */
export const ADMIN_ROLE = 'admin';

/** /api/auth/*: the gateway issues the tokens it verifies. Every failure is a GatewayError. */
export function createAuthRoutes(deps: AuthApiDeps): Router {
  const router = express.Router();
  const parseBody = [express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' })];

  router.post('/login', parseBody, wrap(async (req, res, ctx) => {
    const username = field(req, 'username', 64);
    const password = field(req, 'password', 1024);
    const ipKey = ctx.clientIp;
    const userIpKey = `${username}|${ctx.clientIp}`;
    for (const [limiter, key] of [[deps.loginFailuresByUserIp, userIpKey], [deps.loginFailuresByIp, ipKey]] as const) {
      const { consumed, resetMs } = await limiter.used(key).catch(() => ({ consumed: 0, resetMs: 0 }));
      if (consumed >= limiter.points) throw retryAfterError('auth.too_many_attempts', resetMs, (s) => `too many failed logins; try again in ${s} s`);
    }
    const user = await deps.users.authenticate(username, password);
    if (!user) {
      await Promise.all([deps.loginFailuresByUserIp.consume(userIpKey), deps.loginFailuresByIp.consume(ipKey)]);
      deps.logger.info({ kind: 'auth', event: 'login_failed', request_id: ctx.requestId, client_ip: ctx.clientIp }, 'login failed');
      // One answer for a wrong password and an unknown user (the dummy hash evens the time too).
      throw authError('auth.invalid_credentials', 'wrong username or password');
    }
    await deps.loginFailuresByUserIp.reset(userIpKey).catch(() => {});
    deps.logger.info({ kind: 'auth', event: 'login', user: user.username, request_id: ctx.requestId }, 'login');
    res.status(200).set('cache-control', 'no-store').json(await deps.tokens.issuePair(user.username, user.roles));
  }));

  router.post('/refresh', parseBody, wrap(async (req, res) => {
    const refreshToken = field(req, 'refresh_token', 8192);
    const pair = await storeGuard(() => rotateRefreshToken(refreshToken, { ...deps, graceMs: deps.config.jwt.refreshGrace }));
    res.status(200).set('cache-control', 'no-store').json(pair);
  }));

  router.post('/logout', parseBody, wrap(async (req, res, ctx) => {
    const principal = requireJwtPrincipal(ctx);
    const token = principal.token!;
    await storeGuard(async () => {
      await deps.revocation.revokeToken(principal.id, token.jti, token.expiresAt);
      if (token.family) await deps.revocation.revokeFamily(principal.id, token.family);
      const refresh = optionalField(req, 'refresh_token', 8192);
      if (refresh) {
        const claims = await deps.tokens.verifyRefresh(refresh).catch(() => null);
        if (claims && claims.sub === principal.id) await deps.revocation.revokeFamily(claims.sub, claims.fam);
      }
    });
    res.status(204).end();
  }));

  router.get('/me', wrap(async (_req, res, ctx) => {
    const p = ctx.principal;
    if (!p) throw authError('auth.missing_credentials');
    res.set('cache-control', 'no-store').json({
      id: p.id,
      roles: [...p.roles],
      auth_method: p.method,
      token_expires_at: p.token ? new Date(p.token.expiresAt * 1000).toISOString() : null,
    });
  }));

  router.post('/revoke', parseBody, wrap(async (req, res, ctx) => {
    const p = ctx.principal;
    if (!p) throw authError('auth.missing_credentials');
    if (!p.roles.has(ADMIN_ROLE)) throw authError('auth.forbidden', `revoking needs the "${ADMIN_ROLE}" role`);
    const user = field(req, 'user', 128);
    await storeGuard(() => deps.revocation.revokeAll(user));
    deps.logger.info({ kind: 'auth', event: 'revoke_all', user, by: p.id, request_id: ctx.requestId }, 'revoked every token of a user');
    res.status(204).end();
  }));

  router.get('/openapi.json', (_req, res) => {
    res.json(AUTH_OPENAPI);
  });
  return router;
}

type Handler = (req: Request, res: Response, ctx: RequestContext) => Promise<void>;

function wrap(handler: Handler) {
  return (req: Request, res: Response, next: (err?: unknown) => void) => {
    // Every request reaching this router came through the gateway-api stage, which lent the context.
    const ctx = contextOf(req)!;
    handler(req, res, ctx).catch(next);
  };
}

function field(req: Request, name: string, max: number): string {
  const value = optionalField(req, name, max);
  if (!value) throw new GatewayError('request.malformed', `"${name}" is required`);
  return value;
}

function optionalField(req: Request, name: string, max: number): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) throw new GatewayError('request.malformed', `"${name}" must be a string of at most ${max} characters`);
  return value;
}

function requireJwtPrincipal(ctx: RequestContext): Principal {
  const p = ctx.principal;
  if (!p) throw authError('auth.missing_credentials');
  if (!p.token || p.token.external) throw authError('auth.invalid_token', 'logout needs an access token issued by this gateway');
  return p;
}

async function storeGuard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw authError('auth.store_unavailable', 'token state cannot be changed right now');
    throw err;
  }
}
