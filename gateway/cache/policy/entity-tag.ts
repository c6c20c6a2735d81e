import { fieldLines, isOws, singleton, trimOws, type HeaderValue } from './header-value.js';

/**
 * entity-tag (RFC 9110 8.8.3): `[ weak ] opaque-tag`, `weak = %s"W/"` (case-sensitive),
 * `opaque-tag = DQUOTE *etagc DQUOTE`, `etagc = %x21 / %x23-7E / obs-text`. A backslash is an
 * ordinary etagc here (no quoted-pair), and a comma may sit inside the quotes, so lists are
 * scanned, never split on ",".
 */
export type EntityTag = { weak: boolean; opaque: string };

function isEtagc(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

/** The entity-tag starting at i: the tag and the index after it, or null. */
function readEntityTag(s: string, i: number): { tag: EntityTag; end: number } | null {
  let weak = false;
  if (s.startsWith('W/', i)) {
    weak = true;
    i += 2;
  }
  if (s.charCodeAt(i) !== 0x22) return null;
  let j = i + 1;
  while (j < s.length && isEtagc(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) !== 0x22) return null;
  return { tag: { weak, opaque: s.slice(i, j + 1) }, end: j + 1 };
}

/** A stored ETag field: one entity-tag on one line, else null (nothing to validate with). */
export function parseEntityTag(value: HeaderValue): EntityTag | null {
  const v = singleton(value);
  if (v === null) return null;
  const r = readEntityTag(v, 0);
  return r !== null && r.end === v.length ? r.tag : null;
}

/** `"*" / #entity-tag` (If-None-Match, If-Match): '*', the tags, or null when malformed. */
export function parseEntityTagList(value: HeaderValue): '*' | EntityTag[] | null {
  const lines = fieldLines(value);
  if (lines.length === 1 && trimOws(lines[0]!) === '*') return '*';
  const tags: EntityTag[] = [];
  for (const s of lines) {
    let i = 0;
    for (;;) {
      while (i < s.length && (isOws(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2c)) i++;
      if (i >= s.length) break;
      const r = readEntityTag(s, i);
      if (r === null) return null;
      tags.push(r.tag);
      i = r.end;
      while (i < s.length && isOws(s.charCodeAt(i))) i++;
      if (i < s.length && s.charCodeAt(i) !== 0x2c) return null;
    }
  }
  return tags;
}

/** RFC 9110 8.8.3.2 weak comparison: the opaque-tags match, either or both may be weak. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/** RFC 9110 8.8.3.2 strong comparison: neither is weak and the opaque-tags match. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/**
 * RFC 9110 13.1.2: does If-None-Match match the stored response (so a 304 is the answer to a
 * GET/HEAD)? "A recipient MUST use the weak comparison function"; `*` matches any current
 * representation, and the caller asks only when it holds one. A malformed field matches nothing:
 * the full response is the safe answer. A stored ETag that is not an entity-tag matches only `*`.
 */
export function ifNoneMatchMatches(ifNoneMatch: HeaderValue, etag: HeaderValue): boolean {
  const list = parseEntityTagList(ifNoneMatch);
  if (list === null) return false;
  if (list === '*') return true;
  const stored = parseEntityTag(etag);
  return stored !== null && list.some((t) => weakMatch(t, stored));
}
