import type { Authenticator } from '../auth/authenticator.js';
import { authError } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import type { CompiledRoute } from '../config/compile-config.js';
import type { Stage } from './request-context.js';

/**
 * Who is calling: a verified JWT or API key becomes ctx.principal. `required` routes refuse
 * anonymous callers with 401; `optional` routes let them through as null. Routes with
 * `auth: none` carry no such stage at all.
 */
export function createAuthenticateStage(route: CompiledRoute, authenticator: Authenticator): Stage {
  return async (ctx, next) => {
    ctx.principal = await authenticateFor(route, authenticator, ctx.req.headers, ctx.query);
    return next();
  };
}

/** The stage's rule, also applied to WebSocket handshakes (which may carry `queryToken`). */
export async function authenticateFor(
  route: CompiledRoute,
  authenticator: Authenticator,
  headers: Record<string, string | string[] | undefined>,
  query: string,
  queryToken?: string,
): Promise<Principal | null> {
  const principal = await authenticator.authenticate(headers, query, route.auth, queryToken);
  if (principal === null && route.auth.mode === 'required') throw authError('auth.missing_credentials', 'this route needs a bearer token or an API key');
  return principal;
}
