import type { Authenticator } from '../auth/authenticator.js';
import { authError } from '../auth/auth-error.js';
import type { CompiledRoute } from '../config/compile-config.js';
import type { Stage } from './request-context.js';

/**
 * Who is calling: a verified JWT or API key becomes ctx.principal. `required` routes refuse
 * anonymous callers with 401; `optional` routes let them through as null. Routes with
 * `auth: none` carry no such stage at all.
 */
export function createAuthenticateStage(route: CompiledRoute, authenticator: Authenticator): Stage {
  const auth = route.auth;
  return async (ctx, next) => {
    ctx.principal = await authenticator.authenticate(ctx.req.headers, ctx.query, auth);
    if (ctx.principal === null && auth.mode === 'required') throw authError('auth.missing_credentials', 'this route needs a bearer token or an API key');
    return next();
  };
}
