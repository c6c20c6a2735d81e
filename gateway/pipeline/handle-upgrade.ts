import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GatewayError } from '../errors.js';
import { createAccessLogger, writeAccessLog } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { answerError } from './answer-error.js';
import { createContext } from './create-context.js';
import type { Runtime } from './handle-request.js';
import type { Handshake, UpgradeContext } from './request-context.js';
import { resolveRoute } from './resolve-route.js';
import { takeAccessToken } from './take-access-token.js';

export interface UpgradeDeps {
  runtime(): Runtime;
  logger: Logger;
  metrics: Metrics;
  /** Upgraded sockets outlive the HTTP server's close: shutdown destroys what is left. */
  track(socket: Duplex): void;
}

/**
 * The data-plane entry for WebSocket handshakes, the twin of handle-request: the same context,
 * the same route resolution, then the route's upgrade chain (its request chain's stages with
 * the WebSocket stage as terminal; none unless `websocket: true`). Errors are problem+json
 * written to the raw socket; one access-log line, in the request format, when the socket closes.
 */
export function createUpgradeHandler(deps: UpgradeDeps) {
  const accessLogger = createAccessLogger(deps.logger);
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const runtime = deps.runtime();
    const handshake: Handshake = { socket, head, accessToken: undefined, status: 0 };
    const ctx = createContext(req, null, handshake, runtime.config) as UpgradeContext;
    // The HTTPS server hands over a TLS socket; Duplex is only the event's declared type.
    const bytesBefore = (socket as Socket).bytesWritten;
    deps.track(socket);
    // Node stops watching an upgraded socket: a reset on a refused handshake must not crash us.
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      writeAccessLog(accessLogger, ctx, socket as Socket, bytesBefore);
      deps.metrics.finished(ctx);
    });
    upgrade(ctx, runtime).catch((err: unknown) => answerError(ctx, err, deps.logger));
  };
}

async function upgrade(ctx: UpgradeContext, runtime: Runtime): Promise<void> {
  const { req } = ctx;
  // RFC 6455 4.1: a WebSocket handshake is a GET; nothing else is upgraded here.
  if (req.method !== 'GET' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw new GatewayError('request.malformed', 'only WebSocket upgrades of GET requests are supported');
  }
  try {
    resolveRoute(ctx, ctx.config, 'GET');
  } finally {
    // Out of the query before anything is logged or forwarded, whether the route was found or not.
    const taken = takeAccessToken(ctx.query);
    ctx.query = taken.query;
    ctx.handshake.accessToken = taken.token;
  }
  const chain = runtime.chains.get(ctx.route!)!.upgrade;
  if (chain === null) throw new GatewayError('route.websocket_not_allowed');
  await chain(ctx);
}
