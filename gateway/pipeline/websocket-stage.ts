import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { handshakeAnswerHeaders } from '../upstream/handshake-answer-headers.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames } from '../upstream/identity-headers.js';
import { isFailureStatus, isTargetFailure, translateUpstreamError } from '../upstream/translate-error.js';
import { upstreamOfRoute, type UpstreamSet } from '../upstream/upstream-client.js';
import { GatewayError } from '../errors.js';
import { answerError } from './answer-error.js';
import { backendHeaders } from './backend-headers.js';
import type { Stage, UpgradeContext } from './request-context.js';

export interface WebSocketStageDeps {
  /** Every upstream by name; a route's handshake goes to one target of its own. */
  upstreams: UpstreamSet;
  logger: Logger;
}

/**
 * The terminal stage of a handshake on a `websocket: true` route, in the proxy stage's place:
 * the same backend headers (identity, forwarding, route policy), then http-proxy pipes the
 * sockets. The backend's answer reaches the client with the headers a proxied response would
 * have (route security headers, X-Request-Id, no Server). The wait for it is bounded by the
 * upstream's connect timeout and the route's headers timeout (504 after); a WebSocket, once
 * open, has no timeout. Resolves once the backend answered, or the client was told it could not.
 */
export function createWebSocketStage(route: CompiledRoute, config: GatewayConfig, deps: WebSocketStageDeps): Stage<UpgradeContext> {
  const names = identityHeaderNames(config);
  const policy = headerPolicyFor(route, config);
  const upstream = upstreamOfRoute(deps.upstreams, route);
  const upstreamHost = upstream.config.preserveHost ? null : upstream.host;
  const { connectTimeout } = upstream.config;
  const { headersTimeout, bodyTimeout } = route;

  return (ctx) => new Promise<void>((resolve) => {
    const { req, handshake } = ctx;
    // http-proxy sends req.headers and req.url as they are: make them the ones the backend may see.
    req.headers = headerObject(backendHeaders(ctx, upstreamHost, names, policy));
    req.url = ctx.path + ctx.query;
    const sentAt = performance.now();
    const options = {
      connectTimeout,
      headersTimeout,
      bodyTimeout,
      answerHeaders: (status: number, backend: IncomingHttpHeaders) => handshakeAnswerHeaders(status, backend, route, ctx.extraHeaders, ctx.requestId),
    };
    const lease = upstream.acquire();
    if (lease === null) {
      answerError(ctx, new GatewayError('upstream.no_healthy_target'), deps.logger);
      return resolve();
    }
    // Never resent (a handshake may have reached the target): one target, one try.
    lease.target.ws.forward(req, handshake.socket, handshake.head, options, (err, status) => {
      ctx.upstreamMs = performance.now() - sentAt;
      lease.done(err ? isTargetFailure(err) : isFailureStatus(status));
      // Answered now, not after the promise settles: http-proxy ends the socket when this returns.
      if (err) answerError(ctx, translateUpstreamError(err), deps.logger);
      else handshake.status = status; // 0: the client left before the backend answered
      resolve();
    });
  });
}

/** A flat [name, value, ...] list as Node's header object, repeated names joined (RFC 9110 5.3). */
function headerObject(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    out[name] = out[name] === undefined ? flat[i + 1]! : `${out[name]}, ${flat[i + 1]}`;
  }
  return out;
}
