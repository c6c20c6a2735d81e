import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { destroyAfterLinger, GatewayError, sendRawProblem } from '../errors.js';
import { createAccessLogger } from '../observability/access-log.js';
import { requestLineOf, writeListenerAccessLog } from '../observability/listener-access-log.js';
import type { Logger } from '../observability/logger.js';
import { unmapIPv4 } from '../pipeline/client-address.js';
import { GatewayResponse } from '../pipeline/gateway-response.js';
import { answerInFlight } from '../pipeline/handle-request.js';
import { requestIdFrom } from '../pipeline/request-id.js';
import type { CertPair } from '../tls/self-signed-cert.js';
import { serverTlsOptions } from '../tls/tls-options.js';

export interface HttpsListenerOptions {
  cert: CertPair;
  limits: GatewayConfig['limits'];
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Security headers for responses written before any request object exists. */
  baseHeaders(): readonly string[];
  /** For the access-log lines of requests answered here, before or outside the pipeline. */
  logger: Logger;
}

export function createHttpsListener(o: HttpsListenerOptions): Server {
  const server = createServer({
    ...serverTlsOptions(o.cert.cert, o.cert.key),
    // Node's defaults let a slowloris hold a socket ~89 s; these cut it at ~11 s (security notes, item 9).
    headersTimeout: o.limits.headersTimeout,
    requestTimeout: o.limits.requestTimeout,
    connectionsCheckingInterval: 1000,
    // Those timers start with the first request byte; a socket that never sends a ClientHello
    // is governed by this alone (Node's default: 120 s).
    handshakeTimeout: o.limits.handshakeTimeout,
    keepAliveTimeout: o.limits.keepAliveTimeout,
    maxHeaderSize: o.limits.maxHeaderSize,
    // Host is checked by the pipeline so the 400 is problem+json with our headers.
    requireHostHeader: false,
    noDelay: true,
    // Carries each request's context for answerInFlight, at no per-request cost.
    ServerResponse: GatewayResponse,
  }, o.onRequest);
  if (o.limits.maxConnections !== undefined) server.maxConnections = o.limits.maxConnections;
  server.on('upgrade', o.onUpgrade);
  const edge: Edge = { logger: o.logger, accessLogger: createAccessLogger(o.logger), baseHeaders: o.baseHeaders };
  // Without a 'connect' listener Node closes the socket with no answer and nothing is logged.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(req, socket, edge));
  // Once per connection, not per request: which sockets finished the TLS handshake.
  const established = new WeakSet<Duplex>();
  server.on('secureConnection', (socket: Duplex) => established.add(socket));
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => {
    // Before the handshake there is no HTTP to answer in: a write would wait for a handshake that
    // never comes and hold the socket forever, in CLOSE-WAIT once the peer leaves (measured).
    if (!established.has(socket)) socket.destroy();
    else answerClientError(err, socket, edge);
  });
  server.on('tlsClientError', () => { /* handshake failures are the client's; nothing to answer */ });
  return server;
}

interface Edge {
  logger: Logger;
  accessLogger: Logger;
  baseHeaders(): readonly string[];
}

/**
 * Parser and timeout errors get a problem+json answer instead of Node's bare status line, and
 * one access-log line. Like Node's own handler, an answer is written unless a byte of the
 * response in flight has been (`_httpMessage.headersSent`): a slow body's 408 arrives too.
 */
function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex, edge: Edge): void {
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
    requestId, status: error.status, reason: error.code, clientIp: peerOf(socket), ...requestLineOf(err.rawPacket),
  });
  sendRawProblem(socket, error, requestId, edge.baseHeaders());
}

/** RFC 9112 3.2.3: the authority-form (`CONNECT host:port`) asks for a tunnel; this is no forward proxy. */
function answerConnect(req: IncomingMessage, socket: Duplex, edge: Edge): void {
  socket.on('error', () => socket.destroy());
  const error = new GatewayError('request.authority_form', 'CONNECT is not accepted: this gateway is not a forward proxy');
  const requestId = requestIdFrom(req.headers['x-request-id']);
  writeListenerAccessLog(edge.accessLogger, {
    requestId, status: error.status, reason: error.code, clientIp: peerOf(socket), method: req.method, target: req.url,
  });
  sendRawProblem(socket, error, requestId, edge.baseHeaders());
}

function peerOf(socket: Duplex): string {
  return unmapIPv4((socket as { remoteAddress?: string }).remoteAddress ?? '');
}
