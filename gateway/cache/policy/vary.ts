import { fieldLines, trimOws, type HeaderRecord, type HeaderValue } from './header-value.js';
import { nextTopLevelComma, tokenList } from './field-syntax.js';

/**
 * Vary (RFC 9110 12.5.5): `#( "*" / field-name )`. Returns the lower-cased field names, sorted and
 * without repeats (a stable secondary key), '*' when any member is "*" (a stored response then
 * never matches: RFC 9111 4.1), or null when a member is not a field-name: a cache cannot know
 * what such a response varies on, so the caller does not store it.
 */
export function parseVary(value: HeaderValue): string[] | '*' | null {
  const names = tokenList(fieldLines(value));
  if (names === null) return null;
  if (names.includes('*')) return '*';
  return [...new Set(names)].sort();
}

/**
 * RFC 9111 4.1: the presented request matches the stored one when every field Vary names matches
 * after normalizations with identical semantics; a field absent from one request matches only
 * absence in the other. The normalization here is the safe subset: lines combined (RFC 9110 5.3)
 * and OWS around list commas and at the ends dropped; values otherwise compare exactly (a miss
 * where a smarter comparison would hit costs one backend request; a false hit would cost more).
 */
export function varyMatches(vary: readonly string[], stored: HeaderRecord, presented: HeaderRecord): boolean {
  return vary.every((name) => normalized(stored[name]) === normalized(presented[name]));
}

function normalized(value: HeaderValue): string | null {
  if (value === undefined) return null;
  const members: string[] = [];
  for (const line of fieldLines(value)) {
    let i = 0;
    for (;;) {
      const comma = nextTopLevelComma(line, i);
      members.push(trimOws(line.slice(i, comma)));
      if (comma >= line.length) break;
      i = comma + 1;
    }
  }
  return members.join(', ');
}
