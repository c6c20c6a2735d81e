import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notModified, type ConditionalGet, type StoredValidators } from '../../gateway/cache/policy/not-modified.js';

/** Review finding C7: If-Modified-Since answered from the cache, with RFC 9110 13.2.2 precedence. */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const LM = 'Wed, 01 Jan 2025 10:00:00 GMT';
const DATE = 'Wed, 01 Jan 2025 11:00:00 GMT';
const stored: StoredValidators = { etag: '"e1"', lastModified: LM, date: DATE, receivedAt: Date.UTC(2025, 0, 1, 11, 30, 0, 500) };

const cases: { why: string; req: Partial<ConditionalGet>; stored?: Partial<StoredValidators>; want: boolean }[] = [
  { why: 'no conditional field: the full answer', req: {}, want: false },
  { why: 'If-None-Match matches (13.1.2)', req: { ifNoneMatch: '"e1"' }, want: true },
  { why: 'If-None-Match compares weakly', req: { ifNoneMatch: 'W/"e1"' }, want: true },
  { why: 'If-None-Match: * matches a stored representation', req: { ifNoneMatch: '*' }, want: true },
  { why: 'If-None-Match does not match', req: { ifNoneMatch: '"other"' }, want: false },
  { why: 'If-None-Match present decides alone: a matching If-Modified-Since is ignored (13.1.3)', req: { ifNoneMatch: '"other"', ifModifiedSince: LM }, want: false },
  { why: 'a malformed If-None-Match still decides (it matches nothing)', req: { ifNoneMatch: 'e1', ifModifiedSince: LM }, want: false },
  { why: 'If-Modified-Since equal to Last-Modified: not modified', req: { ifModifiedSince: LM }, want: true },
  { why: 'If-Modified-Since after Last-Modified: not modified', req: { ifModifiedSince: 'Wed, 01 Jan 2025 11:59:59 GMT' }, want: true },
  { why: 'If-Modified-Since before Last-Modified: modified', req: { ifModifiedSince: 'Wed, 01 Jan 2025 09:59:59 GMT' }, want: false },
  { why: 'HEAD is conditional too', req: { method: 'HEAD', ifModifiedSince: LM }, want: true },
  { why: 'other methods ignore If-Modified-Since (13.1.3)', req: { method: 'POST', ifModifiedSince: LM }, want: false },
  { why: 'other methods ignore If-None-Match here (a 304 only answers GET/HEAD, 13.2.2)', req: { method: 'DELETE', ifNoneMatch: '"e1"' }, want: false },
  { why: 'an rfc850 date is an HTTP-date (5.6.7)', req: { ifModifiedSince: 'Wednesday, 01-Jan-25 10:00:00 GMT' }, want: true },
  { why: 'an asctime date is an HTTP-date (5.6.7)', req: { ifModifiedSince: 'Wed Jan  1 10:00:00 2025' }, want: true },
  { why: 'an ISO date is not an HTTP-date: ignored', req: { ifModifiedSince: '2025-01-01T11:00:00Z' }, want: false },
  { why: 'lower-case GMT is not an HTTP-date: ignored', req: { ifModifiedSince: 'Wed, 01 Jan 2025 11:00:00 gmt' }, want: false },
  { why: 'two dates in one field are no HTTP-date: ignored', req: { ifModifiedSince: `${LM}, ${LM}` }, want: false },
  { why: 'two field lines: ignored', req: { ifModifiedSince: [LM, LM] }, want: false },
  { why: 'a date later than now is invalid (RFC 2616 14.25): ignored', req: { ifModifiedSince: 'Wed, 01 Jan 2025 12:00:01 GMT' }, want: false },
  { why: 'exactly now is not in the future', req: { ifModifiedSince: 'Wed, 01 Jan 2025 12:00:00 GMT' }, want: true },
  { why: 'no Last-Modified: the stored Date is compared (RFC 9111 4.3.2), equal', stored: { lastModified: undefined }, req: { ifModifiedSince: DATE }, want: true },
  { why: 'no Last-Modified: the stored Date is compared, earlier', stored: { lastModified: undefined }, req: { ifModifiedSince: 'Wed, 01 Jan 2025 10:30:00 GMT' }, want: false },
  { why: 'an invalid Last-Modified is no modification date: the Date is used', stored: { lastModified: '2025-01-01' }, req: { ifModifiedSince: DATE }, want: true },
  { why: 'no Last-Modified, no Date: the time received, in whole seconds', stored: { lastModified: undefined, date: undefined }, req: { ifModifiedSince: 'Wed, 01 Jan 2025 11:30:00 GMT' }, want: true },
  { why: 'no Last-Modified, no Date: received after the date asked', stored: { lastModified: undefined, date: undefined }, req: { ifModifiedSince: 'Wed, 01 Jan 2025 11:29:59 GMT' }, want: false },
];

for (const c of cases) {
  test(`notModified: ${c.why}`, () => {
    const req: ConditionalGet = { method: 'GET', ifNoneMatch: undefined, ifModifiedSince: undefined, ...c.req };
    assert.equal(notModified(req, { ...stored, ...c.stored }, NOW), c.want);
  });
}
