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
