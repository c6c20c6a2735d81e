import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { GatewayError, sendRawProblem } from '../errors.js';
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
  }, o.onRequest);
  if (o.limits.maxConnections !== undefined) server.maxConnections = o.limits.maxConnections;
  server.on('upgrade', o.onUpgrade);
  // Once per connection, not per request: which sockets finished the TLS handshake.
  const established = new WeakSet<Duplex>();
  server.on('secureConnection', (socket: Duplex) => established.add(socket));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Before the handshake there is no HTTP to answer in: a write would wait for a handshake that
    // never comes and hold the socket forever, in CLOSE-WAIT once the peer leaves (measured).
    if (!established.has(socket)) socket.destroy();
    else answerClientError(err, socket, o.baseHeaders());
  });
  server.on('tlsClientError', () => { /* handshake failures are the client's; nothing to answer */ });
  return server;
}

/** Parser and timeout errors get a problem+json answer instead of Node's bare status line. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, headers: readonly string[]): void {
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
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
    case 'ECONNRESET':
      socket.destroy();
      return;
    default:
      error = new GatewayError('request.malformed', 'the request could not be parsed');
  }
  sendRawProblem(socket, error, requestIdFrom(undefined), headers);
}
