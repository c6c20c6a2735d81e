import { authError } from '../auth/auth-error.js';
import type { Stage } from './request-context.js';

/** Roles per route: the caller needs at least one of them. Only on routes that list roles. */
export function createAuthorizeStage(roles: ReadonlySet<string>): Stage {
  const detail = `this route needs one of the roles: ${[...roles].join(', ')}`;
  return (ctx, next) => {
    for (const role of ctx.principal!.roles) if (roles.has(role)) return next();
    throw authError('auth.forbidden', detail);
  };
}
