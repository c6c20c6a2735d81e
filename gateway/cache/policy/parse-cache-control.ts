import { fieldLines, type HeaderValue } from './header-value.js';
import { readQuotedString, skipOws, tokenEnd } from './field-syntax.js';

/**
 * Cache-Control (RFC 9111 5.2): `#cache-directive`, `cache-directive = token [ "=" ( token /
 * quoted-string ) ]`, names compared case-insensitively (stored lower-cased here).
 *
 * Arguments: 5.2 says "recipients ought to accept both forms, even if a specific form is required
 * for generation". So `max-age="5"` reads as 5: the MUST NOT of 5.2.2.1/5.2.2.10 binds senders,
 * not recipients, and the spec asks recipients to accept it. Quoted content must still be
 * delta-seconds (`max-age="5 "` is invalid). The map holds the unescaped argument or true.
 *
 * A member this parser cannot read (trailing bytes, `max-age = 5` with spaces the grammar has no
 * room for, an unterminated quoted-string) is kept by name and listed in `invalid`, and so is every
 * member after it on that line: past a syntax error the parser cannot know where members start
 * (a quote may be open), so it resumes at the next raw comma and trusts nothing it then reads.
 * Invalid entries can only restrict: no-store, private, no-cache, must-revalidate count by
 * presence, a delta-seconds value reads as invalid (4.2.1: "consider ... invalid freshness
 * information ... stale"), and `flag()` refuses a permissive directive (public).
 *
 * Each field line is parsed on its own (5.3 of RFC 9110 allows combining lines with commas, but an
 * unterminated quote on one line must not swallow the next) into one map: members across lines
 * are one list. A repeated delta-seconds directive is invalid (4.2.1: "either the first occurrence
 * should be used or the response should be considered stale"; we take the conservative reading);
 * other repeats keep their first argument.
 */
export class CacheDirectives extends Map<string, string | true> {
  /** Names whose argument is unusable: malformed, or a repeated delta-seconds directive. */
  readonly invalid = new Set<string>();
}

/** Directives whose argument is delta-seconds (RFC 9111 5.2.1.x, 5.2.2.1, 5.2.2.10; RFC 5861). */
const DELTA_DIRECTIVES: ReadonlySet<string> = new Set([
  'max-age', 's-maxage', 'max-stale', 'min-fresh', 'stale-while-revalidate', 'stale-if-error',
]);

export function parseCacheControl(value: HeaderValue): CacheDirectives {
  const out = new CacheDirectives();
  for (const line of fieldLines(value)) parseLine(line, out);
  return out;
}

function parseLine(s: string, out: CacheDirectives): void {
  let i = 0;
  let trusted = true;
  while (i < s.length) {
    i = skipOws(s, i);
    if (s.charCodeAt(i) === 0x2c) {
      i++; // RFC 9110 5.6.1: empty list members are ignored
      continue;
    }
    if (i >= s.length) return;
    const nameEnd = tokenEnd(s, i);
    if (nameEnd === i) {
      trusted = false; // no name: nothing to record, and nothing after it to trust
      i = rawComma(s, i) + 1;
      continue;
    }
    const name = s.slice(i, nameEnd).toLowerCase();
    let value: string | true = true;
    let ok = true;
    i = nameEnd;
    if (s.charCodeAt(i) === 0x3d /* = */) {
      i++;
      if (s.charCodeAt(i) === 0x22) {
        const q = readQuotedString(s, i);
        if (q === null) ok = false;
        else {
          value = q.value;
          i = q.end;
        }
      } else {
        const end = tokenEnd(s, i);
        if (end === i) ok = false;
        else {
          value = s.slice(i, end);
          i = end;
        }
      }
    }
    if (ok) {
      i = skipOws(s, i);
      if (i < s.length && s.charCodeAt(i) !== 0x2c) ok = false;
    }
    if (!ok) trusted = false;
    record(out, name, value, trusted);
    i = ok ? i + 1 : rawComma(s, i) + 1;
  }
}

function rawComma(s: string, i: number): number {
  const c = s.indexOf(',', i);
  return c === -1 ? s.length : c;
}

function record(out: CacheDirectives, name: string, value: string | true, ok: boolean): void {
  if (!ok) out.invalid.add(name);
  if (out.has(name)) {
    if (DELTA_DIRECTIVES.has(name)) out.invalid.add(name);
    return;
  }
  out.set(name, value);
}

/** RFC 9111 1.2.2: a value too large to represent MUST be taken as 2^31. */
export const DELTA_SECONDS_MAX = 2147483648;

/** delta-seconds = 1*DIGIT (RFC 9111 1.2.2), saturating at 2^31; null when not 1*DIGIT. */
export function parseDeltaSeconds(s: string): number | null {
  if (s.length === 0) return null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    if (n < DELTA_SECONDS_MAX) n = n * 10 + (c - 0x30);
  }
  return Math.min(n, DELTA_SECONDS_MAX);
}

/**
 * A delta-seconds directive: seconds, 'invalid' (no argument, not 1*DIGIT, malformed or
 * repeated: 4.2.1 treats such freshness information as stale), or null when absent.
 */
export function deltaSeconds(cc: CacheDirectives, name: string): number | 'invalid' | null {
  const v = cc.get(name);
  if (v === undefined) return null;
  if (v === true || cc.invalid.has(name)) return 'invalid';
  return parseDeltaSeconds(v) ?? 'invalid';
}

/**
 * A directive that loosens caching (public, must-revalidate when it grants 3.5 storage) counts
 * only in its well-formed, argument-less form: 5.2 "no argument is defined (nor allowed) unless
 * stated otherwise". Restrictions use plain `has()`, which any form satisfies.
 */
export function flag(cc: CacheDirectives, name: string): boolean {
  return cc.get(name) === true && !cc.invalid.has(name);
}
