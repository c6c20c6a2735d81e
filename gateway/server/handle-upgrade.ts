import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { asGatewayError, GatewayError, rawProblem } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { checkHost, checkRequest } from '../pipeline/check-request.js';
import { isTrusted, unmapIPv4 } from '../pipeline/client-address.js';
import type { Runtime } from '../pipeline/handle-request.js';
import { normalizeTarget } from '../pipeline/normalize-path.js';
import { requestIdFrom } from '../pipeline/request-id.js';
import { buildUpstreamHeaders, DEFAULT_IDENTITY_HEADERS } from '../upstream/request-headers.js';
import type { WebSocketProxy } from '../upstream/websocket-proxy.js';

export interface UpgradeDeps {
  runtime(): Runtime;
  upstreamHost(): string;
  wsProxy(): WebSocketProxy;
  logger: Logger;
  track(socket: Duplex): void;
}

const IDENTITY = new Set(DEFAULT_IDENTITY_HEADERS);

/**
 * WebSocket handshakes take the same checks as requests (request line, Host, path, route) and
 * only routes with `websocket: true` are upgraded. A browser's Origin must be an allowed CORS
 * origin when CORS is configured (cross-site WebSocket hijacking).
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { config } = deps.runtime();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const startedAt = performance.now();
    let routeHeaders: readonly string[] = config.baseResponseHeaders;
    try {
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new GatewayError('request.malformed', 'only WebSocket upgrades are supported');
      const host = checkRequest(req, config.limits.maxHeaders);
      const target = normalizeTarget(req.url!);
      if (!target.ok) throw new GatewayError('request.bad_path', target.reason);
      checkHost(host, target.path, config.hosts);
      const match = config.table.match(target.path, 'GET');
      if (!match.found) throw new GatewayError('route.not_found', 'no route matches this path');
      routeHeaders = match.route.responseHeaders;
      if (!match.route.websocket) throw new GatewayError('route.websocket_not_allowed');
      const origin = req.headers.origin;
      if (config.cors && origin !== undefined && !config.cors.origins.includes('*') && !config.cors.origins.includes(origin)) {
        throw new GatewayError('request.origin_not_allowed', 'this origin may not open WebSockets here');
      }
      const peer = unmapIPv4(req.socket.remoteAddress ?? '');
      const headers = buildUpstreamHeaders(req.rawHeaders, {
        requestId, host: req.headers.host!, peer,
        upstreamHost: config.upstream.preserveHost ? req.headers.host! : deps.upstreamHost(),
        peerTrusted: config.trustedProxies !== null && isTrusted(config.trustedProxies, peer),
        upgrade: true,
      }, { identityHeaders: IDENTITY, remove: match.route.requestRemove, set: match.route.requestSet });
      const rewritten: Record<string, string> = {};
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!;
        rewritten[name] = rewritten[name] === undefined ? headers[i + 1]! : `${rewritten[name]}, ${headers[i + 1]}`;
      }
      req.headers = rewritten;
      req.url = target.path + target.query;
      deps.track(socket);
      deps.logger.info({ kind: 'access', request_id: requestId, method: 'GET', path: target.path, route: match.route.id, status: 101, upgrade: 'websocket', duration_ms: Math.round(performance.now() - startedAt) });
      deps.wsProxy().forward(req, socket, head, (err) => {
        deps.logger.warn({ request_id: requestId, cause_code: (err as NodeJS.ErrnoException).code }, 'websocket proxy failed');
        if (socket.writable) socket.end(rawProblem(new GatewayError('upstream.unavailable'), requestId, routeHeaders));
        else socket.destroy();
      });
    } catch (err) {
      const gatewayError = asGatewayError(err);
      deps.logger.info({ kind: 'access', request_id: requestId, method: req.method, status: gatewayError.status, upgrade: 'websocket', reason: gatewayError.code });
      socket.end(rawProblem(gatewayError, requestId, routeHeaders));
    }
  };
}
