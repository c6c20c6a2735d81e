import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { asGatewayError, GatewayError, rawProblem } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { authenticateFor } from '../pipeline/authenticate-stage.js';
import { requireRole } from '../pipeline/authorize-stage.js';
import { isTrusted, unmapIPv4 } from '../pipeline/client-address.js';
import type { Runtime } from '../pipeline/handle-request.js';
import { requestIdFrom } from '../pipeline/request-id.js';
import { resolveRoute } from '../pipeline/resolve-route.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames, identityHeaders } from '../upstream/identity-headers.js';
import { buildUpstreamHeaders } from '../upstream/request-headers.js';
import type { WebSocketProxy } from '../upstream/websocket-proxy.js';

export interface UpgradeDeps {
  runtime(): Runtime;
  upstreamHost(): string;
  wsProxy(): WebSocketProxy;
  logger: Logger;
  track(socket: Duplex): void;
}


/**
 * WebSocket handshakes take the same checks as requests (request line, Host, path, route) and
 * only routes with `websocket: true` are upgraded. A browser's Origin must be an allowed CORS
 * origin when CORS is configured (cross-site WebSocket hijacking).
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void upgrade(req, socket, head);
  };

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { config, authenticator } = deps.runtime();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const startedAt = performance.now();
    let routeHeaders: readonly string[] = config.baseResponseHeaders;
    try {
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new GatewayError('request.malformed', 'only WebSocket upgrades are supported');
      const target = resolveRoute(req, config, 'GET');
      const route = target.route;
      routeHeaders = route.responseHeaders;
      if (!route.websocket) throw new GatewayError('route.websocket_not_allowed');
      const origin = req.headers.origin;
      if (config.cors && origin !== undefined && !config.cors.origins.includes('*') && !config.cors.origins.includes(origin)) {
        throw new GatewayError('request.origin_not_allowed', 'this origin may not open WebSockets here');
      }
      // Browsers cannot set headers on a WebSocket: here alone a token may come as ?access_token=,
      // and it is taken out of the URL before anything is forwarded or logged.
      const { query, token } = takeAccessToken(target.query);
      let principal = null;
      if (route.auth.mode !== 'none') {
        principal = await authenticateFor(route, authenticator!, req.headers, query, token);
        if (route.auth.roles) requireRole(route, principal!);
      }
      const names = identityHeaderNames(config);
      const peer = unmapIPv4(req.socket.remoteAddress ?? '');
      const headers = buildUpstreamHeaders(req.rawHeaders, {
        requestId, host: req.headers.host!, peer,
        upstreamHost: config.upstream.preserveHost ? req.headers.host! : deps.upstreamHost(),
        peerTrusted: config.trustedProxies !== null && isTrusted(config.trustedProxies, peer),
        upgrade: true,
        identity: identityHeaders(names, principal),
      }, headerPolicyFor(route, config));
      const rewritten: Record<string, string> = {};
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!;
        rewritten[name] = rewritten[name] === undefined ? headers[i + 1]! : `${rewritten[name]}, ${headers[i + 1]}`;
      }
      req.headers = rewritten;
      req.url = target.path + query;
      deps.track(socket);
      deps.logger.info({ kind: 'access', request_id: requestId, method: 'GET', path: target.path, route: route.id, status: 101, upgrade: 'websocket', duration_ms: Math.round(performance.now() - startedAt) });
      deps.wsProxy().forward(req, socket, head, (err) => {
        deps.logger.warn({ request_id: requestId, cause_code: (err as NodeJS.ErrnoException).code }, 'websocket proxy failed');
        if (socket.writable) socket.end(rawProblem(new GatewayError('upstream.unavailable'), requestId, routeHeaders));
        else socket.destroy();
      });
    } catch (err) {
      const gatewayError = asGatewayError(err);
      deps.logger.info({ kind: 'access', request_id: requestId, method: req.method, status: gatewayError.status, upgrade: 'websocket', reason: gatewayError.code });
      const headers = gatewayError.headers ? [...routeHeaders, ...Object.entries(gatewayError.headers).flat()] : routeHeaders;
      if (socket.writable) socket.end(rawProblem(gatewayError, requestId, headers));
    }
  }
}

/** Splits `access_token` off a query string; the rest is forwarded as it came. */
export function takeAccessToken(query: string): { query: string; token: string | undefined } {
  if (!query.includes('access_token=')) return { query, token: undefined };
  let token: string | undefined;
  const kept = query.slice(1).split('&').filter((pair) => {
    if (!pair.startsWith('access_token=')) return true;
    try {
      token = decodeURIComponent(pair.slice('access_token='.length));
    } catch {
      token = ''; // undecodable: verification refuses it as a malformed token
    }
    return false;
  });
  return { query: kept.length > 0 ? `?${kept.join('&')}` : '', token };
}
