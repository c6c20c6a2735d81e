import type { Principal } from '../auth/principal.js';
import { authError } from '../auth/auth-error.js';
import type { CompiledRoute } from '../config/compile-config.js';
import type { Stage } from './request-context.js';

/** Roles per route: the caller needs at least one of them. Only on routes that list roles. */
export function createAuthorizeStage(route: CompiledRoute): Stage {
  return (ctx, next) => {
    requireRole(route, ctx.principal!);
    return next();
  };
}

/** The stage's rule, also applied to WebSocket handshakes. */
export function requireRole(route: CompiledRoute, principal: Principal): void {
  const roles = route.auth.roles;
  if (roles === null) return; // null: any authenticated caller
  for (const role of principal.roles) if (roles.has(role)) return;
  throw authError('auth.forbidden', `this route needs one of the roles: ${[...roles].join(', ')}`);
}
