import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeDecision, type StoreInput, type StoreRules, type StoreYes } from '../../gateway/cache/policy/store-decision.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRecord } from '../../gateway/cache/policy/header-value.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const date = (ms: number): string => new Date(ms).toUTCString();
const S = 1000;
const DAY = 86_400 * S;
const ETAG = '"v1"';

const HTTP: StoreRules = {
  ttlMs: null, staleWhileRevalidateMs: null, staleIfErrorMs: null, scope: 'shared',
  statuses: new Set([200, 203, 204, 206, 299, 301, 302, 304, 404, 410]), respectUpstream: true, requestHadAuthorization: false,
};
const TTL: StoreRules = { ...HTTP, ttlMs: 5 * S };

type Case = {
  why: string;
  headers: HeaderRecord;
  rules?: Partial<StoreRules>;
  base?: StoreRules;
  input?: Partial<StoreInput>;
  want: string | Partial<StoreYes>;
};

const cases: Case[] = [
  // RFC 9111 3: what is never stored
  { why: 'RFC 9111 4.2.1: max-age gives the lifetime', headers: { 'cache-control': 'max-age=60', date: date(T0) }, want: { freshMs: 60 * S, initialAgeMs: 0, noStale: false, revalidateAlways: false, vary: [] } },
  { why: 'RFC 9111 3: POST is not a method this cache stores', headers: { 'cache-control': 'max-age=60' }, input: { method: 'POST' }, want: 'method' },
  { why: 'RFC 9110 9.1: method names are case-sensitive ("get" is not GET)', headers: { 'cache-control': 'max-age=60' }, input: { method: 'get' }, want: 'method' },
  { why: 'RFC 9111 3: HEAD is stored (its own key)', headers: { 'cache-control': 'max-age=60' }, input: { method: 'HEAD' }, want: { freshMs: 60 * S } },
  { why: 'route statuses: 500 not listed', headers: { 'cache-control': 'max-age=60' }, input: { status: 500 }, want: 'status' },
  { why: 'RFC 9111 3: 206 not understood (no range combination) even when listed', headers: { 'cache-control': 'max-age=60' }, input: { status: 206 }, want: 'status' },
  { why: 'RFC 9111 3: 304 is never stored', headers: { 'cache-control': 'max-age=60', etag: ETAG }, input: { status: 304 }, want: 'status' },
  { why: 'RFC 9111 3: an unknown status (299) is not understood in HTTP mode', headers: { 'cache-control': 'max-age=60' }, input: { status: 299 }, want: 'status' },
  { why: 'RFC 9111 5.2.2.5: no-store', headers: { 'cache-control': 'max-age=60, no-store' }, want: 'no-store' },
  { why: 'RFC 9111 5.2: no-store with a stray argument still restricts', headers: { 'cache-control': 'no-store=1, max-age=60' }, want: 'no-store' },
  { why: 'RFC 9111 5.2.2.3: must-understand does not lift no-store here (issue 8: never store no-store)', headers: { 'cache-control': 'must-understand, no-store, max-age=60' }, want: 'no-store' },
  { why: 'issue 8: Set-Cookie is never stored', headers: { 'cache-control': 'public, max-age=60', 'set-cookie': ['a=1'] }, want: 'set-cookie' },
  { why: 'RFC 9111 4.1: Vary: * never matches', headers: { 'cache-control': 'max-age=60', vary: 'accept, *' }, want: 'vary-star' },
  { why: 'RFC 9110 12.5.5: malformed Vary: unknown variance', headers: { 'cache-control': 'max-age=60', vary: 'acc ept' }, want: 'vary-invalid' },
  { why: 'RFC 9111 4.1: Vary names become the secondary key', headers: { 'cache-control': 'max-age=60', vary: 'Accept-Encoding, Accept' }, want: { vary: ['accept', 'accept-encoding'] } },
  // private per scope
  { why: 'RFC 9111 5.2.2.7: private, shared scope', headers: { 'cache-control': 'private, max-age=60' }, want: 'private' },
  { why: 'RFC 9111 5.2.2.7: private, role scope (entries shared by a role)', headers: { 'cache-control': 'private, max-age=60' }, rules: { scope: 'role' }, want: 'private' },
  { why: 'RFC 9111 5.2.2.7: private="field" is treated as private in shared scope', headers: { 'cache-control': 'private="x-user", max-age=60' }, want: 'private' },
  { why: 'private in user scope: the entry is the principal\'s alone', headers: { 'cache-control': 'private, max-age=60' }, rules: { scope: 'user' }, want: { freshMs: 60 * S } },
  // RFC 9111 3.5 Authorization per scope
  { why: 'RFC 9111 3.5: Authorization, shared scope, max-age only', headers: { 'cache-control': 'max-age=60' }, rules: { requestHadAuthorization: true }, want: 'authorization' },
  { why: 'RFC 9111 3.5: Authorization, role scope, max-age only', headers: { 'cache-control': 'max-age=60' }, rules: { requestHadAuthorization: true, scope: 'role' }, want: 'authorization' },
  { why: 'RFC 9111 3.5: an Authorization header the client sent counts too', headers: { 'cache-control': 'max-age=60' }, input: { requestHeaders: { authorization: 'Bearer x' } }, want: 'authorization' },
  { why: 'RFC 9111 3.5 + 5.2.2.9: public allows it', headers: { 'cache-control': 'public, max-age=60' }, rules: { requestHadAuthorization: true }, want: { freshMs: 60 * S, noStale: false } },
  { why: 'RFC 9111 3.5 + 5.2.2.10: s-maxage allows it, with revalidation when stale', headers: { 'cache-control': 's-maxage=30' }, rules: { requestHadAuthorization: true }, want: { freshMs: 30 * S, noStale: true } },
  { why: 'RFC 9111 3.5 + 5.2.2.2: must-revalidate allows it, then revalidates when stale', headers: { 'cache-control': 'max-age=60, must-revalidate' }, rules: { requestHadAuthorization: true, staleWhileRevalidateMs: 10 * S }, want: { freshMs: 60 * S, noStale: true, staleWhileRevalidateMs: 0 } },
  { why: 'RFC 9111 3.5: proxy-revalidate does not allow it', headers: { 'cache-control': 'max-age=60, proxy-revalidate' }, rules: { requestHadAuthorization: true }, want: 'authorization' },
  { why: 'RFC 9111 3.5: a malformed public does not allow it', headers: { 'cache-control': 'public=1, max-age=60' }, rules: { requestHadAuthorization: true }, want: 'authorization' },
  { why: 'RFC 9111 3.5: an invalid s-maxage does not allow it', headers: { 'cache-control': 's-maxage=x' }, rules: { requestHadAuthorization: true }, want: 'authorization' },
  { why: 'RFC 9111 3.5: user scope is keyed by the principal, stored', headers: { 'cache-control': 'max-age=60' }, rules: { requestHadAuthorization: true, scope: 'user' }, want: { freshMs: 60 * S } },
  // RFC 9111 4.2.1 explicit freshness
  { why: 'RFC 9111 4.2.1: s-maxage before max-age, and it forbids stale (5.2.2.10)', headers: { 'cache-control': 'max-age=60, s-maxage=10' }, rules: { staleIfErrorMs: 60 * S }, want: { freshMs: 10 * S, noStale: true, staleIfErrorMs: 0 } },
  { why: 'RFC 9111 5.3: max-age present, Expires ignored', headers: { 'cache-control': 'max-age=60', date: date(T0), expires: date(T0 + 3600 * S) }, want: { freshMs: 60 * S } },
  { why: 'RFC 9111 4.2.1: Expires - Date', headers: { date: date(T0 - 100 * S), expires: date(T0 + 20 * S) }, want: { freshMs: 120 * S, initialAgeMs: 100 * S } },
  { why: 'RFC 9110 6.6.1: an invalid Date counts as absent (the receipt time)', headers: { date: 'yesterday', expires: date(T0 + 30 * S) }, want: { freshMs: 30 * S, initialAgeMs: 0 } },
  { why: 'RFC 9110 6.6.1: Date on two lines counts as absent', headers: { date: [date(T0 - 60 * S), date(T0)], expires: date(T0 + 30 * S) }, want: { freshMs: 30 * S, initialAgeMs: 0 } },
  { why: 'RFC 9111 4.2.1: Expires without Date: the receipt time', headers: { expires: date(T0 + 30 * S) }, want: { freshMs: 30 * S } },
  { why: 'RFC 9111 5.3: Expires: 0 is already expired, kept for its validator', headers: { expires: '0', etag: ETAG }, want: { freshMs: 0 } },
  { why: 'RFC 9111 5.3: Expires: 0 without validator or window: useless', headers: { expires: '0' }, want: 'no-freshness' },
  { why: 'RFC 9111 5.3: an invalid Expires is in the past, and no heuristic replaces it (4.2.2)', headers: { expires: 'tomorrow', 'last-modified': date(T0 - 100 * DAY) }, want: { freshMs: 0 } },
  { why: 'RFC 9111 4.2.1: Expires on two lines is stale', headers: { date: date(T0), expires: [date(T0 + 60 * S), date(T0 + 90 * S)], etag: ETAG }, want: { freshMs: 0 } },
  { why: 'RFC 9111 4.2.1: max-age twice is stale', headers: { 'cache-control': 'max-age=60, max-age=60', etag: ETAG }, want: { freshMs: 0 } },
  { why: 'RFC 9111 4.2.1: max-age=10abc is stale, not 10', headers: { 'cache-control': 'max-age=10abc', etag: ETAG }, want: { freshMs: 0 } },
  { why: 'RFC 9111 5.2: max-age="5" accepted by a recipient', headers: { 'cache-control': 'max-age="5"' }, want: { freshMs: 5 * S } },
  { why: 'RFC 9111 1.2.2: max-age overflow saturates at 2^31 s', headers: { 'cache-control': 'max-age=99999999999999' }, want: { freshMs: 2147483648 * S } },
  // RFC 9111 4.2.2 heuristic freshness
  { why: 'RFC 9111 4.2.2: 200 with Last-Modified: 10% of Date - Last-Modified', headers: { date: date(T0), 'last-modified': date(T0 - 1000 * S) }, want: { freshMs: 100 * S } },
  { why: 'RFC 9111 4.2.2: heuristic capped at 24 h', headers: { date: date(T0), 'last-modified': date(T0 - 100 * DAY) }, want: { freshMs: DAY } },
  { why: 'RFC 9111 4.2.2: 302 is not heuristically cacheable', headers: { date: date(T0), 'last-modified': date(T0 - 1000 * S) }, input: { status: 302 }, want: 'no-freshness' },
  { why: 'RFC 9111 4.2.2: public makes a 302 heuristically cacheable', headers: { 'cache-control': 'public', date: date(T0), 'last-modified': date(T0 - 1000 * S) }, input: { status: 302 }, want: { freshMs: 100 * S } },
  { why: 'RFC 9111 4.2.2: no heuristic over explicit max-age=0', headers: { 'cache-control': 'max-age=0', date: date(T0), 'last-modified': date(T0 - 1000 * S) }, want: { freshMs: 0 } },
  { why: 'RFC 9111 4.2.2: Last-Modified after Date gives nothing; kept for its validator', headers: { date: date(T0), 'last-modified': date(T0 + 1000 * S) }, want: { freshMs: 0 } },
  { why: 'RFC 9111 4.2.2: 404 is heuristically cacheable', headers: { date: date(T0), 'last-modified': date(T0 - 1000 * S) }, input: { status: 404 }, want: { freshMs: 100 * S } },
  { why: 'RFC 9111 3: a 200 with only an ETag is storable, reused after validation', headers: { etag: ETAG }, want: { freshMs: 0 } },
  { why: 'RFC 9111 3: a 200 with nothing: no freshness, no validator', headers: {}, want: 'no-freshness' },
  // RFC 9111 4.2.3 age
  { why: 'RFC 9111 4.2.3: corrected age = Age + response delay', headers: { 'cache-control': 'max-age=60', age: '10' }, input: { requestTime: T0 - 2 * S }, want: { initialAgeMs: 12 * S } },
  { why: 'RFC 9111 5.1: Age: 10abc is ignored (age = response delay only)', headers: { 'cache-control': 'max-age=60', age: '10abc' }, input: { requestTime: T0 - 2 * S }, want: { initialAgeMs: 2 * S } },
  { why: 'RFC 9111 4.2.3: apparent age from Date when larger', headers: { 'cache-control': 'max-age=60', age: '5', date: date(T0 - 30 * S) }, want: { initialAgeMs: 30 * S } },
  { why: 'RFC 9111 4.2.3: Date in the future: apparent age 0', headers: { 'cache-control': 'max-age=60', date: date(T0 + 30 * S) }, want: { initialAgeMs: 0 } },
  { why: 'stale on arrival (Age past max-age), no validator, no window', headers: { 'cache-control': 'max-age=10', age: '20' }, want: 'no-freshness' },
  // no-cache
  { why: 'RFC 9111 5.2.2.4: no-cache with an ETag: stored, revalidated every time, never stale', headers: { 'cache-control': 'no-cache, max-age=60', etag: ETAG }, rules: { staleIfErrorMs: 60 * S }, want: { revalidateAlways: true, noStale: true, staleIfErrorMs: 0 } },
  { why: 'RFC 9111 5.2.2.4: no-cache without a validator: every reuse would be a full fetch', headers: { 'cache-control': 'no-cache, max-age=60' }, want: 'no-cache-without-validator' },
  { why: 'RFC 9111 5.2.2.4: no-cache="field" is revalidate-always too', headers: { 'cache-control': 'no-cache="x-token", max-age=60', 'last-modified': date(T0 - DAY) }, want: { revalidateAlways: true } },
  // stale windows: RFC 9111 4.2.4 and RFC 5861
  { why: 'RFC 5861: response stale-while-revalidate / stale-if-error', headers: { 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=300' }, want: { staleWhileRevalidateMs: 30 * S, staleIfErrorMs: 300 * S } },
  { why: 'route windows alone (RFC 9111 4.2.4 out-of-band contract)', headers: { 'cache-control': 'max-age=60' }, rules: { staleWhileRevalidateMs: 10 * S, staleIfErrorMs: 60 * S }, want: { staleWhileRevalidateMs: 10 * S, staleIfErrorMs: 60 * S } },
  { why: 'route window caps a larger RFC 5861 directive', headers: { 'cache-control': 'max-age=60, stale-while-revalidate=30' }, rules: { staleWhileRevalidateMs: 10 * S }, want: { staleWhileRevalidateMs: 10 * S } },
  { why: 'a smaller RFC 5861 directive narrows the route window', headers: { 'cache-control': 'max-age=60, stale-if-error=5' }, rules: { staleIfErrorMs: 60 * S }, want: { staleIfErrorMs: 5 * S } },
  { why: 'an invalid RFC 5861 directive grants nothing', headers: { 'cache-control': 'max-age=60, stale-while-revalidate=x' }, rules: { staleWhileRevalidateMs: 10 * S }, want: { staleWhileRevalidateMs: 0 } },
  { why: 'RFC 9111 4.2.4: must-revalidate disables both windows', headers: { 'cache-control': 'max-age=60, must-revalidate, stale-while-revalidate=30' }, rules: { staleWhileRevalidateMs: 10 * S, staleIfErrorMs: 60 * S }, want: { staleWhileRevalidateMs: 0, staleIfErrorMs: 0, noStale: true } },
  { why: 'RFC 9111 5.2.2.8: proxy-revalidate disables both windows in a shared cache', headers: { 'cache-control': 'max-age=60, proxy-revalidate, stale-if-error=60' }, want: { staleIfErrorMs: 0, noStale: true } },
  { why: 'RFC 5861: max-age=0 with stale-while-revalidate is stored (served stale at once)', headers: { 'cache-control': 'max-age=0, stale-while-revalidate=30' }, want: { freshMs: 0, staleWhileRevalidateMs: 30 * S } },
  // TTL mode
  { why: 'TTL mode: the route TTL without upstream freshness', base: TTL, headers: {}, want: { freshMs: 5 * S } },
  { why: 'TTL mode: counted from storage (initial age + ttl)', base: TTL, headers: { age: '3' }, want: { freshMs: 8 * S, initialAgeMs: 3 * S } },
  { why: 'TTL mode: statuses outside the list', base: TTL, headers: {}, input: { status: 404 }, rules: { statuses: new Set([200]) }, want: 'status' },
  { why: 'TTL mode: 206 never (a partial response)', base: TTL, headers: {}, input: { status: 206 }, want: 'status' },
  { why: 'TTL mode: a listed unknown status is the operator\'s contract', base: TTL, headers: {}, input: { status: 299 }, want: { freshMs: 5 * S } },
  { why: 'TTL mode: RFC 9111 5.2.2.3 must-understand with an unknown status', base: TTL, headers: { 'cache-control': 'must-understand' }, input: { status: 299 }, want: 'status' },
  { why: 'TTL mode + respectUpstream: a lower max-age shortens', base: TTL, headers: { 'cache-control': 'max-age=2' }, want: { freshMs: 2 * S } },
  { why: 'TTL mode + respectUpstream: s-maxage preferred over max-age', base: TTL, headers: { 'cache-control': 'max-age=3, s-maxage=1' }, want: { freshMs: 1 * S, noStale: true } },
  { why: 'TTL mode + respectUpstream: a higher max-age does not lengthen', base: TTL, headers: { 'cache-control': 'max-age=60' }, want: { freshMs: 5 * S } },
  { why: 'TTL mode + respectUpstream: an earlier Expires shortens', base: TTL, headers: { date: date(T0), expires: date(T0 + 3 * S) }, want: { freshMs: 3 * S } },
  { why: 'TTL mode without respectUpstream: max-age ignored', base: TTL, headers: { 'cache-control': 'max-age=2' }, rules: { respectUpstream: false }, want: { freshMs: 5 * S } },
  { why: 'TTL mode: no-cache is a MUST, revalidate always', base: TTL, headers: { 'cache-control': 'no-cache', etag: ETAG }, rules: { respectUpstream: false }, want: { revalidateAlways: true, freshMs: 5 * S } },
  { why: 'TTL mode: no-cache without a validator', base: TTL, headers: { 'cache-control': 'no-cache' }, want: 'no-cache-without-validator' },
  { why: 'TTL mode: route windows apply', base: TTL, headers: {}, rules: { staleWhileRevalidateMs: 10 * S, staleIfErrorMs: 60 * S }, want: { staleWhileRevalidateMs: 10 * S, staleIfErrorMs: 60 * S } },
  { why: 'TTL mode: RFC 9111 4.2.4 must-revalidate disables the route windows', base: TTL, headers: { 'cache-control': 'must-revalidate' }, rules: { staleWhileRevalidateMs: 10 * S, respectUpstream: false }, want: { staleWhileRevalidateMs: 0, noStale: true } },
  { why: 'TTL mode + respectUpstream: RFC 5861 directive narrows the route window', base: TTL, headers: { 'cache-control': 'stale-while-revalidate=2' }, rules: { staleWhileRevalidateMs: 10 * S }, want: { staleWhileRevalidateMs: 2 * S } },
  { why: 'TTL mode without respectUpstream: RFC 5861 directive ignored', base: TTL, headers: { 'cache-control': 'stale-while-revalidate=2' }, rules: { staleWhileRevalidateMs: 10 * S, respectUpstream: false }, want: { staleWhileRevalidateMs: 10 * S } },
  { why: 'TTL mode: private in user scope is stored', base: TTL, headers: { 'cache-control': 'private' }, rules: { scope: 'user' }, want: { freshMs: 5 * S } },
  { why: 'TTL mode: private in shared scope is not', base: TTL, headers: { 'cache-control': 'private' }, want: 'private' },
  { why: 'TTL mode: role/shared scope with a ttl is the operator\'s statement that overrides RFC 9111 3.5', base: TTL, headers: {}, rules: { requestHadAuthorization: true, scope: 'role' }, want: { freshMs: 5 * S } },
  { why: 'TTL mode: private still never in shared scope', base: TTL, headers: { 'cache-control': 'private' }, rules: { requestHadAuthorization: true, scope: 'shared' }, want: 'private' },
  { why: 'TTL mode: set-cookie never', base: TTL, headers: { 'set-cookie': 'a=1' }, want: 'set-cookie' },
];

for (const c of cases) {
  test(`storeDecision: ${c.why}`, () => {
    const input: StoreInput = { method: 'GET', requestHeaders: {}, status: 200, responseHeaders: c.headers, requestTime: T0, responseTime: T0, ...c.input };
    const got = storeDecision(input, { ...(c.base ?? HTTP), ...c.rules });
    if (typeof c.want === 'string') {
      assert.deepEqual(got, { store: false, reason: c.want });
      return;
    }
    assert.equal(got.store, true, JSON.stringify(got));
    for (const [key, value] of Object.entries(c.want)) assert.deepEqual((got as unknown as Record<string, unknown>)[key], value, key);
  });
}

test('storeDecision takes Node IncomingHttpHeaders as they come (Set-Cookie is an array there)', () => {
  const res = { headers: { 'cache-control': 'max-age=60', 'set-cookie': ['sid=1'] } as IncomingHttpHeaders };
  const req = { headers: { accept: 'application/json' } as IncomingHttpHeaders };
  const got = storeDecision({ method: 'GET', requestHeaders: req.headers, status: 200, responseHeaders: res.headers, requestTime: T0, responseTime: T0 }, HTTP);
  assert.deepEqual(got, { store: false, reason: 'set-cookie' });
});
