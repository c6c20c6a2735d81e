/**
 * Splits `access_token` off a query string; the rest is forwarded as it came. Browsers cannot
 * set headers on a WebSocket, so a handshake alone may carry its token this way, and it must
 * leave the URL before anything is forwarded or logged.
 */
export function takeAccessToken(query: string): { query: string; token: string | undefined } {
  if (!query.includes('access_token=')) return { query, token: undefined };
  let token: string | undefined;
  const kept = query.slice(1).split('&').filter((pair) => {
    if (!pair.startsWith('access_token=')) return true;
    try {
      token = decodeURIComponent(pair.slice('access_token='.length));
    } catch {
      token = ''; // undecodable: verification refuses it as a malformed token
    }
    return false;
  });
  return { query: kept.length > 0 ? `?${kept.join('&')}` : '', token };
}
