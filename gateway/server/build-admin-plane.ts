import { acmeEndpoints } from '../api/admin/acme-endpoints.js';
import { cacheEndpoints } from '../api/admin/cache-endpoints.js';
import { configEndpoints } from '../api/admin/config-endpoints.js';
import { createAdminApp } from '../api/admin/create-admin-app.js';
import { metricsEndpoints } from '../api/admin/metrics-endpoints.js';
import { reloadEndpoints } from '../api/admin/reload-endpoints.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { CacheAdmin } from '../cache/cache-admin.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { buildAdminChain } from '../pipeline/build-admin-chain.js';
import type { Chain } from '../pipeline/compose-chain.js';
import type { HttpContext } from '../pipeline/request-context.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import type { CertStore } from '../tls/cert-store.js';
import type { Fleet } from './fleet.js';
import type { ReloadResult } from './reload-runtime.js';

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
  /** Process-lifetime, as the reload below: a rebuilt plane keeps serving the same ones. */
  metrics: Metrics;
  reload(): Promise<ReloadResult>;
  /** Under `workers`: reload, scrape and renew over every worker; null in one process. */
  fleet: Fleet | null;
  /** Read per request, like the runtime: a reload may replace the certificate source. */
  certs(): CertStore;
}

/**
 * The admin endpoints for `config`, or null without `listeners.admin`. New endpoint groups go in
 * the list below, built from what they read; a part they read that a reload can replace goes in
 * BUILT_WITH.admin (runtime-parts.ts). The config group reads the request's own config, so it
 * never shows a config a reload replaced.
 */
export function buildAdminPlane(config: GatewayConfig, deps: AdminPlaneDeps): AdminPlane | null {
  const route = config.adminRoute;
  if (route === null) return null;
  // validate-config refuses an admin listener without auth; a miss here is a wiring bug.
  if (deps.authenticator === null) throw new Error('internal: the admin listener was validated but auth was not built');
  const app = createAdminApp([
    metricsEndpoints(deps.metrics, deps.fleet),
    configEndpoints(),
    reloadEndpoints(deps.reload, deps.fleet, deps.logger),
    cacheEndpoints(deps.cache, deps.logger),
    acmeEndpoints(deps.certs, deps.fleet, deps.logger),
  ]);
  return { route, chain: buildAdminChain(route, { app, authenticator: deps.authenticator, unauthenticated: deps.unauthenticated, metrics: deps.metrics }) };
}
