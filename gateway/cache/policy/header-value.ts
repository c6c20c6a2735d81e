/**
 * Header records as Node gives them (IncomingHttpHeaders): lower-case names, a string for one
 * field line, an array when a field arrived on several lines (Node does that for Set-Cookie and
 * some list fields; records built from undici's raw pairs can do it for any field).
 */
export type HeaderValue = string | readonly string[] | undefined;
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

/** Every field line of a header, in order; none when absent. */
export function fieldLines(value: HeaderValue): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * The value of a singleton field (RFC 9110 5.5: Expires, Date, ETag, Last-Modified...), null when
 * absent or sent on more than one line: for freshness, RFC 9111 4.2.1 lets a cache treat a
 * repeated value as "stale", and for validators a repeated one identifies nothing.
 */
export function singleton(value: HeaderValue): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return trimOws(value);
  return value.length === 1 ? trimOws(value[0]!) : null;
}

/** RFC 9110 5.5: leading and trailing OWS (SP / HTAB) is not part of a field value. */
export function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
