import { asGatewayError, sendRawProblem, writeProblem } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { responseHeadersOf, type RequestContext } from './request-context.js';

/**
 * The one way the data plane answers with an error: problem+json (errors.ts) on the response,
 * or written raw to the socket for a WebSocket handshake, which has no ServerResponse. Either
 * way it carries the route's security headers and the error's own (Allow, Retry-After).
 */
export function answerError(ctx: RequestContext, err: unknown, logger: Logger): void {
  const gatewayError = asGatewayError(err);
  ctx.reason = gatewayError.code;
  // A store outage is logged once by the store (lost/back); a line per refused request would flood the log.
  if (gatewayError.status >= 500 && gatewayError.code !== 'auth.store_unavailable' && gatewayError.code !== 'idempotency.store_unavailable') {
    const cause = gatewayError.cause as { code?: string; message?: string } | undefined;
    logger.warn({ request_id: ctx.requestId, code: gatewayError.code, cause_code: cause?.code, cause: cause?.message }, 'request failed');
  }
  if (ctx.res !== null) {
    writeProblem(ctx.res, gatewayError, ctx.requestId, responseHeadersOf(ctx));
    return;
  }
  const handshake = ctx.handshake!;
  const { socket } = handshake;
  // Once the backend has answered, the bytes on this socket are the backend's: never add ours.
  if (handshake.status !== 0 || !socket.writable) {
    socket.destroy();
    return;
  }
  handshake.status = gatewayError.status;
  // rawProblem writes the route's headers; writeProblem's own extras (Allow, Retry-After) go with them.
  const base = responseHeadersOf(ctx);
  sendRawProblem(socket, gatewayError, ctx.requestId, gatewayError.headers ? [...base, ...Object.entries(gatewayError.headers).flat()] : base);
}
