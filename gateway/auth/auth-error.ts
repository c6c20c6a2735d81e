import { GatewayError, type ErrorCode } from '../errors.js';

/**
 * 401s carry RFC 6750 3 WWW-Authenticate: no error code when no credentials came, otherwise
 * `invalid_token` with a description; 403 is `insufficient_scope`.
 */
export function authError(code: ErrorCode, description?: string): GatewayError {
  let challenge = 'Bearer realm="gateway"';
  if (code === 'auth.forbidden') challenge += ', error="insufficient_scope"';
  else if (code !== 'auth.missing_credentials' && code !== 'auth.invalid_credentials' && code !== 'auth.too_many_attempts' && code !== 'auth.store_unavailable') {
    challenge += `, error="invalid_token", error_description="${(description ?? code).replace(/["\\]/g, '')}"`;
  }
  const headers: Record<string, string> = code === 'auth.store_unavailable' || code === 'auth.too_many_attempts' ? {} : { 'www-authenticate': challenge };
  return new GatewayError(code, description, { headers });
}
