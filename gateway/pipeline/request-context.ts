import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';

/** Everything one request carries through the stages. One object per request, no per-stage copies. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly config: GatewayConfig;
  readonly requestId: string;
  readonly startedAt: number;
  /** TCP peer, IPv4-mapped prefix removed. */
  readonly peer: string;
  peerTrusted: boolean;
  /** The client's address after trusted-proxy processing. */
  clientIp: string;
  host: string;
  path: string;
  query: string;
  route: CompiledRoute | null;
  params: Record<string, string>;
  /** Set by the authenticate stage; null for anonymous callers. */
  principal: Principal | null;
  /** Per-request response headers (CORS, later RateLimit), flat [name, value, ...]. */
  extraHeaders: string[] | null;
  upstreamMs: number | undefined;
  /** Why the gateway answered itself (Envoy's response flags): an error code or a local reply. */
  reason: string | undefined;
}

export type Stage = (ctx: RequestContext, next: () => Promise<void>) => Promise<void>;

/** The headers every response of this request carries, route-specific once the route is known. */
export function responseHeadersOf(ctx: RequestContext): readonly string[] {
  const base = ctx.route ? ctx.route.responseHeaders : ctx.config.baseResponseHeaders;
  return ctx.extraHeaders ? [...base, ...ctx.extraHeaders] : base;
}
