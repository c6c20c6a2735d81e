import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/compile-config.js';
import { writeAccessLog } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createContext } from './create-context.js';
import { GatewayResponse } from './gateway-response.js';
import type { HttpContext } from './request-context.js';

/**
 * What every listener does first with a request: its context (carried by the response), one
 * access-log line and its metrics when the response closes, and no keep-alive once the gateway
 * is stopping.
 */
export function beginRequest(req: IncomingMessage, res: ServerResponse, config: GatewayConfig, accessLogger: Logger, metrics: Metrics, shuttingDown: boolean): HttpContext {
  const ctx = createContext(req, res, null, config) as HttpContext;
  if (res instanceof GatewayResponse) res.context = ctx;
  const socket = req.socket;
  const bytesBefore = socket.bytesWritten;
  res.once('close', () => {
    writeAccessLog(accessLogger, ctx, socket, bytesBefore);
    metrics.finished(ctx);
  });
  if (shuttingDown) res.shouldKeepAlive = false;
  return ctx;
}
