import { z } from 'zod';
import type { Coding } from '../../compression/negotiate-encoding.js';
import { bool, listOf, wholeNumber } from './fields.js';

/**
 * `compression:` gzip and brotli for responses the backend sends uncoded. Leaves the schema
 * compiled: the media types become sets the hot path looks up (compression/compressible.ts).
 */

/** Media types worth coding: text formats. Images, video, archives and fonts in woff/woff2 are compressed already. */
export const DEFAULT_TYPES = [
  'text/*', 'application/json', '+json', 'application/xml', '+xml', 'application/javascript', 'application/x-javascript',
  'application/ecmascript', 'application/yaml', 'application/x-yaml', 'application/graphql', 'application/wasm',
  'font/ttf', 'font/otf', 'image/x-icon', 'image/bmp',
] as const;

const DEFAULTS = { enabled: true, minBytes: 1024, gzipLevel: 1, brotliQuality: 4, types: [...DEFAULT_TYPES] };

/** `type/subtype`, `type/*`, or `+suffix` (RFC 6838 4.2.8: any subtype ending in it, like application/problem+json). */
const TOKEN = "[a-z0-9!#$&^_.-]+";
const MEDIA_RANGE = new RegExp(`^(?:${TOKEN}/(?:\\*|${TOKEN}(?:\\+${TOKEN})?)|\\+${TOKEN})$`, 'i');
// Events must reach the client as they are sent; a compressor holds them until its buffer fills.
const STREAMED = 'text/event-stream';

const mediaRange = z.string()
  .regex(MEDIA_RANGE, 'expected a media type like "application/json", "text/*" or a suffix like "+json"')
  .refine((t) => t.toLowerCase() !== STREAMED, `${STREAMED} is never compressed: each event must reach the client when it is sent`)
  .transform((t) => t.toLowerCase());

export interface MediaTypeSet {
  /** Whole types: `application/json`. */
  readonly exact: ReadonlySet<string>;
  /** Top-level types whose every subtype matches: `text` for `text/*`. */
  readonly anySubtype: ReadonlySet<string>;
  /** Structured-syntax suffixes with their `+`: `+json`. */
  readonly suffixes: ReadonlySet<string>;
}

export interface CompressionConfig {
  /** The default for routes; a route's `compression: true | false` overrides it. */
  readonly enabled: boolean;
  /** Bodies with a Content-Length below this are sent as they are (unknown length: coded). */
  readonly minBytes: number;
  /** For streamed (proxied) responses: fast levels, the response is coded once per request. */
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  readonly types: MediaTypeSet;
  /** In preference order for equal client weights. */
  readonly offered: readonly Coding[];
}

export const compressionSchema = z.strictObject({
  enabled: bool.default(DEFAULTS.enabled),
  minBytes: wholeNumber(0).default(DEFAULTS.minBytes),
  gzipLevel: wholeNumber(1, 9).default(DEFAULTS.gzipLevel),
  // Quality 11 (brotli's own default) took 1.9 ms for a 2 KB body here, quality 4 about 0.1 ms.
  brotliQuality: wholeNumber(0, 11).default(DEFAULTS.brotliQuality),
  types: listOf(mediaRange, 'text/*, application/json, +json').min(1).default(() => [...DEFAULTS.types]),
}).default(() => ({ ...DEFAULTS, types: [...DEFAULTS.types] })).transform(compileCompression);

export function compileCompression(raw: { enabled: boolean; minBytes: number; gzipLevel: number; brotliQuality: number; types: readonly string[] }): CompressionConfig {
  const exact = new Set<string>();
  const anySubtype = new Set<string>();
  const suffixes = new Set<string>();
  for (const t of raw.types) {
    const type = t.toLowerCase();
    if (type.startsWith('+')) suffixes.add(type);
    else if (type.endsWith('/*')) anySubtype.add(type.slice(0, -2));
    else exact.add(type);
  }
  return { ...raw, types: { exact, anySubtype, suffixes }, offered: ['br', 'gzip'] };
}

/** The section's defaults, compiled: for callers with no config at hand (tests, the cache's variants). */
export const COMPRESSION_DEFAULTS: CompressionConfig = compileCompression(DEFAULTS);

/**
 * A route's settings: null where nothing is coded. The gateway's own answers (/api/auth, health)
 * are a few hundred bytes of JSON: never worth it.
 */
export function routeCompression(flag: boolean | undefined, section: CompressionConfig, gatewayOwned: boolean): CompressionConfig | null {
  if (gatewayOwned) return null;
  return (flag ?? section.enabled) ? section : null;
}
