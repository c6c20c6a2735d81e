import type { Express } from 'express';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { composeChain, type Chain } from './compose-chain.js';
import { createCorsStage } from './cors-stage.js';
import { createGatewayApiStage } from './gateway-api-stage.js';
import { createProxyStage } from './proxy-stage.js';
import type { Stage } from './request-context.js';

export interface ChainDeps {
  upstream: UpstreamClient;
  apiApp: Express;
}

/**
 * The stage order, in one place, matching docs/pipeline.md. Before these run, handle-request
 * has checked the request, normalized the path and matched the route. Each route gets only the
 * stages its config asks for; the terminal stage is the proxy or the gateway's own API.
 */
export function buildRouteChains(config: GatewayConfig, deps: ChainDeps): Map<CompiledRoute, Chain> {
  const cors = config.cors ? createCorsStage(config.cors) : null;
  const chains = new Map<CompiledRoute, Chain>();
  for (const route of config.routes) {
    const stages: Stage[] = [];
    if (cors && !route.builtin) stages.push(cors);
    // authenticate, authorize, rate limit and cache stages slot in here (issues 3, 4 and later).
    stages.push(route.target === 'gateway' ? createGatewayApiStage(deps.apiApp) : createProxyStage(route, config, deps.upstream));
    chains.set(route, composeChain(stages));
  }
  return chains;
}
