import { traceparentOf } from '../observability/trace-context.js';
import type { IdentityHeaderNames } from '../upstream/identity-headers.js';
import { identityHeaders } from '../upstream/identity-headers.js';
import { buildUpstreamHeaders, type HeaderPolicy } from '../upstream/request-headers.js';
import type { RequestContext } from './request-context.js';

/**
 * The headers the backend sees for this request or handshake, from what the context knows
 * (request id, trace, peer, verified caller). Shared by the proxy and the WebSocket stage so both
 * tell the backend the same things. `upstreamHost` is null when the route preserves Host.
 */
export function backendHeaders(ctx: RequestContext, upstreamHost: string | null, names: IdentityHeaderNames, policy: HeaderPolicy): string[] {
  const host = ctx.req.headers.host!;
  return buildUpstreamHeaders(ctx.req.rawHeaders, {
    requestId: ctx.requestId,
    host,
    upstreamHost: upstreamHost ?? host,
    peer: ctx.peer,
    peerTrusted: ctx.peerTrusted,
    upgrade: ctx.handshake !== null,
    identity: identityHeaders(names, ctx.principal),
    trace: { traceparent: traceparentOf(ctx.trace), tracestate: ctx.trace.state },
  }, policy);
}
