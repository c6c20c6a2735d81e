/**
 * RFC 9110 7.6.1: these fields describe one connection and stop at every proxy, as do the
 * fields a Connection header names. Proxy-Authorization/-Authenticate are for this hop too.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings',
]);

/** Lower-case names listed in Connection header values ("close" and "keep-alive" included). */
export function connectionListed(values: string | readonly string[] | undefined): Set<string> | null {
  if (values === undefined) return null;
  const set = new Set<string>();
  for (const value of typeof values === 'string' ? [values] : values) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) set.add(t);
    }
  }
  return set;
}
