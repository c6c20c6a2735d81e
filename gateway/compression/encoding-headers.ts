import type { Coding } from './negotiate-encoding.js';

/**
 * Header rules for a coded response, on the flat [name, value, ...] lists the proxy writes
 * (lower-case names). Shared by the streamed path and the cache's stored variants (serve-entry.ts).
 */

/**
 * Fields that describe the identity bytes and would be wrong for the coded ones: the length,
 * ranges over it (RFC 9110 14.3: we cannot serve ranges of the coded bytes), and digests. RFC
 * 9530 Content-Digest covers the message content and Repr-Digest the selected representation's
 * data, and both of those are the coded bytes once Content-Encoding is applied (RFC 9110 8.1,
 * 8.4); Digest (RFC 3230, obsoleted by 9530) and Content-MD5 (RFC 1864; RFC 2616 14.15: "including
 * any content-coding", removed by RFC 7231) hash coded bytes too. None can be recomputed without
 * hashing every coded body, so they are dropped, which RFC 9530 allows (the fields are optional).
 */
const IDENTITY_ONLY: ReadonlySet<string> = new Set(['content-length', 'accept-ranges', 'content-digest', 'repr-digest', 'digest', 'content-md5']);

/** Whether a field (lower-case name) describes identity bytes only; a coded response never carries it. */
export function identityOnly(name: string): boolean {
  return IDENTITY_ONLY.has(name);
}

/**
 * Turns the fields of an identity response into those of its `coding` variant: Content-Encoding
 * set, Content-Length dropped (streamed) or set to the coded length (a stored variant), Vary
 * and ETag as below.
 */
export function codedHeaders(flat: string[], coding: Coding, codedLength: number | null): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (IDENTITY_ONLY.has(flat[i]!)) flat.splice(i, 2);
  flat.push('content-encoding', coding);
  if (codedLength !== null) flat.push('content-length', String(codedLength));
  addVaryAcceptEncoding(flat);
  weakenEtag(flat);
}

/**
 * Adds Accept-Encoding to Vary (RFC 9110 12.5.5), so shared caches downstream keep the coded and
 * identity responses apart. Merged into the first Vary field; nothing when a Vary already names
 * it, or is `*` (which already says every request differs).
 */
export function addVaryAcceptEncoding(flat: string[]): void {
  let first = -1;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] !== 'vary') continue;
    if (first === -1) first = i;
    for (const member of flat[i + 1]!.split(',')) {
      const m = member.trim().toLowerCase();
      if (m === '*' || m === 'accept-encoding') return;
    }
  }
  if (first === -1) flat.push('vary', 'Accept-Encoding');
  else flat[first + 1] = flat[first + 1]!.trim() === '' ? 'Accept-Encoding' : `${flat[first + 1]}, Accept-Encoding`;
}

/**
 * RFC 9110 8.8.3: a strong ETag names one exact sequence of bytes, and the coded bytes differ
 * from the identity ones. We weaken it (`"x"` becomes `W/"x"`, as nginx does) instead of
 * appending a suffix inside the quotes (Apache's `"x-gzip"`): If-None-Match compares weakly
 * (13.1.2), so a client sending back `W/"x"` still gets its 304 from a backend that only knows
 * `"x"`, with no rewriting of the request; a suffixed tag never matches at the backend. Only
 * strong comparisons (If-Range, If-Match) stop matching, which is right for bytes that differ.
 */
export function weakenEtag(flat: string[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === 'etag' && flat[i + 1]!.startsWith('"')) flat[i + 1] = `W/${flat[i + 1]}`;
  }
}

/**
 * A 304 answering a client that holds our weakened tag: the backend confirms `"x"`, the client
 * stored `W/"x"`. RFC 9111 4.3.4 updates stored responses by their validator, so the 304 carries
 * the same weak tag, and the Vary its 200 had (RFC 9110 15.4.5).
 */
export function notModifiedHeaders(flat: string[], ifNoneMatch: string | undefined): void {
  if (ifNoneMatch === undefined || !ifNoneMatch.includes('W/"')) return;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] !== 'etag') continue;
    const tag = flat[i + 1]!;
    if (tag.startsWith('"') && ifNoneMatch.includes(`W/${tag}`)) {
      flat[i + 1] = `W/${tag}`;
      addVaryAcceptEncoding(flat);
    }
    return;
  }
}
