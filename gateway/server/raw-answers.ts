import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { destroyAfterLinger, GatewayError, sendRawProblem } from '../errors.js';
import { requestLineOf, writeListenerAccessLog, type ListenerName } from '../observability/listener-access-log.js';
import type { Logger } from '../observability/logger.js';
import { unmapIPv4 } from '../pipeline/client-address.js';
import { answerInFlight } from '../pipeline/handle-request.js';
import { requestIdFrom } from '../pipeline/request-id.js';

/**
 * Answers written to a listener's socket where no request handler runs (parse errors,
 * timeouts, CONNECT), shared by every listener (HTTPS, plain HTTP, admin) so all refuse alike:
 * problem+json with x-request-id, one access-log line, and the socket let go after a linger.
 */
export interface Edge {
  logger: Logger;
  accessLogger: Logger;
  baseHeaders(): readonly string[];
  /** Set on the plain-HTTP and the admin listener's lines. */
  listener: ListenerName | undefined;
}

/**
 * Parser and timeout errors get a problem+json answer instead of Node's bare status line, and
 * one access-log line. Like Node's own handler, an answer is written unless a byte of the
 * response in flight has been (`_httpMessage.headersSent`): a slow body's 408 arrives too.
 */
export function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex, edge: Edge): void {
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage ?? null;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  let error: GatewayError;
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      error = new GatewayError('request.headers_too_large', 'the request headers are larger than this gateway accepts');
      break;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      error = new GatewayError('request.timeout', 'the request was not received in time');
      break;
    default:
      error = new GatewayError('request.malformed', 'the request could not be parsed');
  }
  // A request the pipeline holds is answered through it: its request id, headers and log line.
  if (inFlight !== null && answerInFlight(inFlight, error, edge.logger)) {
    // The rest of the body will not come. Node aborts the request stream of a connection cut mid-body;
    // this one was answered instead, so end it here, or its reader (the backend request) waits for ever.
    inFlight.once('close', () => inFlight.req.destroy());
    destroyAfterLinger(socket);
    return;
  }
  const requestId = requestIdFrom(undefined);
  writeListenerAccessLog(edge.accessLogger, {
    requestId, status: error.status, reason: error.code, clientIp: peerOf(socket), ...requestLineOf(err.rawPacket), listener: edge.listener,
  });
  sendRawProblem(socket, error, requestId, edge.baseHeaders());
}

/** RFC 9112 3.2.3: the authority-form (`CONNECT host:port`) asks for a tunnel; this is no forward proxy. */
export function answerConnect(req: IncomingMessage, socket: Duplex, edge: Edge): void {
  socket.on('error', () => socket.destroy());
  const error = new GatewayError('request.authority_form', 'CONNECT is not accepted: this gateway is not a forward proxy');
  const requestId = requestIdFrom(req.headers['x-request-id']);
  writeListenerAccessLog(edge.accessLogger, {
    requestId, status: error.status, reason: error.code, clientIp: peerOf(socket), method: req.method, target: req.url, listener: edge.listener,
  });
  sendRawProblem(socket, error, requestId, edge.baseHeaders());
}

function peerOf(socket: Duplex): string {
  return unmapIPv4((socket as { remoteAddress?: string }).remoteAddress ?? '');
}
