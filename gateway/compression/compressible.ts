import type { CompressionConfig, MediaTypeSet } from '../config/schema/compression.js';

/** Response header fields as Node and undici give them: lower-case names, repeated fields as arrays. */
export type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * `compress`: code it if the client accepts a coding. `vary`: sent as is, but a GET for it
 * would have been coded, so it carries `Vary: Accept-Encoding` (a HEAD: RFC 9110 9.3.2, same
 * fields as the GET). `no`: never coded, whatever the client accepts; no Vary needed.
 */
export type Compressibility = 'compress' | 'vary' | 'no';

const NO_TRANSFORM = /(?:^|,)[ \t]*no-transform[ \t]*(?:,|$)/i;

/**
 * Whether a response may be coded by the gateway. Cheapest checks first: on the benchmark's
 * small JSON answers the Content-Length test ends it.
 */
export function compressibility(method: string, status: number, headers: ResponseHeaders, settings: Pick<CompressionConfig, 'minBytes' | 'types'>): Compressibility {
  // RFC 9110 15.3.5 / 15.4.5: 204 and 304 have no content; 1xx never reach here. A 206 is a
  // range of the identity bytes (14.2): coding it would make the range meaningless.
  if (status === 204 || status === 304 || status === 206 || status < 200) return 'no';
  // Never coded twice (8.4: the codings would have to be listed in order, and clients rarely cope).
  if (headers['content-encoding'] !== undefined || headers['content-range'] !== undefined) return 'no';
  const length = headers['content-length'];
  // Unknown length (chunked): maybe big, so coded.
  if (typeof length === 'string' && Number(length) < settings.minBytes) return 'no';
  const type = headers['content-type'];
  // No type, or two: nothing to go on.
  if (typeof type !== 'string' || !matchesType(type, settings.types)) return 'no';
  // RFC 9111 5.2.2.6 / RFC 9110 7.7: an intermediary must not change the content's coding.
  const cc = headers['cache-control'];
  if (cc !== undefined && (typeof cc === 'string' ? NO_TRANSFORM.test(cc) : cc.some((v) => NO_TRANSFORM.test(v)))) return 'no';
  return method === 'HEAD' ? 'vary' : 'compress';
}

/** A Content-Type value (parameters ignored) against the configured types. */
export function matchesType(contentType: string, types: MediaTypeSet): boolean {
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (types.exact.has(type)) return true;
  const slash = type.indexOf('/');
  if (slash <= 0) return false;
  if (types.anySubtype.has(type.slice(0, slash)) && type !== 'text/event-stream') return true;
  const plus = type.lastIndexOf('+');
  return plus > slash && types.suffixes.has(type.slice(plus));
}
