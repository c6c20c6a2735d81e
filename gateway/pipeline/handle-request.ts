import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticator.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { asGatewayError, writeProblem } from '../errors.js';
import { createAccessLogger, writeAccessLog } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import { clientAddress, isTrusted, unmapIPv4 } from './client-address.js';
import type { Chain } from './compose-chain.js';
import { responseHeadersOf, type RequestContext } from './request-context.js';
import { requestIdFrom } from './request-id.js';
import { resolveRoute } from './resolve-route.js';

/** What one config produced: swapped as a whole on reload, so a request sees one consistent set. */
export interface Runtime {
  readonly config: GatewayConfig;
  readonly chains: ReadonlyMap<CompiledRoute, Chain>;
  /** null when the config has no `auth` section. */
  readonly authenticator: Authenticator | null;
}

export interface HandlerDeps {
  runtime(): Runtime;
  logger: Logger;
  shuttingDown(): boolean;
}

/**
 * The data-plane entry for every HTTPS request:
 *   check request line and Host → normalize path → match route → route chain (docs/pipeline.md).
 * Anything thrown becomes problem+json here; one access-log line is written when the response closes.
 */
export function createRequestHandler(deps: HandlerDeps) {
  const accessLogger = createAccessLogger(deps.logger);
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const runtime = deps.runtime();
    const ctx = createContext(req, res, runtime.config);
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    res.once('close', () => writeAccessLog(accessLogger, ctx, socket, bytesBefore));
    if (deps.shuttingDown()) res.shouldKeepAlive = false;
    route(ctx, runtime).catch((err: unknown) => fail(ctx, err, deps.logger));
  };
}

function createContext(req: IncomingMessage, res: ServerResponse, config: GatewayConfig): RequestContext {
  const peer = unmapIPv4(req.socket.remoteAddress ?? '');
  const peerTrusted = config.trustedProxies !== null && isTrusted(config.trustedProxies, peer);
  return {
    req, res, config,
    requestId: requestIdFrom(req.headers['x-request-id']),
    startedAt: performance.now(),
    peer,
    peerTrusted,
    clientIp: peerTrusted ? clientAddress(peer, forwardedFor(req), config.trustedProxies) : peer,
    host: '',
    path: '',
    query: '',
    route: null,
    params: {},
    principal: null,
    extraHeaders: null,
    upstreamMs: undefined,
    reason: undefined,
  };
}

function forwardedFor(req: IncomingMessage): string | undefined {
  const xff = req.headers['x-forwarded-for'];
  return typeof xff === 'string' ? xff : undefined;
}

async function route(ctx: RequestContext, runtime: Runtime): Promise<void> {
  const { req } = ctx;
  // A CORS preflight is routed as the request it announces.
  const preflight = req.method === 'OPTIONS' ? req.headers['access-control-request-method'] : undefined;
  const resolved = resolveRoute(req, ctx.config, typeof preflight === 'string' ? preflight : req.method!);
  ctx.host = resolved.host;
  ctx.path = resolved.path;
  ctx.query = resolved.query;
  ctx.route = resolved.route;
  ctx.params = resolved.params;
  await runtime.chains.get(resolved.route)!(ctx);
}

function fail(ctx: RequestContext, err: unknown, logger: Logger): void {
  const gatewayError = asGatewayError(err);
  ctx.reason = gatewayError.code;
  if (gatewayError.status >= 500) {
    const cause = gatewayError.cause as { code?: string; message?: string } | undefined;
    logger.warn({ request_id: ctx.requestId, code: gatewayError.code, cause_code: cause?.code, cause: cause?.message }, 'request failed');
  }
  writeProblem(ctx.res, gatewayError, ctx.requestId, responseHeadersOf(ctx));
}
