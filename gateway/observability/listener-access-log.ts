import type { Logger } from './logger.js';
import { rawPathForLog } from './raw-path-for-log.js';

/** The listeners other than the main HTTPS one, as their access-log lines name them. */
export type ListenerName = 'http' | 'admin';

/** What a listener knows of a request it answered without the pipeline. */
export interface ListenerAccessLine {
  requestId: string;
  status: number;
  /** The error code, as the pipeline's `reason`. */
  reason?: string | undefined;
  /** TCP peer: no header is believed before a request exists. */
  clientIp: string;
  method?: string | undefined;
  /** Already made safe for the log (normalized and capped); see `target` for one as received. */
  path?: string | undefined;
  /** The request target as received: logged through rawPathForLog. */
  target?: string | undefined;
  /** 'http' for the redirect listener, 'admin' for the admin one; absent for the HTTPS one, as on pipeline lines. */
  listener?: ListenerName | undefined;
  durationMs?: number | undefined;
}

/**
 * One access-log line, in the pipeline's field names (access-log.ts), for requests answered by a
 * listener itself: parser refusals and timeouts before Node made a request object, CONNECT, and
 * the plain-HTTP redirects. `logger` is the access logger (createAccessLogger), so `kind: access`.
 */
export function writeListenerAccessLog(logger: Logger, l: ListenerAccessLine): void {
  logger.info({
    request_id: l.requestId,
    method: l.method,
    path: l.path ?? (l.target ? rawPathForLog(l.target) : undefined),
    status: l.status,
    client_ip: l.clientIp,
    duration_ms: l.durationMs === undefined ? undefined : Math.round(l.durationMs * 100) / 100,
    reason: l.reason,
    listener: l.listener,
  });
}

const REQUEST_LINE = /^([A-Z]{1,16}) (\S{1,8192}) HTTP\/\d\.\d\r?\n/;

/**
 * The method and target of the request line a parser error came with (`err.rawPacket`, the
 * chunk being parsed), when that chunk starts with one; a later chunk of the request has none.
 */
export function requestLineOf(rawPacket: unknown): { method?: string; target?: string } {
  if (!Buffer.isBuffer(rawPacket)) return {};
  const m = REQUEST_LINE.exec(rawPacket.subarray(0, 8300).toString('latin1'));
  return m ? { method: m[1], target: m[2] } : {};
}
