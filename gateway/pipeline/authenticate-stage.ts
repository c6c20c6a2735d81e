import type { Authenticator } from '../auth/authenticator.js';
import { authError } from '../auth/auth-error.js';
import type { CompiledRoute } from '../config/compile-config.js';
import type { Stage } from './request-context.js';

/**
 * Who is calling: a verified JWT or API key becomes ctx.principal. `required` routes refuse
 * anonymous callers with 401; `optional` routes let them through as null. Routes with
 * `auth: none` carry no such stage at all. A WebSocket handshake may bring its token as
 * `?access_token=` instead (the upgrade entry took it out of the query).
 */
export function createAuthenticateStage(route: CompiledRoute, authenticator: Authenticator): Stage {
  const required = route.auth.mode === 'required';
  return async (ctx, next) => {
    const principal = await authenticator.authenticate(ctx.req.headers, ctx.query, route.auth, ctx.handshake?.accessToken);
    if (principal === null && required) throw authError('auth.missing_credentials', 'this route needs a bearer token or an API key');
    ctx.principal = principal;
    return next();
  };
}
