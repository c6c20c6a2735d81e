import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaSeconds, flag, parseCacheControl } from '../../gateway/cache/policy/parse-cache-control.js';
import { parseAge } from '../../gateway/cache/policy/parse-age.js';
import { parseHttpDate } from '../../gateway/cache/policy/parse-http-date.js';
import { parseVary } from '../../gateway/cache/policy/vary.js';
import type { HeaderValue } from '../../gateway/cache/policy/header-value.js';

type Entries = Record<string, string | true>;
const ccCases: { value: HeaderValue; entries: Entries; invalid?: string[]; why: string }[] = [
  { value: 'max-age=60', entries: { 'max-age': '60' }, why: 'RFC 9111 5.2: token argument' },
  { value: 'Max-Age=60, PUBLIC', entries: { 'max-age': '60', public: true }, why: 'RFC 9111 5.2: names compared case-insensitively' },
  { value: ['max-age=60', 'no-cache'], entries: { 'max-age': '60', 'no-cache': true }, why: 'RFC 9110 5.3: members across field lines form one list' },
  { value: 'no-cache="set-cookie, x-foo", max-age=5', entries: { 'no-cache': 'set-cookie, x-foo', 'max-age': '5' }, why: 'RFC 9110 5.6.4: a comma inside a quoted-string does not split' },
  { value: 'private="a\\"b"', entries: { private: 'a"b' }, why: 'RFC 9110 5.6.4: quoted-pair unescaped' },
  { value: ' , ,no-store,, ', entries: { 'no-store': true }, why: 'RFC 9110 5.6.1: empty list members ignored' },
  { value: 'max-age=5, max-age=5', entries: { 'max-age': '5' }, invalid: ['max-age'], why: 'RFC 9111 4.2.1: a repeated delta-seconds directive is invalid' },
  { value: ['max-age=5', 'max-age=10'], entries: { 'max-age': '5' }, invalid: ['max-age'], why: 'RFC 9111 4.2.1: repeated across lines too' },
  { value: 'max-age="5"', entries: { 'max-age': '5' }, why: 'RFC 9111 5.2: recipients ought to accept the quoted form' },
  { value: 'max-age = 5', entries: { 'max-age': true }, invalid: ['max-age'], why: 'RFC 9111 5.2 grammar: no whitespace around "="' },
  { value: 'max-age=5 junk, no-store, public', entries: { 'max-age': '5', 'no-store': true, public: true }, invalid: ['max-age', 'no-store', 'public'], why: 'after a syntax error nothing on the line is trusted, restrictions still count' },
  { value: 'x="open, public', entries: { x: true, public: true }, invalid: ['x', 'public'], why: 'RFC 9110 5.6.4: unterminated quoted-string: public after it is not trusted' },
  { value: ['x="open, public', 'max-age=7'], entries: { x: true, public: true, 'max-age': '7' }, invalid: ['x', 'public'], why: 'a broken line does not spoil the next line' },
  { value: 'public=yes', entries: { public: 'yes' }, why: 'RFC 9111 5.2: argument where none is allowed is kept (flag() refuses it)' },
  { value: 'max-age=', entries: { 'max-age': true }, invalid: ['max-age'], why: 'RFC 9111 5.2: "=" without an argument' },
  { value: '=5, no-store', entries: { 'no-store': true }, invalid: ['no-store'], why: 'member without a name poisons the rest of its line' },
  { value: undefined, entries: {}, why: 'absent field: no directives' },
];
for (const c of ccCases) {
  test(`parseCacheControl ${JSON.stringify(c.value)}: ${c.why}`, () => {
    const cc = parseCacheControl(c.value);
    assert.deepEqual(Object.fromEntries(cc), c.entries);
    assert.deepEqual([...cc.invalid].sort(), (c.invalid ?? []).sort());
  });
}

