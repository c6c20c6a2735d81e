/**
 * RFC 9110 7.6.1: these fields describe one connection and stop at every proxy, as do the
 * fields a Connection header names. Proxy-Authorization/-Authenticate are for this hop too.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings',
]);

/**
 * Lower-case names listed in Connection header values; null when it lists none beyond "close"
 * and "keep-alive" (hop-by-hop already), which is nearly every message: no Set is made for those.
 */
export function connectionListed(values: string | readonly string[] | undefined): Set<string> | null {
  if (values === undefined) return null;
  if (typeof values === 'string' && values.length <= 10) {
    const v = values.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return null;
  }
  const set = new Set<string>();
  for (const value of typeof values === 'string' ? [values] : values) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) set.add(t);
    }
  }
  return set;
}
