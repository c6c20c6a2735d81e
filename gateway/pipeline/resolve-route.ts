import type { IncomingMessage } from 'node:http';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { GatewayError } from '../errors.js';
import { checkHost, checkRequest } from './check-request.js';
import { normalizeTarget } from './normalize-path.js';

export interface ResolvedRoute {
  /** Host name, lower-case, no port. */
  host: string;
  path: string;
  query: string;
  route: CompiledRoute;
  params: Record<string, string>;
}

/**
 * Everything before a route's own stages, shared by requests and WebSocket handshakes:
 * request checks → path normalization → Host allow-list → route table (404, or 405 with Allow).
 * `method` is the method to route as (a CORS preflight routes as the one it announces).
 */
export function resolveRoute(req: IncomingMessage, config: GatewayConfig, method: string): ResolvedRoute {
  const host = checkRequest(req, config.limits.maxHeaders);
  const target = normalizeTarget(req.url!);
  if (!target.ok) throw new GatewayError('request.bad_path', target.reason);
  checkHost(host, target.path, config.hosts);
  const match = config.table.match(target.path, method);
  if (!match.found) {
    if (match.allow) throw new GatewayError('route.method_not_allowed', `${req.method} is not allowed here`, { headers: { allow: match.allow.join(', ') } });
    throw new GatewayError('route.not_found', 'no route matches this path');
  }
  return { host, path: target.path, query: target.query, route: match.route, params: match.params };
}
