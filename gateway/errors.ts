import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Every error the gateway answers with has one of these codes. The union is closed so that a
 * `switch (err.code)` is checked for exhaustiveness; docs/errors.md lists each row.
 */
export const ERROR_TABLE = {
  'request.bad_path': { status: 400, title: 'Bad request path' },
  'request.bad_version': { status: 400, title: 'Unsupported HTTP version' },
  'request.duplicate_host': { status: 400, title: 'More than one Host header' },
  'request.missing_host': { status: 400, title: 'Missing Host header' },
  'request.absolute_form': { status: 400, title: 'Absolute-form request target not accepted' },
  'request.asterisk_form': { status: 400, title: 'Asterisk-form request target not accepted' },
  'request.authority_form': { status: 400, title: 'Authority-form request target not accepted' },
  'request.malformed': { status: 400, title: 'Malformed request' },
  'request.origin_not_allowed': { status: 403, title: 'Origin not allowed' },
  'request.unknown_host': { status: 421, title: 'Misdirected request' },
  'request.body_too_large': { status: 413, title: 'Request body too large' },
  'request.headers_too_large': { status: 431, title: 'Request header fields too large' },
  'request.timeout': { status: 408, title: 'Request timeout' },
  'auth.missing_credentials': { status: 401, title: 'Authentication required' },
  'auth.invalid_token': { status: 401, title: 'Invalid token' },
  'auth.token_expired': { status: 401, title: 'Token expired' },
  'auth.token_revoked': { status: 401, title: 'Token revoked' },
  'auth.refresh_reused': { status: 401, title: 'Refresh token already used' },
  'auth.invalid_api_key': { status: 401, title: 'Invalid API key' },
  'auth.credentials_in_query': { status: 401, title: 'Credentials in the query string are not accepted' },
  'auth.invalid_credentials': { status: 401, title: 'Invalid username or password' },
  'auth.too_many_attempts': { status: 429, title: 'Too many failed login attempts' },
  'auth.forbidden': { status: 403, title: 'Forbidden' },
  'auth.store_unavailable': { status: 503, title: 'Authentication temporarily unavailable' },
  'ratelimit.exceeded': { status: 429, title: 'Too many requests' },
  'store.unavailable': { status: 503, title: 'Store unavailable' },
  'idempotency.key_missing': { status: 400, title: 'Idempotency-Key is missing' },
  'idempotency.key_invalid': { status: 400, title: 'Invalid Idempotency-Key' },
  'idempotency.in_flight': { status: 409, title: 'A request with this Idempotency-Key is outstanding' },
  'idempotency.not_replayable': { status: 409, title: 'Idempotency-Key already used; its response was not kept' },
  'idempotency.body_mismatch': { status: 422, title: 'Idempotency-Key already used with another request' },
  'idempotency.store_unavailable': { status: 503, title: 'Idempotency keys temporarily unavailable' },
  'route.not_found': { status: 404, title: 'Not found' },
  'route.method_not_allowed': { status: 405, title: 'Method not allowed' },
  'route.websocket_not_allowed': { status: 400, title: 'WebSocket upgrade not allowed on this route' },
  'cache.not_cached': { status: 504, title: 'Not in the cache' },
  'config.rejected': { status: 422, title: 'Config rejected; the running config stays' },
  'config.reload_incomplete': { status: 409, title: 'Reload reached only some workers' },
  'acme.not_configured': { status: 409, title: 'No ACME certificate to renew' },
  'acme.order_running': { status: 409, title: 'An ACME order is already running' },
  'upstream.unavailable': { status: 502, title: 'Backend unavailable' },
  'upstream.connection_reset': { status: 502, title: 'Backend closed the connection' },
  'upstream.bad_response': { status: 502, title: 'Backend sent an invalid response' },
  'upstream.connect_timeout': { status: 504, title: 'Backend connection timed out' },
  'upstream.timeout': { status: 504, title: 'Backend response timed out' },
  'upstream.no_healthy_target': { status: 503, title: 'No backend available' },
  'gateway.internal': { status: 500, title: 'Internal gateway error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers that belong to this error (Allow, Retry-After ...). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** RFC 9457 3.2 extension members of a 4xx problem (the list of a rejected config's errors). */
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; headers?: Record<string, string>; extensions?: Record<string, unknown> }) {
    super(detail ?? ERROR_TABLE[code].title, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.headers = options?.headers;
    this.extensions = options?.extensions;
  }
}

