import { createApiApp } from '../api/create-api-app.js';
import { createResponseCache } from '../cache/response-cache.js';
import { createAuthRoutes } from '../api/auth-routes.js';
import { createAuthService } from '../auth/auth-service.js';
import type { GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { buildRouteChains } from '../pipeline/build-route-chains.js';
import { createLoginLimiters } from '../ratelimit/login-limiters.js';
import { createRateLimiters } from '../ratelimit/create-rate-limiters.js';
import type { Store } from '../store/store.js';
import type { AcmeChallenges } from '../tls/acme-challenges.js';
import { createCertStore, type CertStore } from '../tls/cert-store.js';
import { createUpstreamSet, upstreamsStatus } from '../upstream/upstream-client.js';
import { buildAdminPlane } from './build-admin-plane.js';
import type { Fleet } from './fleet.js';
import type { ReloadResult } from './reload-runtime.js';
import { partsToBuild, releaseReplaced, type GatewayRuntime, type Part } from './runtime-parts.js';

/** What a runtime is built with but does not own: the store and the metrics outlive every runtime. */
export interface RuntimeDeps {
  store: Store;
  clock: () => number;
  logger: Logger;
  /** One registry for the process: a reload neither resets nor duplicates a series. */
  metrics: Metrics;
  shuttingDown(): boolean;
  /** The HTTP-01 answers the HTTP listener serves (process-wide, like the store). */
  acmeChallenges: AcmeChallenges;
  /** What SIGHUP does, for POST /admin/reload. */
  reload(): Promise<ReloadResult>;
  /** Under `workers`: reload, scrape and renew over every worker, through the primary; null in one process. */
  fleet: Fleet | null;
  /** The certificate source of the runtime current now (POST /admin/acme/renew). */
  certs(): CertStore;
}

/**
 * A complete runtime for `config`. Given the runtime it will replace and what changed, it keeps
 * the parts runtime-parts.ts says may be kept and builds the rest; nothing running is touched.
 * If any part fails, what was built here is released and the error thrown: the caller still has
 * the old runtime, whole.
 */
export async function buildRuntime(config: GatewayConfig, deps: RuntimeDeps, previous?: { runtime: GatewayRuntime; sectionsChanged: readonly string[] }): Promise<GatewayRuntime> {
  const toBuild = partsToBuild(previous ? { sectionsChanged: previous.sectionsChanged, before: previous.runtime.config, after: config } : 'all');
  const made: Partial<Record<Part, unknown>> = {};
  const part = async <K extends Part>(name: K, make: () => GatewayRuntime[K] | Promise<GatewayRuntime[K]>): Promise<GatewayRuntime[K]> => {
    if (!toBuild.has(name)) return previous!.runtime[name];
    const value = await make();
    made[name] = value;
    return value;
  };

  try {
    const upstreams = await part('upstreams', () => createUpstreamSet(config.upstreams));
    const certs = await part('certs', () => createCertStore(config.tls, [...(config.hosts ?? [])], {
      store: deps.store, logger: deps.logger, clock: deps.clock, challenges: deps.acmeChallenges,
    }));
    const auth = await part('auth', () => (config.auth ? createAuthService(config.auth, deps) : null));
    const loginLimiters = await part('loginLimiters', () => (config.auth ? createLoginLimiters(config.auth.login, deps.store) : null));
    const rateLimiters = await part('rateLimiters', () => createRateLimiters(config, deps.store, previous && { config: previous.runtime.config, limiters: previous.runtime.rateLimiters }));
    const apiApp = await part('apiApp', () => createApiApp({
      authReady: () => auth?.ready() ?? true,
      storeReachable: () => deps.store.ping().then(() => true, () => false),
      upstreams: () => upstreamsStatus(upstreams, 1000),
      shuttingDown: deps.shuttingDown,
    }, auth && loginLimiters ? createAuthRoutes({ auth, loginLimiters, logger: deps.logger }) : null));
    const authenticator = auth?.authenticator ?? null;
    const cache = await part('cache', () => (config.caching ? createResponseCache(config, deps.store, deps.logger, deps.metrics, previous?.runtime.cache ?? undefined) : null));
    const admin = await part('admin', () => buildAdminPlane(config, { authenticator, unauthenticated: rateLimiters.unauthenticated, cache, logger: deps.logger, metrics: deps.metrics, reload: deps.reload, fleet: deps.fleet, certs: deps.certs }));
    const chains = await part('chains', () => buildRouteChains(config, {
      upstreams, logger: deps.logger, apiApp, authenticator, ...rateLimiters,
      cache, clock: deps.clock, store: deps.store, metrics: deps.metrics,
    }));
    return { config, authenticator, chains, auth, loginLimiters, rateLimiters, upstreams, certs, apiApp, cache, admin };
  } catch (err) {
    await releaseReplaced(made as Partial<GatewayRuntime>, previous?.runtime ?? null);
    throw err;
  }
}
