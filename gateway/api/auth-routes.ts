import express, { type Request, type Response, type Router } from 'express';
import { authError } from '../auth/auth-error.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Principal } from '../auth/principal.js';
import { ADMIN_ROLE } from '../config/compile-config.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { contextOf, type RequestContext } from '../pipeline/request-context.js';
import type { LoginLimiters } from '../ratelimit/login-limiters.js';
import { AUTH_OPENAPI } from './auth-openapi.js';

export interface AuthApiDeps {
  auth: AuthService;
  loginLimiters: LoginLimiters;
  logger: Logger;
}

/** /api/auth/*: HTTP in and out of the auth service. Every failure is a GatewayError. */
export function createAuthRoutes({ auth, loginLimiters, logger }: AuthApiDeps): Router {
  const router = express.Router();
  const parseBody = [express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' })];

  router.post('/login', parseBody, wrap(async (req, res, ctx) => {
    const username = field(req, 'username', 64);
    const password = field(req, 'password', 1024);
    await loginLimiters.check(username, ctx.clientIp);
    const result = await auth.login(username, password);
    if (!result) {
      await loginLimiters.failed(username, ctx.clientIp);
      logger.info({ kind: 'auth', event: 'login_failed', request_id: ctx.requestId, client_ip: ctx.clientIp }, 'login failed');
      // One answer for a wrong password and an unknown user (the dummy hash evens the time too).
      throw authError('auth.invalid_credentials', 'wrong username or password');
    }
    await loginLimiters.succeeded(username, ctx.clientIp);
    logger.info({ kind: 'auth', event: 'login', user: result.user.username, request_id: ctx.requestId }, 'login');
    res.status(200).set('cache-control', 'no-store').json(result.tokens);
  }));

  router.post('/refresh', parseBody, wrap(async (req, res) => {
    const pair = await auth.refresh(field(req, 'refresh_token', 8192));
    res.status(200).set('cache-control', 'no-store').json(pair);
  }));

  router.post('/logout', parseBody, wrap(async (req, res, ctx) => {
    // A client whose access token has expired still holds its refresh token: that alone ends the session.
    if (ctx.principal) await auth.logout(ctx.principal, optionalField(req, 'refresh_token', 8192));
    else await auth.endSession(field(req, 'refresh_token', 8192));
    res.status(204).end();
  }));

  router.get('/me', wrap(async (_req, res, ctx) => {
    const p = principalOf(ctx);
    res.set('cache-control', 'no-store').json({
      id: p.id,
      roles: [...p.roles],
      auth_method: p.method,
      token_expires_at: p.token ? new Date(p.token.expiresAt * 1000).toISOString() : null,
    });
  }));

  router.post('/revoke', parseBody, wrap(async (req, res, ctx) => {
    const p = principalOf(ctx);
    if (!p.roles.has(ADMIN_ROLE)) throw authError('auth.forbidden', `revoking needs the "${ADMIN_ROLE}" role`);
    const user = field(req, 'user', 128);
    await auth.revokeAll(user);
    logger.info({ kind: 'auth', event: 'revoke_all', user, by: p.id, request_id: ctx.requestId }, 'revoked every token of a user');
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

function principalOf(ctx: RequestContext): Principal {
  if (!ctx.principal) throw authError('auth.missing_credentials');
  return ctx.principal;
}
