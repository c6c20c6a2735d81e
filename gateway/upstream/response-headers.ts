import type { IncomingHttpHeaders } from 'node:http';
import { connectionListed, HOP_BY_HOP } from './hop-by-hop.js';

/**
 * Backend response headers the client may see, as a flat list: hop-by-hop fields, fields the
 * Connection header names, and the route's `drop` set (Server, X-Powered-By, names the gateway
 * sets itself) are removed. Set-Cookie arrays stay separate lines.
 */
export function filterResponseHeaders(headers: IncomingHttpHeaders, drop: ReadonlySet<string>, out: string[]): string[] {
  const listed = headers.connection === undefined ? null : connectionListed(headers.connection);
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || drop.has(name) || (listed !== null && listed.has(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  return out;
}
