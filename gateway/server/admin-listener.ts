import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { GatewayConfig } from '../config/compile-config.js';
import { createAccessLogger } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { CertPair } from '../tls/self-signed-cert.js';
import { serverTlsOptions } from '../tls/tls-options.js';
import { hardenListener, requestServerOptions } from './harden-listener.js';

export interface AdminListenerOptions {
  /** The gateway's certificate for `tls: true` (start-gateway.ts swaps it with the HTTPS one's); null: plain HTTP. */
  cert: CertPair | null;
  limits: GatewayConfig['limits'];
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Headers for answers written before any request object exists (the admin route's). */
  baseHeaders(): readonly string[];
  logger: Logger;
}

/**
 * The admin listener's server: plain HTTP (loopback by default) or HTTPS with the gateway's own
 * certificate, with the main listener's limits and edge answers (harden-listener.ts), and no
 * WebSocket upgrades (a handshake is an ordinary request here, and finds no endpoint).
 */
export function createAdminListener(o: AdminListenerOptions): Server | HttpsServer {
  const options = requestServerOptions(o.limits);
  const server = o.cert === null
    ? createHttpServer(options, o.onRequest)
    : createHttpsServer({ ...serverTlsOptions(o.cert.cert, o.cert.key), ...options, handshakeTimeout: o.limits.handshakeTimeout }, o.onRequest);
  hardenListener(server, o.limits, { logger: o.logger, accessLogger: createAccessLogger(o.logger), baseHeaders: o.baseHeaders, listener: 'admin' }, o.cert !== null);
  return server;
}
