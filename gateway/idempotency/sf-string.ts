/**
 * RFC 8941 4.2.5 (Parsing a String), applied to a whole field value as 4.2 says: leading and
 * trailing SP discarded, anything else after the closing quote is a failure. Pure, table-tested.
 */
export type SfString = { ok: true; value: string } | { ok: false; reason: string };

export function parseSfString(field: string): SfString {
  let i = 0;
  // RFC 8941 4.2 steps 2 and 6: only SP is discarded (Node has already trimmed OWS at the ends).
  while (field.charCodeAt(i) === 0x20) i++;
  if (field[i] !== '"') return { ok: false, reason: 'expected a quoted string, like "8e03978e-40d5-43e8-bc93-6894a57f9324"' };
  i++;
  let value = '';
  for (;;) {
    if (i >= field.length) return { ok: false, reason: 'the string has no closing quote' };
    const c = field.charCodeAt(i++);
    if (c === 0x5c) {
      // 3.3.3: only \" and \\ are escapes.
      const next = field[i++];
      if (next !== '"' && next !== '\\') return { ok: false, reason: 'a backslash may only escape " or \\' };
      value += next;
    } else if (c === 0x22) {
      break;
    } else if (c < 0x20 || c > 0x7e) {
      // 3.3.3: printable ASCII only; non-ASCII text would need a Display String (RFC 9651), not this field.
      return { ok: false, reason: 'only printable ASCII characters may appear in the string' };
    } else {
      value += field[i - 1];
    }
  }
  while (field.charCodeAt(i) === 0x20) i++;
  if (i !== field.length) {
    // Parameters (";a=1") or a second value ("a", "b" from two field lines) would follow here; the
    // draft's ABNF is `Idempotency-Key = sf-string`, nothing else.
    return { ok: false, reason: 'nothing may follow the closing quote' };
  }
  return { ok: true, value };
}
