import { parseSfString } from './sf-string.js';

export type KeyField =
  | { kind: 'absent' }
  | { kind: 'key'; key: string }
  | { kind: 'invalid'; detail: string };

/**
 * The Idempotency-Key of a request, from every field line that carried it (Node's
 * `headersDistinct`), checked as draft-ietf-httpapi-idempotency-key-header "Syntax" says: one
 * field, whose value is an sf-string (RFC 8941 3.3.3). A bare token (`Idempotency-Key: abc`) is
 * not a String and is refused, as is an empty one: no key is a missing field, not "".
 */
export function readIdempotencyKey(lines: readonly string[] | undefined, maxLength: number): KeyField {
  if (lines === undefined || lines.length === 0) return { kind: 'absent' };
  // Same section: "Clients MUST NOT include more than one Idempotency-Key header field".
  if (lines.length > 1) return { kind: 'invalid', detail: 'send one Idempotency-Key field, not several' };
  const parsed = parseSfString(lines[0]!);
  if (!parsed.ok) return { kind: 'invalid', detail: `Idempotency-Key must be a quoted string (RFC 8941 3.3.3): ${parsed.reason}` };
  if (parsed.value.length === 0) return { kind: 'invalid', detail: 'Idempotency-Key must not be empty' };
  if (parsed.value.length > maxLength) return { kind: 'invalid', detail: `Idempotency-Key is over the ${maxLength} characters this route accepts` };
  return { kind: 'key', key: parsed.value };
}
