import type { Entry } from '../cache/cache-entry.js';
import { ageHeader } from '../cache/policy/entry-state.js';
import { notModified } from '../cache/policy/not-modified.js';
import { identityOnly } from '../compression/encoding-headers.js';
import { negotiateEncoding } from '../compression/negotiate-encoding.js';
import type { HttpContext } from './request-context.js';

export type XCache = 'HIT' | 'MISS' | 'STALE';

// RFC 9110 15.4.5: a 304 carries the fields a 200 would have for caches to update, no content ones.
const NOT_IN_304 = new Set(['content-type', 'content-length', 'content-encoding', 'content-range', 'content-language', 'last-modified']);

/**
 * Answers from an entry. The entry gives the status, the backend's replayable fields, the body
 * and its compressed variants; this request gives everything per-exchange: security headers,
 * CORS and RateLimit fields, the request id, Age, X-Cache and Cache-Status (RFC 9211). A
 * conditional GET/HEAD the entry satisfies gets 304 (RFC 9110 13.2.2: If-None-Match, else
 * If-Modified-Since; cache/policy/not-modified.ts), whatever the entry's encoding. A coded
 * variant has the header rules of a coded live answer (compression/encoding-headers.ts): no
 * field that describes the identity bytes.
 */
export function serveEntry(ctx: HttpContext, entry: Entry, o: { xCache: XCache; cacheStatus: string; ageMs: number }): void {
  const { req, res } = ctx;
  const route = ctx.route!;
  const meta = entry.meta;
  const offered: ('br' | 'gzip')[] = [];
  if (entry.br) offered.push('br');
  if (entry.gzip) offered.push('gzip');
  const encoding = offered.length > 0 ? negotiateEncoding(headerString(req.headers['accept-encoding']), offered) : null;
  const body = encoding === 'br' ? entry.br! : encoding === 'gzip' ? entry.gzip! : entry.body;
  const etag = encoding === null ? meta.etag : variantEtag(meta.etag, encoding);
  // The stage's clock reading, recovered from the age it computed with it (entryState: age =
  // initial age + resident time), so no second clock is read here.
  const nowMs = meta.storedAt + o.ageMs - meta.initialAgeMs;
  const unchanged = meta.status === 200 && notModified(
    { method: req.method!, ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] },
    { etag, lastModified: meta.headers['last-modified'], date: meta.headers.date, receivedAt: meta.storedAt },
    nowMs,
  );

  const out: string[] = [];
  for (const name in meta.headers) {
    if (name === 'etag' || name === 'vary' || (unchanged && NOT_IN_304.has(name))) continue;
    if (route.responseDrop.has(name) || (encoding !== null && identityOnly(name))) continue;
    out.push(name, meta.headers[name]!);
  }
  out.push('etag', etag);
  const vary = varyWith(meta.headers.vary, offered.length > 0);
  if (vary !== undefined) out.push('vary', vary);
  for (const h of route.responseHeaders) out.push(h);
  if (ctx.extraHeaders) for (const h of ctx.extraHeaders) out.push(h);
  if (route.defaultCacheControl !== null && !meta.headers['cache-control']) out.push('cache-control', route.defaultCacheControl);
  out.push('x-request-id', ctx.requestId, 'age', ageHeader(o.ageMs), 'x-cache', o.xCache, 'cache-status', o.cacheStatus);
  if (unchanged) {
    res.writeHead(304, out);
    res.end();
    return;
  }
  if (encoding !== null) out.push('content-encoding', encoding);
  // RFC 9110 8.6: a 204 carries no Content-Length.
  if (meta.status !== 204) out.push('content-length', String(body.length));
  res.writeHead(meta.status, out);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

function headerString(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.join(', ');
}

/** A compressed variant is another representation: its own validator (RFC 9110 8.8.3), derived so it stays stable. */
export function variantEtag(etag: string, encoding: 'br' | 'gzip'): string {
  return `${etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"`;
}

/** The backend's Vary plus Accept-Encoding when the entry has compressed variants. */
function varyWith(vary: string | undefined, compressed: boolean): string | undefined {
  if (!compressed) return vary;
  if (vary === undefined || vary.trim() === '') return 'accept-encoding';
  if (vary.trim() === '*' || /(^|,)\s*accept-encoding\s*(,|$)/i.test(vary)) return vary;
  return `${vary}, accept-encoding`;
}
