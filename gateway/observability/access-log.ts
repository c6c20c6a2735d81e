import type { Socket } from 'node:net';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Logger } from './logger.js';
import { normalizedPathForLog, rawPathForLog } from './raw-path-for-log.js';

/**
 * One line per request. Only what is listed here is logged: no headers, no query values that
 * could carry credentials (the query is reduced to its parameter names), no bodies. Being an
 * allow-list, it needs no redaction pass, which cost a quarter of the gateway's CPU under load
 * (bench/README.md): the access logger is a child of the main one without `redact`.
 */
export function createAccessLogger(logger: Logger): Logger {
  return logger.child({ kind: 'access' }, { redact: { paths: [] } });
}

/**
 * The one format, for requests and WebSocket handshakes alike (a handshake adds `upgrade`).
 * `socket` and `bytesBefore` are taken when the request arrives: by 'close' Node may have
 * detached the socket from both req and res, and a keep-alive socket carries many responses.
 */
export function writeAccessLog(logger: Logger, ctx: RequestContext, socket: Socket, bytesBefore: number): void {
  const { res, handshake } = ctx;
  const status = res !== null ? res.statusCode : handshake!.status;
  logger.info({
    request_id: ctx.requestId,
    trace_id: ctx.trace.traceId,
    method: ctx.req.method,
    // Refused before normalization: the path as received, made safe to log. Both are capped.
    path: ctx.path ? normalizedPathForLog(ctx.path) : rawPathForLog(ctx.req.url),
    query_keys: ctx.query ? queryKeys(ctx.query) : undefined,
    route: ctx.route?.id,
    status,
    upgrade: handshake !== null ? 'websocket' : undefined,
    // A handshake is aborted when the client left before any answer.
    aborted: (res !== null ? !res.writableFinished : status === 0) || undefined,
    bytes: socket.bytesWritten - bytesBefore,
    client_ip: ctx.clientIp,
    duration_ms: round(performance.now() - ctx.startedAt),
    upstream_ms: ctx.upstreamMs === undefined ? undefined : round(ctx.upstreamMs),
    reason: ctx.reason,
  });
}

/** What a parameter name looks like; anything else may be a value in the wrong place. */
const NAME = /^[A-Za-z0-9_.[\]-]{1,32}$/;

/**
 * The query's parameter names, and only what looks like one: `?<api key>` or `?x%3D<token>`
 * would otherwise put a credential in the log as a "name" (second outside review). A bare
 * parameter (no '=') is a flag only when short; the rest are logged as '~'.
 */
function queryKeys(query: string): string {
  const keys: string[] = [];
  for (const pair of query.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (!key) continue;
    keys.push(NAME.test(key) && (eq !== -1 || key.length <= 16) ? key : '~');
  }
  return keys.join(',');
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
