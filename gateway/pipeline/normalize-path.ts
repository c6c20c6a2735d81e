/**
 * One canonical path for both the routing decision and the upstream request (Envoy
 * CVE-2019-9901 is what happens otherwise). Pure; table-tested in test/unit/normalize-path.
 *
 * - percent-encoded unreserved characters are decoded (RFC 3986 6.2.2.2), other escapes are kept
 *   with upper-case hex;
 * - encoded "/" and "\", NUL and other control bytes, raw backslashes and invalid escapes are
 *   rejected: a backend would decode them into something the gateway did not route;
 * - dot segments are removed (RFC 3986 5.2.4); climbing above the root is rejected;
 * - runs of "/" collapse into one.
 */
export type NormalizedTarget = { ok: true; path: string; query: string } | { ok: false; reason: string };

const HEX = '0123456789ABCDEF';

// pchar (RFC 3986 3.3) plus "/" and "%": anything else in a path is rejected.
const PATH_CHAR = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%") PATH_CHAR[c.charCodeAt(0)] = 1;
const UNRESERVED = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

export function normalizeTarget(target: string): NormalizedTarget {
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  if (rawPath.charCodeAt(0) !== 47) return { ok: false, reason: 'path must start with "/"' };
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return { ok: false, reason: 'control or non-ASCII byte in query' };
  }

  // Fast path: nothing to decode, no dot segments, no empty segments.
  let simple = true;
  for (let i = 0; i < rawPath.length; i++) {
    const c = rawPath.charCodeAt(i);
    if (c > 127 || PATH_CHAR[c] === 0) return { ok: false, reason: c === 92 ? 'backslash in path' : 'invalid character in path' };
    if (c === 37 /* % */ || (c === 47 && (rawPath.charCodeAt(i + 1) === 47 || rawPath.charCodeAt(i + 1) === 46)) || (c === 46 && i === 0)) simple = false;
  }
  if (simple) return { ok: true, path: rawPath, query };

  const decoded = decodeUnreserved(rawPath);
  if (typeof decoded !== 'string') return decoded;
  const path = removeDotSegments(decoded);
  if (path === null) return { ok: false, reason: 'path climbs above the root' };
  return { ok: true, path, query };
}

function decodeUnreserved(path: string): string | { ok: false; reason: string } {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return { ok: false, reason: 'invalid percent-encoding' };
    const byte = hi * 16 + lo;
    if (byte === 0x2f || byte === 0x5c) return { ok: false, reason: 'encoded slash or backslash in path' };
    if (byte < 0x20 || byte === 0x7f) return { ok: false, reason: 'encoded control character in path' };
    out += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : `%${HEX[hi]}${HEX[lo]}`;
    i += 2;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** RFC 3986 5.2.4 on an absolute path, with empty segments dropped; null when ".." passes the root. */
function removeDotSegments(path: string): string | null {
  const input = path.split('/');
  const out: string[] = [];
  const last = input[input.length - 1];
  for (let i = 1; i < input.length; i++) {
    const seg = input[i]!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  // "/a/b/" and "/a/b/." and "/a/b/.." keep their directory form.
  const trailing = out.length > 0 && (last === '' || last === '.' || last === '..');
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}
