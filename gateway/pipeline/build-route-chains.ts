import type { Express } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { composeChain, type Chain } from './compose-chain.js';
import { createAuthenticateStage } from './authenticate-stage.js';
import { createAuthorizeStage } from './authorize-stage.js';
import { createCorsStage } from './cors-stage.js';
import { createGatewayApiStage } from './gateway-api-stage.js';
import { createProxyStage } from './proxy-stage.js';
import { createRateLimitStage, createUnauthenticatedLimitStage } from './rate-limit-stage.js';
import type { Stage } from './request-context.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import type { PolicyLimiter } from '../ratelimit/policy-limiter.js';

export interface ChainDeps {
  upstream: UpstreamClient;
  apiApp: Express;
  authenticator: Authenticator | null;
  /** One per named policy, shared by the routes that name it. */
  policies: ReadonlyMap<string, PolicyLimiter>;
  unauthenticated: Limiter | null;
}

/**
 * The stage order, in one place, matching docs/pipeline.md. Before these run, handle-request
 * has checked the request, normalized the path and matched the route. Each route gets only the
 * stages its config asks for; the terminal stage is the proxy or the gateway's own API.
 */
export function buildRouteChains(config: GatewayConfig, deps: ChainDeps): Map<CompiledRoute, Chain> {
  const cors = config.cors ? createCorsStage(config.cors) : null;
  const unauthenticated = deps.unauthenticated ? createUnauthenticatedLimitStage(deps.unauthenticated) : null;
  const chains = new Map<CompiledRoute, Chain>();
  for (const route of config.routes) {
    const stages: Stage[] = [];
    if (cors && !route.builtin) stages.push(cors);
    if (route.auth.mode !== 'none' && deps.unauthenticated) stages.push(unauthenticated!);
    if (route.auth.mode !== 'none') stages.push(createAuthenticateStage(route, deps.authenticator!));
    if (route.auth.roles) stages.push(createAuthorizeStage(route));
    if (route.rateLimit) stages.push(createRateLimitStage(route, route.rateLimit, deps.policies.get(route.rateLimit.policy)!));
    // the cache stage slots in here (a later issue): after limits, so hits are limited too.
    stages.push(route.target === 'gateway' ? createGatewayApiStage(deps.apiApp) : createProxyStage(route, config, deps.upstream));
    chains.set(route, composeChain(stages));
  }
  return chains;
}
