import { singleton, type HeaderRecord } from './header-value.js';
import { parseEntityTag } from './entity-tag.js';
import { parseHttpDate } from './parse-http-date.js';

export interface ConditionalHeaders {
  'if-none-match'?: string;
  'if-modified-since'?: string;
}

/**
 * Preconditions for revalidating one stored response (RFC 9111 4.3.1). A cache "MUST send the
 * relevant entity tags ... if the entity tags were provided in the stored response(s)" and "SHOULD
 * send the Last-Modified value (using If-Modified-Since) if the request is not for a subrange, a
 * single stored response is being validated, and that response contains a Last-Modified value":
 * so both when both exist. The origin ignores If-Modified-Since when If-None-Match is present
 * (RFC 9110 13.1.3), so sending both costs nothing and helps an origin that only knows dates.
 *
 * Values go out as stored: the ETag with its W/ (If-None-Match compares weakly, RFC 9110 13.1.2),
 * the Last-Modified verbatim (RFC 9110 13.1.3: the stored value "is most interoperable", some
 * origins match it exactly). A stored value that is not an entity-tag or HTTP-date is no validator
 * and is not sent (a recipient would have to ignore it anyway: RFC 9110 13.1.3).
 */
export function conditionalRequestHeaders(storedHeaders: HeaderRecord): ConditionalHeaders {
  const out: ConditionalHeaders = {};
  const etag = singleton(storedHeaders['etag']);
  if (etag !== null && parseEntityTag(etag) !== null) out['if-none-match'] = etag;
  const lastModified = validLastModified(storedHeaders);
  if (lastModified !== null) out['if-modified-since'] = lastModified;
  return out;
}

/** Does the stored response carry a validator (an entity-tag, or a Last-Modified HTTP-date)? */
export function hasValidator(headers: HeaderRecord): boolean {
  return parseEntityTag(headers['etag']) !== null || validLastModified(headers) !== null;
}

function validLastModified(headers: HeaderRecord): string | null {
  const raw = singleton(headers['last-modified']);
  return raw !== null && parseHttpDate(raw) !== null ? raw : null;
}
