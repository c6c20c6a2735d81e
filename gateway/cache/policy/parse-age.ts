import { fieldLines, trimOws, type HeaderValue } from './header-value.js';
import { parseDeltaSeconds } from './parse-cache-control.js';

/**
 * Age (RFC 9111 5.1): `Age = delta-seconds`. A list-based value: "SHOULD use the first member of
 * the field value, discarding subsequent ones"; if that member "contains something other than a
 * non-negative integer, a cache SHOULD ignore the field". So `1, 2` is 1, while `10abc`, `-1`,
 * `1.5` and `` are ignored (null): no lenient prefix parsing. Values past 2^31 saturate (1.2.2).
 */
export function parseAge(value: HeaderValue): number | null {
  for (const line of fieldLines(value)) {
    for (const member of line.split(',')) {
      const m = trimOws(member);
      if (m === '') continue; // RFC 9110 5.6.1: empty members do not count
      return parseDeltaSeconds(m);
    }
  }
  return null;
}
