import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { createAccessLogger } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import { GatewayResponse } from '../pipeline/gateway-response.js';
import type { CertPair } from '../tls/self-signed-cert.js';
import { serverTlsOptions } from '../tls/tls-options.js';
import { answerClientError, answerConnect, type Edge } from './raw-answers.js';

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
  const edge: Edge = { logger: o.logger, accessLogger: createAccessLogger(o.logger), baseHeaders: o.baseHeaders, listener: undefined };
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
