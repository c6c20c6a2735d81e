import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { withoutHsts } from '../config/schema/build-security-headers.js';
import { GatewayError, writeProblem } from '../errors.js';
import { createAccessLogger } from '../observability/access-log.js';
import { writeListenerAccessLog } from '../observability/listener-access-log.js';
import type { Logger } from '../observability/logger.js';
import { normalizedPathForLog } from '../observability/raw-path-for-log.js';
import { hostName } from '../pipeline/check-request.js';
import { unmapIPv4 } from '../pipeline/client-address.js';
import { normalizeTarget } from '../pipeline/normalize-path.js';
import { requestIdFrom } from '../pipeline/request-id.js';
import { ACME_CHALLENGE_PREFIX, type AcmeChallenges } from '../tls/acme-challenges.js';
import { answerClientError, answerConnect, type Edge } from './raw-answers.js';

/**
 * Plain HTTP only sends clients to HTTPS: same host, path and query; 301 for GET/HEAD, 308
 * otherwise so the method and body survive. The one exception is /.well-known/acme-challenge/:
 * the ACME CA's HTTP-01 check (RFC 8555 8.3) is answered here from `challenges`.
 * Every answer carries x-request-id and the base security headers, errors are problem+json,
 * and each request gets one access-log line with `listener: 'http'`.
 * `httpsPort`: the port clients reach HTTPS on (the bound port unless `redirectPort` says otherwise).
 */
export function createHttpRedirectListener(config: () => GatewayConfig, httpsPort: () => number, logger: Logger, challenges: AcmeChallenges | null = null): Server {
  const accessLogger = createAccessLogger(logger);
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 1000, requireHostHeader: false }, (req, res) => {
    const startedAt = performance.now();
    const cfg = config();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const target = normalizeTarget(req.url ?? '');
    const outcome = redirect(req, cfg, target, httpsPort);
    const headers = plainHttpHeaders(cfg);
    const finish = (result: string | GatewayError | { keyAuthorization: string }) => {
      if (result instanceof GatewayError) writeProblem(res, result, requestId, headers);
      else if (typeof result === 'string') answerRedirect(res, result, requestId, headers);
      else answerChallenge(res, result.keyAuthorization, requestId, headers);
      writeListenerAccessLog(accessLogger, {
        requestId,
        status: res.statusCode,
        reason: result instanceof GatewayError ? result.code : undefined,
        clientIp: unmapIPv4(req.socket.remoteAddress ?? ''),
        method: req.method,
        ...(target.ok ? { path: normalizedPathForLog(target.path) } : { target: req.url }),
        listener: 'http',
        durationMs: performance.now() - startedAt,
      });
    };
    if (typeof outcome === 'object' && 'token' in outcome) {
      void lookUp(challenges, outcome.token, req.method).then(finish);
      return;
    }
    finish(outcome);
  });
  // Refused like on HTTPS: problem+json, x-request-id, a log line (Node's own answers have none).
  const edge: Edge = { logger, accessLogger, baseHeaders: () => plainHttpHeaders(config()), listener: 'http' };
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => answerClientError(err, socket, edge));
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerConnect(req, socket, edge));
  return server;
}

/** The challenge's answer, or the error to give instead; never throws (answer() does not). */
async function lookUp(challenges: AcmeChallenges | null, token: string, method: string | undefined): Promise<GatewayError | { keyAuthorization: string }> {
  if (method !== 'GET' && method !== 'HEAD') return new GatewayError('route.method_not_allowed', 'challenges are fetched with GET', { headers: { allow: 'GET, HEAD' } });
  const keyAuthorization = challenges ? await challenges.answer(token) : null;
  return keyAuthorization === null ? new GatewayError('route.not_found') : { keyAuthorization };
}

/** RFC 8555 8.3: the body is the key authorization, as application/octet-stream. */
function answerChallenge(res: ServerResponse, keyAuthorization: string, requestId: string, headers: readonly string[]): void {
  const body = Buffer.from(keyAuthorization, 'ascii');
  res.writeHead(200, [...headers, 'content-type', 'application/octet-stream', 'content-length', String(body.length), 'cache-control', 'no-store', 'x-request-id', requestId]);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** The Location to send the client to, the ACME token asked for, or why not. */
function redirect(req: IncomingMessage, cfg: GatewayConfig, target: ReturnType<typeof normalizeTarget>, httpsPort: () => number): string | GatewayError | { token: string } {
  if (!target.ok) return new GatewayError('request.bad_path', target.reason);
  const hostHeader = req.headers.host;
  if (!hostHeader) return new GatewayError('request.missing_host');
  const host = hostName(hostHeader);
  if (host === null) return new GatewayError('request.malformed', 'the Host header is not a host name');
  if (cfg.hosts !== null && !cfg.hosts.has(host)) return new GatewayError('request.unknown_host', 'this gateway does not serve that host');
  if (target.path.startsWith(ACME_CHALLENGE_PREFIX)) return { token: target.path.slice(ACME_CHALLENGE_PREFIX.length) };
  const port = cfg.listeners.http?.redirectPort ?? httpsPort();
  const authority = host.includes(':') ? `[${host}]` : host;
  return `https://${authority}${port === 443 ? '' : `:${port}`}${target.path}${target.query}`;
}

function answerRedirect(res: ServerResponse, location: string, requestId: string, headers: readonly string[]): void {
  const status = res.req.method === 'GET' || res.req.method === 'HEAD' ? 301 : 308;
  res.writeHead(status, [...headers, 'location', location, 'content-length', '0', 'cache-control', 'no-store', 'x-request-id', requestId]).end();
}

const PLAIN_HEADERS = new WeakMap<GatewayConfig, readonly string[]>();

/** The base security headers without HSTS (plain HTTP), filtered once per config, not per request. */
function plainHttpHeaders(cfg: GatewayConfig): readonly string[] {
  let headers = PLAIN_HEADERS.get(cfg);
  if (!headers) {
    headers = withoutHsts(cfg.baseResponseHeaders);
    PLAIN_HEADERS.set(cfg, headers);
  }
  return headers;
}
