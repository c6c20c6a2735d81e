import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { createAccessLogger } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { GatewayError } from '../errors.js';
import { answerError } from './answer-error.js';
import { GatewayResponse } from './gateway-response.js';
import type { RouteChains } from './build-route-chains.js';
import { beginRequest } from './begin-request.js';
import type { HttpContext } from './request-context.js';
import { resolveRoute } from './resolve-route.js';

/** What one config produced: swapped as a whole on reload, so a request sees one consistent set. */
export interface Runtime {
  readonly config: GatewayConfig;
  readonly chains: ReadonlyMap<CompiledRoute, RouteChains>;
  /** null when the config has no `auth` section. */
  readonly authenticator: Authenticator | null;
}

export interface HandlerDeps {
  runtime(): Runtime;
  logger: Logger;
  metrics: Metrics;
  shuttingDown(): boolean;
}

/**
 * The data-plane entry for every HTTPS request:
 *   check request line and Host → normalize path → match route → route chain (docs/pipeline.md).
 * Anything thrown becomes problem+json here; one access-log line is written, and the request
 * counted in the metrics, when the response closes.
 */
export function createRequestHandler(deps: HandlerDeps) {
  const accessLogger = createAccessLogger(deps.logger);
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const runtime = deps.runtime();
    const ctx = beginRequest(req, res, runtime.config, accessLogger, deps.metrics, deps.shuttingDown());
    route(ctx, runtime).catch((err: unknown) => answerError(ctx, err, deps.logger));
  };
}

/**
 * Answers the request `res` belongs to with `err` as the pipeline would: its request id, its
 * route's headers, its one access-log line. false when `res` is not one of ours.
 */
export function answerInFlight(res: ServerResponse, err: GatewayError, logger: Logger): boolean {
  const ctx = res instanceof GatewayResponse ? res.context : null;
  if (ctx === null) return false;
  answerError(ctx, err, logger);
  return true;
}

async function route(ctx: HttpContext, runtime: Runtime): Promise<void> {
  const { req } = ctx;
  // A CORS preflight is routed as the request it announces.
  const preflight = req.method === 'OPTIONS' ? req.headers['access-control-request-method'] : undefined;
  resolveRoute(ctx, ctx.config, typeof preflight === 'string' ? preflight : req.method!);
  await runtime.chains.get(ctx.route!)!.request(ctx);
}
