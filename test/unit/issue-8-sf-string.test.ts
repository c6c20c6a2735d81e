import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readIdempotencyKey } from '../../gateway/idempotency/read-idempotency-key.js';
import { parseSfString } from '../../gateway/idempotency/sf-string.js';

// RFC 8941 3.3.3 and 4.2.5, on a whole field value (4.2).
const strings: { field: string; value?: string; why: string }[] = [
  { field: '"8e03978e-40d5-43e8-bc93-6894a57f9324"', value: '8e03978e-40d5-43e8-bc93-6894a57f9324', why: 'the draft\'s example, a UUID' },
  { field: '"a b"', value: 'a b', why: 'space is an unescaped character' },
  { field: '""', value: '', why: 'the empty String is valid syntax (the key reader refuses it)' },
  { field: '"a\\"b"', value: 'a"b', why: 'escaped quote' },
  { field: '"a\\\\b"', value: 'a\\b', why: 'escaped backslash' },
  { field: '  "abc"  ', value: 'abc', why: 'leading and trailing SP are discarded (4.2)' },
  { field: '"~!#$%&\'()*+,-./:;<=>?@[]^_`{|}"', value: '~!#$%&\'()*+,-./:;<=>?@[]^_`{|}', why: 'every printable ASCII character outside the escapes' },
  { field: 'abc', why: 'a bare token is not a String (the draft: its value MUST be a String)' },
  { field: '', why: 'an empty field is no String' },
  { field: '"abc', why: 'no closing quote' },
  { field: 'abc"', why: 'no opening quote' },
  { field: '"a\\b"', why: 'backslash escaping anything but " or \\' },
  { field: '"abc\\', why: 'a backslash at the very end' },
  { field: '"a\tb"', why: 'HTAB is a control character' },
  { field: '"a\u007fb"', why: 'DEL is outside %x20-7E' },
  { field: '"caf\u00e9"', why: 'non-ASCII (a Display String, RFC 9651, is another type)' },
  { field: '"abc";a=1', why: 'parameters: the draft\'s ABNF is sf-string alone' },
  { field: '"a", "b"', why: 'two field lines as Node would join them' },
  { field: '"abc" x', why: 'anything after the closing quote' },
  { field: '\t"abc"', why: 'only SP is discarded around the value, not HTAB' },
  { field: "'abc'", why: 'single quotes are not quotes' },
];

for (const c of strings) {
  test(`parseSfString ${JSON.stringify(c.field)}: ${c.why}`, () => {
    const got = parseSfString(c.field);
    if (c.value === undefined) {
      assert.equal(got.ok, false, JSON.stringify(got));
      return;
    }
    assert.deepEqual(got, { ok: true, value: c.value });
  });
}

const keys: { lines: string[] | undefined; max?: number; kind: 'absent' | 'key' | 'invalid'; key?: string; detail?: RegExp; why: string }[] = [
  { lines: undefined, kind: 'absent', why: 'no field' },
  { lines: ['"k-1"'], kind: 'key', key: 'k-1', why: 'one quoted key' },
  { lines: ['"k-1"', '"k-1"'], kind: 'invalid', detail: /one Idempotency-Key field/, why: 'two field lines, even equal ones (MUST NOT send more than one)' },
  { lines: ['k-1'], kind: 'invalid', detail: /quoted string/, why: 'a bare token' },
  { lines: [''], kind: 'invalid', detail: /quoted string/, why: 'an empty field is not an absent one' },
  { lines: ['""'], kind: 'invalid', detail: /must not be empty/, why: 'the empty String' },
  { lines: [`"${'x'.repeat(8)}"`], max: 8, kind: 'key', key: 'x'.repeat(8), why: 'exactly maxKeyLength' },
  { lines: [`"${'x'.repeat(9)}"`], max: 8, kind: 'invalid', detail: /over the 8 characters/, why: 'one over maxKeyLength' },
];

for (const c of keys) {
  test(`readIdempotencyKey ${JSON.stringify(c.lines)}: ${c.why}`, () => {
    const got = readIdempotencyKey(c.lines, c.max ?? 255);
    assert.equal(got.kind, c.kind, JSON.stringify(got));
    if (got.kind === 'key') assert.equal(got.key, c.key);
    if (got.kind === 'invalid') assert.match(got.detail, c.detail!);
  });
}
