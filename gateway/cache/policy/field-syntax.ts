import { isOws, trimOws } from './header-value.js';

/**
 * RFC 9110 5.6.2 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" /
 * "`" / "|" / "~" / DIGIT / ALPHA.
 */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

export function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** Index after the token starting at i (i itself when there is none). */
export function tokenEnd(s: string, i: number): number {
  while (i < s.length && isTchar(s.charCodeAt(i))) i++;
  return i;
}

export function isToken(s: string): boolean {
  return s.length > 0 && tokenEnd(s, 0) === s.length;
}

/**
 * RFC 9110 5.6.4 quoted-string starting at s[i] === '"': its unescaped content and the index
 * after the closing quote, or null when unterminated or holding a byte qdtext/quoted-pair refuse
 * (controls other than HTAB, DEL).
 */
export function readQuotedString(s: string, i: number): { value: string; end: number } | null {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x22) return { value: out, end: j + 1 };
    if (c === 0x5c) {
      const next = s.charCodeAt(++j);
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      if (!(next === 0x09 || (next >= 0x20 && next !== 0x7f && next <= 0xff))) return null;
      out += s[j];
      continue;
    }
    if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) return null;
    out += s[j];
  }
  return null;
}

/** Index of the next "," at or after i that is not inside a quoted-string; s.length if none. */
export function nextTopLevelComma(s: string, i: number): number {
  let quoted = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x2c) return i;
  }
  return s.length;
}

export function skipOws(s: string, i: number): number {
  while (i < s.length && isOws(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Members of a #list of tokens (RFC 9110 5.6.1) over all field lines: empty members ignored,
 * names lower-cased; null when a member is not a token (the caller decides what that means).
 */
export function tokenList(lines: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const line of lines) {
    for (const raw of line.split(',')) {
      const member = trimOws(raw);
      if (member === '') continue;
      if (!isToken(member)) return null;
      out.push(member.toLowerCase());
    }
  }
  return out;
}
