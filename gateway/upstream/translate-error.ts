import { errors } from 'undici';
import { GatewayError } from '../errors.js';

/**
 * undici's errors become gateway errors by their stable `code`, never by message text. The
 * detail never names the backend's address.
 */
export function translateUpstreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  // llhttp's complaints about the response carry no `code` of undici's, only this class.
  if (err instanceof errors.HTTPParserError) return new GatewayError('upstream.bad_response', undefined, { cause: err });
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
      return new GatewayError('upstream.unavailable', undefined, { cause: err });
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new GatewayError('upstream.connect_timeout', undefined, { cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new GatewayError('upstream.timeout', undefined, { cause: err });
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_CLOSED':
      return new GatewayError('upstream.connection_reset', undefined, { cause: err });
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_VERSION':
    case 'UND_ERR_INFO':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_HEADERS_OVERFLOW':
      return new GatewayError('upstream.bad_response', undefined, { cause: err });
    default:
      if (typeof code === 'string' && code.startsWith('HPE_')) return new GatewayError('upstream.bad_response', undefined, { cause: err });
      return new GatewayError('gateway.internal', undefined, { cause: err });
  }
}

/** Errors where the request provably never reached a backend handler: safe to resend an idempotent request. */
export function isRetryableConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Errors where no connection was made: the request reached nothing, whatever its method. */
export function isNeverSentError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

/** What counts against a target's passive health: it failed to connect, reset, timed out or spoke garbage. */
export function isTargetFailure(err: unknown): boolean {
  return translateUpstreamError(err).code.startsWith('upstream.');
}

/** RFC 9110 15.6.3-5: a gateway or service-unavailable answer from the target counts as its failure. */
export function isFailureStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Where a failed attempt may be sent again, for a request allowed a resend (a body-less
 * GET/HEAD/OPTIONS with retryIdempotent): after a reset before any answer, to another target or,
 * without one, the same (a keep-alive socket the target was closing); after a failed connect, to
 * another target only (the same one just refused). Anything else: not at all.
 */
export function resendTo(err: unknown): 'other-or-same' | 'other' | null {
  if (isRetryableConnectionError(err)) return 'other-or-same';
  if (isNeverSentError(err)) return 'other';
  return null;
}
