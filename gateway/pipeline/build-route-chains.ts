import type { Express } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { Metrics } from '../observability/metrics.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import type { PolicyLimiter } from '../ratelimit/policy-limiter.js';
import type { Store } from '../store/store.js';
import { composeChain, type Chain } from './compose-chain.js';
import { createAuthenticateStage } from './authenticate-stage.js';
import { createAuthorizeStage } from './authorize-stage.js';
import { createCacheStage } from './cache-stage.js';
import { createCorsStage } from './cors-stage.js';
import { createInvalidateStage } from './invalidate-stage.js';
import { createGatewayApiStage } from './gateway-api-stage.js';
import { createIdempotencyStage } from './idempotency-stage.js';
import { createProxyStage } from './proxy-stage.js';
import { upstreamOfRoute } from '../upstream/upstream-client.js';
import { createRateLimitStage, createUnauthenticatedLimitStage, UNAUTHENTICATED } from './rate-limit-stage.js';
import type { HttpContext, Stage, UpgradeContext } from './request-context.js';
import { createWebSocketStage, type WebSocketStageDeps } from './websocket-stage.js';

export interface ChainDeps extends WebSocketStageDeps {
  apiApp: Express;
  authenticator: Authenticator | null;
  /** One per named policy, shared by the routes that name it. */
  policies: ReadonlyMap<string, PolicyLimiter>;
  unauthenticated: Limiter | null;
  /** null when no route caches: then no route carries cache or invalidation stages. */
  cache: ResponseCache | null;
  clock: () => number;
  /** Where idempotency keys are claimed and answers kept. */
  store: Store;
  /** Each route's series are bound here, once, not per request. */
  metrics: Metrics;
}

/** A route's two ways in: a request, and (only where `websocket: true`) a WebSocket handshake. */
export interface RouteChains {
  readonly request: Chain<HttpContext>;
  readonly upgrade: Chain<UpgradeContext> | null;
}

/**
 * The stage order, in one place, matching docs/pipeline.md. Before these run, the entry
 * (handle-request, handle-upgrade) has checked the request, normalized the path and matched the
 * route. Each route gets only the stages its config asks for; a handshake goes through the very
 * same stage objects as a request (CORS origin, per-address budget, authentication, roles,
 * limits) and only the terminal differs: the proxy or the gateway's own API for a request, the
 * WebSocket stage for a handshake.
 */
export function buildRouteChains(config: GatewayConfig, deps: ChainDeps): Map<CompiledRoute, RouteChains> {
  const cors = config.cors ? createCorsStage(config.cors) : null;
  const unauthenticated = deps.unauthenticated ? createUnauthenticatedLimitStage(deps.unauthenticated, deps.metrics.rateLimited(UNAUTHENTICATED)) : null;
  const chains = new Map<CompiledRoute, RouteChains>();
  for (const route of config.routes) {
    deps.metrics.bindRoute(route.id);
    const stages: Stage[] = [];
    if (cors && !route.builtin) stages.push(cors);
    if (route.auth.mode !== 'none' && unauthenticated) stages.push(unauthenticated);
    if (route.auth.mode !== 'none') stages.push(createAuthenticateStage(route, built(deps.authenticator, 'an auth section')));
    if (route.auth.roles) stages.push(createAuthorizeStage(route.auth.roles));
    if (route.rateLimit) {
      const { policy } = route.rateLimit;
      stages.push(createRateLimitStage(route, route.rateLimit, built(deps.policies.get(policy), `policy "${policy}"`), deps.metrics.rateLimited(policy)));
    }
    // After the limits, so hits are limited too; before the proxy, which it answers for.
    // Requests only: a handshake is neither cached nor a write.
    const requestOnly: Stage<HttpContext>[] = [];
    if (route.cache && deps.cache) requestOnly.push(createCacheStage(route, config, { ...deps, cache: deps.cache }));
    if (deps.cache && route.target === 'backend') requestOnly.push(createInvalidateStage(route, { cache: deps.cache, logger: deps.logger }));
    if (route.idempotency) requestOnly.push(createIdempotencyStage(route, route.idempotency, deps.store));
    const terminal = route.target === 'gateway' ? createGatewayApiStage(deps.apiApp) : createProxyStage(route, config, upstreamOfRoute(deps.upstreams, route));
    chains.set(route, {
      request: composeChain<HttpContext>([...stages, ...requestOnly, terminal]),
      upgrade: route.websocket ? composeChain<UpgradeContext>([...stages, createWebSocketStage(route, config, deps)]) : null,
    });
  }
  return chains;
}

/** The config check guarantees these exist; a miss here is a wiring bug, refused at load. */
function built<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`internal: ${what} was validated but not built`);
  return value;
}
