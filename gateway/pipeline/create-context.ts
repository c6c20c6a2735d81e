import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/compile-config.js';
import { traceFor } from '../observability/trace-context.js';
import { clientAddress, isTrusted, unmapIPv4 } from './client-address.js';
import type { Handshake, RequestContext } from './request-context.js';
import { requestIdFrom } from './request-id.js';

/**
 * The one place a context is made, for requests and WebSocket handshakes alike, so both get the
 * same request id rule, the same trace (the client's continued, or a new one) and the same client
 * address (the forwarded one behind a trusted proxy).
 */
export function createContext(req: IncomingMessage, res: ServerResponse | null, handshake: Handshake | null, config: GatewayConfig): RequestContext {
  const peer = unmapIPv4(req.socket.remoteAddress ?? '');
  const peerTrusted = config.trustedProxies !== null && isTrusted(config.trustedProxies, peer);
  return {
    req, res, handshake, config,
    requestId: requestIdFrom(req.headers['x-request-id']),
    trace: traceFor(req.headers.traceparent, req.headers.tracestate),
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
    replyHooks: null,
    bufferedBody: null,
    reason: undefined,
  };
}

function forwardedFor(req: IncomingMessage): string | undefined {
  const xff = req.headers['x-forwarded-for'];
  return typeof xff === 'string' ? xff : undefined;
}
