import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { createAccessLogger } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { CertPair } from '../tls/self-signed-cert.js';
import { serverTlsOptions } from '../tls/tls-options.js';
import { hardenListener, requestServerOptions } from './harden-listener.js';

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
    ...requestServerOptions(o.limits),
    // The request timers start with the first request byte; a socket that never sends a
    // ClientHello is governed by this alone (Node's default: 120 s).
    handshakeTimeout: o.limits.handshakeTimeout,
  }, o.onRequest);
  server.on('upgrade', o.onUpgrade);
  hardenListener(server, o.limits, { logger: o.logger, accessLogger: createAccessLogger(o.logger), baseHeaders: o.baseHeaders, listener: undefined }, true);
  return server;
}
