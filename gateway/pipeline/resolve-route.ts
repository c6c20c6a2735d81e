import type { GatewayConfig } from '../config/compile-config.js';
import { GatewayError } from '../errors.js';
import { checkHost, checkRequest } from './check-request.js';
import { normalizeTarget } from './normalize-path.js';
import type { RequestContext } from './request-context.js';

/**
 * Everything before a route's own stages, shared by requests and WebSocket handshakes:
 * request checks → path normalization → Host allow-list → route table (404, or 405 with Allow).
 * `method` is the method to route as (a CORS preflight routes as the one it announces).
 * Fills the context as it goes, so a refusal is logged with as much as was learnt before it
 * (a 404 with its normalized path).
 */
export function resolveRoute(ctx: RequestContext, config: GatewayConfig, method: string): void {
  const { req } = ctx;
  ctx.host = checkRequest(req, config.limits.maxHeaders);
  const target = normalizeTarget(req.url!);
  if (!target.ok) throw new GatewayError('request.bad_path', target.reason);
  ctx.path = target.path;
  ctx.query = target.query;
  checkHost(ctx.host, target.path, config.hosts);
  const match = config.table.match(target.path, method);
  if (!match.found) {
    if (match.allow) throw new GatewayError('route.method_not_allowed', `${req.method} is not allowed here`, { headers: { allow: match.allow.join(', ') } });
    throw new GatewayError('route.not_found', 'no route matches this path');
  }
  ctx.route = match.route;
  ctx.params = match.params;
}
