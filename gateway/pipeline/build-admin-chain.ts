import type { Express } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompiledRoute } from '../config/compile-config.js';
import type { Metrics } from '../observability/metrics.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import { createAuthenticateStage } from './authenticate-stage.js';
import { createAuthorizeStage } from './authorize-stage.js';
import { composeChain, type Chain } from './compose-chain.js';
import { createGatewayApiStage } from './gateway-api-stage.js';
import { createUnauthenticatedLimitStage, UNAUTHENTICATED } from './rate-limit-stage.js';
import type { HttpContext, Stage } from './request-context.js';

export interface AdminChainDeps {
  /** The admin endpoints (api/admin/create-admin-app.ts). */
  app: Express;
  authenticator: Authenticator;
  unauthenticated: Limiter | null;
  metrics: Metrics;
}

/**
 * The admin listener's one chain, made of the same stage factories as a route's, in the same
 * order: per-address budget, authentication, the admin role, then the endpoints. Nothing is
 * routed before the caller is known: an unknown path without credentials is 401, not 404, so
 * the listener tells a stranger nothing about what it serves.
 */
export function buildAdminChain(route: CompiledRoute, deps: AdminChainDeps): Chain<HttpContext> {
  const stages: Stage<HttpContext>[] = [];
  // Every admin request counts, so the port is no faster an oracle for keys than the main one.
  if (deps.unauthenticated) stages.push(createUnauthenticatedLimitStage(deps.unauthenticated, deps.metrics.rateLimited(UNAUTHENTICATED)));
  deps.metrics.bindRoute(route.id);
  stages.push(createAuthenticateStage(route, deps.authenticator));
  if (route.auth.roles) stages.push(createAuthorizeStage(route.auth.roles));
  stages.push(createGatewayApiStage(deps.app));
  return composeChain(stages);
}