/** A 429-style error with Retry-After in whole seconds (at least 1), the detail told the same wait. */
export function retryAfterError(code: ErrorCode, retryAfterMs: number, detail: (seconds: number) => string): GatewayError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GatewayError(code, detail(seconds), { headers: { 'retry-after': String(seconds) } });
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  [extension: string]: unknown;
}

/** RFC 9457 body. 5xx details stay generic: internal hostnames and causes never leave the gateway. */
/** Codes with a registered problem type (draft-ietf-httpapi-ratelimit-headers: quota-exceeded). */
const REGISTERED_TYPES: Partial<Record<ErrorCode, string>> = {
  'ratelimit.exceeded': 'https://iana.org/assignments/http-problem-types#quota-exceeded',
};

export function toProblem(err: GatewayError, requestId: string): Problem {
  const { title, status } = ERROR_TABLE[err.code];
  return {
    // First, so the standard members below always win; never on a 5xx, whose body says nothing.
    ...(status < 500 ? err.extensions : undefined),
    type: REGISTERED_TYPES[err.code] ?? `https://gateway.invalid/problems/${err.code.replace('.', '/')}`,
    title,
    status,
    detail: status >= 500 ? title : err.message,
    code: err.code,
    request_id: requestId,
  };
}

/** Anything thrown that is not a GatewayError is an internal error; its text is never shown. */
export function asGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError('gateway.internal', undefined, { cause: err });
}

/**
 * The one writer of gateway-made error responses. `baseHeaders` is the route's prebuilt flat
 * header list (security headers, CORS), so errors carry the same protections as proxied responses.
 */
export function writeProblem(
  res: ServerResponse,
  err: GatewayError,
  requestId: string,
  baseHeaders: readonly string[],
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(toProblem(err, requestId));
  const headers: string[] = [
    ...baseHeaders,
    'content-type', 'application/problem+json',
    'content-length', String(Buffer.byteLength(body)),
    'cache-control', 'no-store',
    'x-request-id', requestId,
  ];
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) headers.push(k, v);
  // The framing of these requests is suspect: close rather than read on. A 413 keeps the
  // connection so Node drains the unread body and the client can read the answer.
  if (err.status === 400 || err.status === 408 || err.status === 431) headers.push('connection', 'close');
  res.writeHead(err.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A problem response written straight to a socket, for errors before Node made a request object. */
function rawProblem(err: GatewayError, requestId: string, baseHeaders: readonly string[]): string {
  const body = JSON.stringify(toProblem(err, requestId));
  const lines = [`HTTP/1.1 ${err.status} ${ERROR_TABLE[err.code].title}`];
  for (let i = 0; i < baseHeaders.length; i += 2) lines.push(`${baseHeaders[i]}: ${baseHeaders[i + 1]}`);
  lines.push(
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    `x-request-id: ${requestId}`,
    'connection: close',
  );
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** How long a client may take to read a raw answer and close its side before the socket is let go. */
const LINGER_MS = 2000;

/**
 * Writes a problem straight to a socket that has no ServerResponse (a parse error, a refused
 * WebSocket handshake) and lets go of it. `end()` alone only half-closes: a client that never
 * closes its side held the socket for ever (measured: FIN-WAIT-2 with the descriptor open).
 * Node itself destroys after such an answer; the short linger lets the client read it first.
 */
export function sendRawProblem(socket: Duplex, err: GatewayError, requestId: string, baseHeaders: readonly string[]): void {
  socket.end(rawProblem(err, requestId, baseHeaders));
  destroyAfterLinger(socket);
}

/** For a socket whose last answer is written and ended: destroyed after the linger unless the client closes first. */
export function destroyAfterLinger(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