const deltaCases: { value: string; name: string; want: number | 'invalid' | null; why: string }[] = [
  { value: 'max-age=60', name: 'max-age', want: 60, why: 'RFC 9111 1.2.2: 1*DIGIT' },
  { value: 'max-age=007', name: 'max-age', want: 7, why: 'RFC 9111 1.2.2: leading zeros are digits' },
  { value: 'max-age=99999999999999999999', name: 'max-age', want: 2147483648, why: 'RFC 9111 1.2.2: overflow saturates at 2^31' },
  { value: 'max-age=2147483648', name: 'max-age', want: 2147483648, why: 'RFC 9111 1.2.2: exactly 2^31' },
  { value: 'max-age=-1', name: 'max-age', want: 'invalid', why: 'RFC 9111 1.2.2: no sign' },
  { value: 'max-age=1.5', name: 'max-age', want: 'invalid', why: 'RFC 9111 1.2.2: no fraction' },
  { value: 'max-age=10abc', name: 'max-age', want: 'invalid', why: 'RFC 9111 4.2.1: non-integer content is invalid, not 10' },
  { value: 'max-age', name: 'max-age', want: 'invalid', why: 'RFC 9111 5.2.2.1: argument required' },
  { value: 'max-age="5"', name: 'max-age', want: 5, why: 'RFC 9111 5.2: quoted form accepted by recipients' },
  { value: 's-maxage="5 "', name: 's-maxage', want: 'invalid', why: 'RFC 9111 1.2.2: quoted content must still be 1*DIGIT' },
  { value: 'max-age=5,max-age=5', name: 'max-age', want: 'invalid', why: 'RFC 9111 4.2.1: repeated' },
  { value: 'public', name: 'max-age', want: null, why: 'absent' },
];
for (const c of deltaCases) {
  test(`deltaSeconds(${JSON.stringify(c.value)}, ${c.name}): ${c.why}`, () => {
    assert.equal(deltaSeconds(parseCacheControl(c.value), c.name), c.want);
  });
}

test('flag: a permissive directive counts only bare and well-formed (RFC 9111 5.2: no argument allowed)', () => {
  assert.equal(flag(parseCacheControl('public'), 'public'), true);
  assert.equal(flag(parseCacheControl('public=1'), 'public'), false);
  assert.equal(flag(parseCacheControl('a b, public'), 'public'), false);
});

const ageCases: { value: HeaderValue; want: number | null; why: string }[] = [
  { value: '10', want: 10, why: 'RFC 9111 5.1: delta-seconds' },
  { value: '10abc', want: null, why: 'RFC 9111 5.1: something other than a non-negative integer is ignored (not 10)' },
  { value: '-1', want: null, why: 'RFC 9111 5.1: negative is ignored' },
  { value: '1, 2', want: 1, why: 'RFC 9111 5.1: first member of a list' },
  { value: ['3', '4'], want: 3, why: 'RFC 9111 5.1: first member across lines' },
  { value: 'x, 2', want: null, why: 'RFC 9111 5.1: an invalid first member ignores the field, no fallback to the second' },
  { value: ' 7 ', want: 7, why: 'RFC 9110 5.5: surrounding OWS is not part of the value' },
  { value: '1e3', want: null, why: 'RFC 9111 1.2.2: no exponent' },
  { value: '', want: null, why: 'empty' },
  { value: '99999999999', want: 2147483648, why: 'RFC 9111 1.2.2: saturates' },
  { value: undefined, want: null, why: 'absent' },
];
for (const c of ageCases) {
  test(`parseAge ${JSON.stringify(c.value)}: ${c.why}`, () => assert.equal(parseAge(c.value), c.want));
}

