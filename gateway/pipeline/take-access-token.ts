import { decodedName } from '../auth/query-credentials.js';

/**
 * Splits `access_token` off a query string; the rest is forwarded as it came. Browsers cannot
 * set headers on a WebSocket, so a handshake alone may carry its token this way, and it must
 * leave the URL before anything is forwarded or logged. The name is matched as the backend
 * would read it, percent-decoded: `access%5Ftoken=` leaves too.
 */
export function takeAccessToken(query: string): { query: string; token: string | undefined } {
  if (!query.includes('access_token=') && !query.includes('%')) return { query, token: undefined };
  let token: string | undefined;
  const kept = query.slice(1).split('&').filter((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1 || decodedName(pair.slice(0, eq)) !== 'access_token') return true;
    try {
      token = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      token = ''; // undecodable: verification refuses it as a malformed token
    }
    return false;
  });
  if (token === undefined) return { query, token };
  return { query: kept.length > 0 ? `?${kept.join('&')}` : '', token };
}
