import { cacheEndpoints } from '../api/admin/cache-endpoints.js';
import { createAdminApp } from '../api/admin/create-admin-app.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { CacheAdmin } from '../cache/cache-admin.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { buildAdminChain } from '../pipeline/build-admin-chain.js';
import type { Chain } from '../pipeline/compose-chain.js';
import type { HttpContext } from '../pipeline/request-context.js';
import type { Limiter } from '../ratelimit/create-limiter.js';

/** What the admin listener runs each request through; a runtime part (runtime-parts.ts). */
export interface AdminPlane {
  /** The listener's one route: auth with the admin role, its headers (config.adminRoute). */
  readonly route: CompiledRoute;
  readonly chain: Chain<HttpContext>;
}

export interface AdminPlaneDeps {
  authenticator: Authenticator | null;
  unauthenticated: Limiter | null;
  cache: CacheAdmin | null;
  logger: Logger;
}

/**
 * The admin endpoints for `config`, or null without `listeners.admin`. New endpoint groups
 * (metrics, the running config, reload) go in the list below, built from what they read; a part
 * they read that a reload can replace goes in BUILT_WITH.admin (runtime-parts.ts).
 */
export function buildAdminPlane(config: GatewayConfig, deps: AdminPlaneDeps): AdminPlane | null {
  const route = config.adminRoute;
  if (route === null) return null;
  // validate-config refuses an admin listener without auth; a miss here is a wiring bug.
  if (deps.authenticator === null) throw new Error('internal: the admin listener was validated but auth was not built');
  const app = createAdminApp([
    cacheEndpoints(deps.cache, deps.logger),
  ]);
  return { route, chain: buildAdminChain(route, { app, authenticator: deps.authenticator, unauthenticated: deps.unauthenticated }) };
}