const NOW_2025 = Date.UTC(2025, 5, 1);
const dateCases: { value: string; want: number | null; now?: number; why: string }[] = [
  { value: 'Sun, 06 Nov 1994 08:49:37 GMT', want: Date.UTC(1994, 10, 6, 8, 49, 37), why: 'RFC 9110 5.6.7: IMF-fixdate' },
  { value: 'Sunday, 06-Nov-94 08:49:37 GMT', want: Date.UTC(1994, 10, 6, 8, 49, 37), now: NOW_2025, why: 'RFC 9110 5.6.7: rfc850-date, 2094 is over 50 years ahead so 1994' },
  { value: 'Thursday, 06-Nov-30 08:49:37 GMT', want: Date.UTC(2030, 10, 6, 8, 49, 37), now: NOW_2025, why: 'RFC 9110 5.6.7: rfc850-date within 50 years stays in this century' },
  { value: 'Sunday, 06-Nov-94 08:49:37 GMT', want: Date.UTC(1994, 10, 6, 8, 49, 37), why: 'rfc850-date without a clock: POSIX pivot' },
  { value: 'Friday, 01-Jan-00 00:00:00 GMT', want: Date.UTC(2100, 0, 1), now: Date.UTC(2099, 0, 1), why: 'RFC 9110 5.6.7: rfc850-date, the next century when within 50 years' },
  { value: 'Monday, 29-Feb-00 00:00:00 GMT', want: Date.UTC(2000, 1, 29), now: NOW_2025, why: 'RFC 9110 5.6.7: rfc850-date, 29-Feb-00 is 2000 (leap) from 2025' },
  { value: 'Monday, 29-Feb-00 00:00:00 GMT', want: null, now: Date.UTC(2070, 0, 1), why: 'RFC 9110 5.6.7: rfc850-date, 29-Feb-00 is 2100 from 2070: no such day' },
  { value: 'Sunday, 06-Nov-94 08:49:37 gmt', want: null, now: NOW_2025, why: 'RFC 9110 5.6.7: rfc850-date is case sensitive too' },
  { value: 'Sun Nov  6 08:49:37 1994', want: Date.UTC(1994, 10, 6, 8, 49, 37), why: 'RFC 9110 5.6.7: asctime-date, SP DIGIT day' },
  { value: 'Sun Nov 16 08:49:37 1994', want: Date.UTC(1994, 10, 16, 8, 49, 37), why: 'RFC 9110 5.6.7: asctime-date, 2DIGIT day' },
  { value: 'Sun, 06 Nov 1994 08:49:37 gmt', want: null, why: 'RFC 9110 5.6.7: HTTP-date is case sensitive' },
  { value: 'sun, 06 Nov 1994 08:49:37 GMT', want: null, why: 'RFC 9110 5.6.7: day-name is case sensitive' },
  { value: 'Sun, 6 Nov 1994 08:49:37 GMT', want: null, why: 'RFC 9110 5.6.7: IMF-fixdate day is 2DIGIT' },
  { value: 'Sun, 06 Nov 1994 08:49:37 +0000', want: null, why: 'RFC 9110 5.6.7: only GMT' },
  { value: 'Sun, 06 Nov 1994 08:49:37 UTC', want: null, why: 'RFC 9110 5.6.7: only GMT' },
  { value: '1994-11-06T08:49:37Z', want: null, why: 'ISO 8601 is not an HTTP-date (Date.parse would take it)' },
  { value: '2030', want: null, why: 'a bare year is not a date (Date.parse would take it)' },
  { value: '0', want: null, why: 'RFC 9111 5.3: "0" is an invalid date' },
  { value: 'Sun, 06 Nov 1994 08:49:37 GMT junk', want: null, why: 'trailing bytes' },
  { value: 'Tue, 30 Feb 2021 00:00:00 GMT', want: null, why: 'no such day' },
  { value: 'Tue, 29 Feb 2000 00:00:00 GMT', want: Date.UTC(2000, 1, 29), why: '2000 is a leap year' },
  { value: 'Thu, 29 Feb 1900 00:00:00 GMT', want: null, why: '1900 is not a leap year' },
  { value: 'Sun, 06 Nov 1994 24:00:00 GMT', want: null, why: 'RFC 9110 5.6.7: hour is 00-23' },
  { value: 'Sat, 31 Dec 2016 23:59:60 GMT', want: Date.UTC(2017, 0, 1), why: 'RFC 9110 5.6.7: second 60 (leap second) rolls over' },
  { value: 'Mon, 01 Jan 0001 00:00:00 GMT', want: new Date('0001-01-01T00:00:00Z').getTime(), why: 'years below 100 are not shifted to 19xx' },
  { value: ' Sun, 06 Nov 1994 08:49:37 GMT ', want: Date.UTC(1994, 10, 6, 8, 49, 37), why: 'RFC 9110 5.5: surrounding OWS ignored' },
];
for (const c of dateCases) {
  test(`parseHttpDate ${JSON.stringify(c.value)}: ${c.why}`, () => assert.equal(parseHttpDate(c.value, c.now), c.want));
}

const varyCases: { value: HeaderValue; want: string[] | '*' | null; why: string }[] = [
  { value: 'Accept-Encoding', want: ['accept-encoding'], why: 'RFC 9110 12.5.5: field names, lower-cased' },
  { value: ['Accept', 'accept-language, ACCEPT'], want: ['accept', 'accept-language'], why: 'lines combined, repeats removed, sorted' },
  { value: 'accept, *', want: '*', why: 'RFC 9110 12.5.5: "*" anywhere' },
  { value: 'accept, a b', want: null, why: 'a member that is not a field-name: unknown variance' },
  { value: undefined, want: [], why: 'no Vary' },
];
for (const c of varyCases) {
  test(`parseVary ${JSON.stringify(c.value)}: ${c.why}`, () => assert.deepEqual(parseVary(c.value), c.want));
}
