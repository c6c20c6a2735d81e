import type { CorsConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { Stage } from './request-context.js';

/**
 * CORS from config. Preflights are answered here and never reach the backend; a disallowed
 * origin gets no CORS headers at all (the browser then blocks the response). Browsers apply no
 * CORS to WebSockets, so a handshake from a disallowed Origin is refused outright here
 * (cross-site WebSocket hijacking); one without Origin is not a browser's and goes on.
 */
export function createCorsStage(cors: CorsConfig): Stage {
  const anyOrigin = cors.origins.includes('*');
  const origins = new Set(cors.origins);
  const allowMethods = cors.methods.join(', ');
  const allowHeaders = cors.headers.join(', ');
  const allowedHeaderSet = new Set(cors.headers.map((h) => h.toLowerCase()));
  const maxAge = String(Math.floor(cors.maxAge / 1000));
  const expose = cors.exposeHeaders.join(', ');

  return async (ctx, next) => {
    const origin = ctx.req.headers.origin;
    const allowed = origin !== undefined && (anyOrigin || origins.has(origin));
    if (ctx.handshake !== null) {
      if (origin !== undefined && !allowed) throw new GatewayError('request.origin_not_allowed', 'this origin may not open WebSockets here');
      return next();
    }
    const extra = (ctx.extraHeaders ??= []);
    // Caches must key on Origin when the answer depends on it.
    if (!anyOrigin) extra.push('vary', 'Origin');
    const isPreflight = ctx.req.method === 'OPTIONS' && ctx.req.headers['access-control-request-method'] !== undefined;

    if (allowed) {
      extra.push('access-control-allow-origin', anyOrigin && !cors.credentials ? '*' : origin);
      if (cors.credentials) extra.push('access-control-allow-credentials', 'true');
      if (!isPreflight && expose) extra.push('access-control-expose-headers', expose);
    }
    if (!isPreflight) return next();

    ctx.reason = 'cors.preflight';
    if (allowed && preflightAllowed(ctx.req.headers, cors, allowedHeaderSet)) {
      extra.push('access-control-allow-methods', allowMethods, 'access-control-allow-headers', allowHeaders, 'access-control-max-age', maxAge);
    }
    const headers = [...ctx.route!.responseHeaders, ...extra, 'x-request-id', ctx.requestId, 'content-length', '0'];
    // Handshakes returned above: this is a request, with a response.
    ctx.res!.writeHead(204, headers);
    ctx.res!.end();
  };
}

function preflightAllowed(headers: Record<string, string | string[] | undefined>, cors: CorsConfig, allowed: ReadonlySet<string>): boolean {
  const method = headers['access-control-request-method'];
  if (typeof method !== 'string' || !(cors.methods as string[]).includes(method)) return false;
  const asked = headers['access-control-request-headers'];
  if (typeof asked !== 'string' || asked.trim() === '') return true;
  return asked.split(',').every((h) => allowed.has(h.trim().toLowerCase()));
}
