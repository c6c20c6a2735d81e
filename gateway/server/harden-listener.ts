import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { GatewayResponse } from '../pipeline/gateway-response.js';
import { answerClientError, answerConnect, type Edge } from './raw-answers.js';

/**
 * What every listener that runs requests through the gateway shares (the HTTPS one, the admin
 * one): the same time and size limits, and the same answers to what never became a request.
 */
export function requestServerOptions(limits: GatewayConfig['limits']) {
  return {
    // Node's defaults let a slowloris hold a socket ~89 s; these cut it at ~11 s (security notes, item 9).
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    connectionsCheckingInterval: 1000,
    keepAliveTimeout: limits.keepAliveTimeout,
    maxHeaderSize: limits.maxHeaderSize,
    // Host is checked by the pipeline so the 400 is problem+json with our headers.
    requireHostHeader: false,
    noDelay: true,
    // Carries each request's context for answerInFlight, at no per-request cost.
    ServerResponse: GatewayResponse,
  };
}

/**
 * Parser errors, timeouts and CONNECT answered as problem+json with a log line (raw-answers.ts).
 * On TLS, a socket whose handshake never finished is destroyed instead: there is no HTTP to
 * answer in, and a write would wait for a handshake that never comes and hold the socket
 * forever, in CLOSE-WAIT once the peer leaves (measured).
 */
export function hardenListener(server: HttpServer | HttpsServer, limits: GatewayConfig['limits'], edge: Edge, tls: boolean): void {
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  // Without a 'connect' listener Node closes the socket with no answer and nothing is logged.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(req, socket, edge));
  if (!tls) {
    server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => answerClientError(err, socket, edge));
    return;
  }
  // Once per connection, not per request: which sockets finished the TLS handshake.
  const established = new WeakSet<Duplex>();
  server.on('secureConnection', (socket: Duplex) => established.add(socket));
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => {
    if (!established.has(socket)) socket.destroy();
    else answerClientError(err, socket, edge);
  });
  server.on('tlsClientError', () => { /* handshake failures are the client's; nothing to answer */ });
}
