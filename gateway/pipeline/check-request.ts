import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';

/**
 * What Node's parser lets through but an edge must not (security notes, item 6): HTTP versions
 * other than 1.x, two Host headers, absolute-form and asterisk-form targets, too many header
 * fields, a Host that is not a host. Returns the Host (lower-case, no port).
 */
export function checkRequest(req: IncomingMessage, maxHeaders: number): string {
  if (req.httpVersionMajor !== 1) throw new GatewayError('request.bad_version', `HTTP/${req.httpVersion} is not accepted`);
  const raw = req.rawHeaders;
  if (raw.length / 2 > maxHeaders) throw new GatewayError('request.headers_too_large', `more than ${maxHeaders} header fields`);

  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      // RFC 9112 3.2: more than one Host field line is a 400.
      if (host !== undefined) throw new GatewayError('request.duplicate_host');
      host = raw[i + 1]!;
    }
  }
  const url = req.url ?? '';
  if (url === '*') throw new GatewayError('request.asterisk_form');
  if (url.charCodeAt(0) !== 47) throw new GatewayError('request.absolute_form', 'send the path only, with the host in the Host header');
  if (host === undefined) throw new GatewayError('request.missing_host');

  const name = hostName(host);
  if (name === null) throw new GatewayError('request.malformed', 'invalid Host header');
  return name;
}

/**
 * The configured `hosts` (RFC 9110 7.4: a request for a name we do not serve is misdirected).
 * Health probes are exempt: load balancers and orchestrators address instances by IP.
 */
export function checkHost(host: string, path: string, hosts: ReadonlySet<string> | null): void {
  if (hosts === null || hosts.has(host) || path === '/healthz' || path === '/readyz') return;
  throw new GatewayError('request.unknown_host', 'this gateway does not serve that host');
}

const HOST = /^(?:([A-Za-z0-9.-]+)|\[([0-9A-Fa-f:.]+)\])(?::\d{1,5})?$/;

/** Lower-case host without port or IPv6 brackets; null when the value is not a host. */
export function hostName(value: string): string | null {
  const m = HOST.exec(value);
  if (!m) return null;
  return (m[1] ?? m[2]!).toLowerCase();
}
