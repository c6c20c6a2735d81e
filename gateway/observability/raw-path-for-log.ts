/** The most characters of a path the access log keeps, raw or normalized. */
export const MAX_CHARS = 256;
const HEX = '0123456789ABCDEF';

/**
 * The path of a request target as received, for the access log of requests refused before
 * their path was normalized (a bad escape, a 400 on the request line): only the part before
 * `?` (query values may carry credentials), at most 256 characters, with control characters,
 * backslash and anything outside printable ASCII written as \xHH (\uHHHH above 0xFF), so a
 * log reader sees exactly which bytes came and no byte can forge a line or a terminal escape.
 * Node's parser already refuses most of these; this is the belt to its braces.
 */
export function rawPathForLog(target: string | undefined): string {
  if (!target) return '';
  let out = '';
  for (let i = 0; i < target.length && out.length < MAX_CHARS; i++) {
    const c = target.charCodeAt(i);
    if (c === 63 /* ? */) break;
    if (c >= 0x20 && c < 0x7f && c !== 92 /* \ */) out += target[i];
    else if (c <= 0xff) out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out.length > MAX_CHARS ? out.slice(0, MAX_CHARS) : out;
}

/**
 * A normalized path for the log: it holds only RFC 3986 pchar (normalize-path refuses the rest),
 * so it needs no escaping, only the same cap as a raw one. A 404 is charged to no budget, so an
 * uncapped path let each request write as many log bytes as the client sent. The marker says it
 * was cut, and how long it was.
 */
export function normalizedPathForLog(path: string): string {
  return path.length > MAX_CHARS ? `${path.slice(0, MAX_CHARS)}…(${path.length} chars)` : path;
}
