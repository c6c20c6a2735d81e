import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionalRequestHeaders, type ConditionalHeaders } from '../../gateway/cache/policy/conditional-request.js';
import { headersAfterNotModified, notModifiedApplies } from '../../gateway/cache/policy/headers-after-not-modified.js';
import { ifNoneMatchMatches } from '../../gateway/cache/policy/entity-tag.js';
import { invalidationTargets, type InvalidationInput } from '../../gateway/cache/policy/invalidation-targets.js';
import { varyMatches } from '../../gateway/cache/policy/vary.js';
import { normalizeTarget } from '../../gateway/pipeline/normalize-path.js';
import type { HeaderRecord, HeaderValue } from '../../gateway/cache/policy/header-value.js';

const LM = 'Wed, 01 Jan 2025 12:00:00 GMT';

const condCases: { why: string; stored: HeaderRecord; want: ConditionalHeaders }[] = [
  { why: 'RFC 9111 4.3.1: ETag MUST and Last-Modified SHOULD: both', stored: { etag: '"a"', 'last-modified': LM }, want: { 'if-none-match': '"a"', 'if-modified-since': LM } },
  { why: 'RFC 9111 4.3.1: a weak ETag goes out as stored', stored: { etag: 'W/"a"' }, want: { 'if-none-match': 'W/"a"' } },
  { why: 'RFC 9111 4.3.1: Last-Modified alone', stored: { 'last-modified': LM }, want: { 'if-modified-since': LM } },
  { why: 'RFC 9110 8.8.3: an unquoted ETag is no entity-tag', stored: { etag: 'abc' }, want: {} },
  { why: 'RFC 9110 13.1.3: an invalid Last-Modified is not sent', stored: { 'last-modified': '2025-01-01' }, want: {} },
  { why: 'no validators', stored: {}, want: {} },
];
for (const c of condCases) test(`conditionalRequestHeaders: ${c.why}`, () => assert.deepEqual(conditionalRequestHeaders(c.stored), c.want));

test('headersAfterNotModified: RFC 9111 4.3.4 + 3.2: 304 fields replace stored ones, with the 3.2 exceptions', () => {
  const stored = {
    'content-type': 'application/json', 'content-length': '120', 'content-encoding': 'gzip', etag: '"a"',
    'cache-control': 'max-age=10', date: 'Wed, 01 Jan 2025 12:00:00 GMT', vary: 'accept', 'x-kept': 'old',
  };
  const notModified = {
    'cache-control': 'max-age=60', date: 'Wed, 01 Jan 2025 12:05:00 GMT', etag: '"a"', 'x-new': ['1', '2'],
    'content-length': '0', 'content-encoding': 'br', 'content-range': 'bytes 0-1/2', vary: 'accept, cookie',
    connection: 'keep-alive, X-Hop', 'x-hop': 'secret', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked',
    'proxy-authenticate': 'Basic', 'proxy-authentication-info': 'x', 'set-cookie': ['s=1'], 'x-undefined': undefined,
  };
  assert.deepEqual(headersAfterNotModified(stored, notModified), {
    'content-type': 'application/json', 'content-length': '120', 'content-encoding': 'gzip', etag: '"a"',
    'cache-control': 'max-age=60', date: 'Wed, 01 Jan 2025 12:05:00 GMT', vary: 'accept', 'x-kept': 'old', 'x-new': ['1', '2'],
  });
});

test('headersAfterNotModified: the stored record is not mutated', () => {
  const stored = { 'cache-control': 'max-age=10' };
  headersAfterNotModified(stored, { 'cache-control': 'max-age=60' });
  assert.deepEqual(stored, { 'cache-control': 'max-age=10' });
});

const applyCases: { why: string; stored: HeaderRecord; nm: HeaderRecord; want: boolean }[] = [
  { why: 'RFC 9111 4.3.4: same strong ETag', stored: { etag: '"a"' }, nm: { etag: '"a"' }, want: true },
  { why: 'RFC 9111 4.3.4: a different strong ETag MUST NOT update', stored: { etag: '"a"' }, nm: { etag: '"b"' }, want: false },
  { why: 'RFC 9111 4.3.4: a strong ETag does not select a weak stored one (strong comparison)', stored: { etag: 'W/"a"' }, nm: { etag: '"a"' }, want: false },
  { why: 'RFC 9111 4.3.4: a weak ETag corresponds by weak comparison', stored: { etag: '"a"' }, nm: { etag: 'W/"a"' }, want: true },
  { why: 'RFC 9111 4.3.4: same Last-Modified', stored: { 'last-modified': LM }, nm: { 'last-modified': LM }, want: true },
  { why: 'RFC 9111 4.3.4: other Last-Modified', stored: { 'last-modified': LM }, nm: { 'last-modified': 'Thu, 02 Jan 2025 12:00:00 GMT' }, want: false },
  { why: 'RFC 9111 4.3.4 / RFC 9110 15.4.5: a 304 without validator applies to the one entry validated', stored: { etag: '"a"' }, nm: {}, want: true },
  { why: 'a malformed ETag in the 304 identifies nothing', stored: { etag: '"a"' }, nm: { etag: 'a' }, want: false },
];
for (const c of applyCases) test(`notModifiedApplies: ${c.why}`, () => assert.equal(notModifiedApplies(c.stored, c.nm), c.want));

const inmCases: { why: string; inm: HeaderValue; etag: HeaderValue; want: boolean }[] = [
  { why: 'RFC 9110 13.1.2: same strong tag', inm: '"a"', etag: '"a"', want: true },
  { why: 'RFC 9110 13.1.2: weak comparison, W/ in the request', inm: 'W/"a"', etag: '"a"', want: true },
  { why: 'RFC 9110 13.1.2: weak comparison, W/ stored', inm: '"a"', etag: 'W/"a"', want: true },
  { why: 'RFC 9110 8.8.3: "w/" is not the weak prefix (case-sensitive)', inm: 'w/"a"', etag: '"a"', want: false },
  { why: 'RFC 9110 13.1.2: different tag', inm: '"b"', etag: '"a"', want: false },
  { why: 'RFC 9110 13.1.2: a list', inm: '"x", W/"a" ,"y"', etag: '"a"', want: true },
  { why: 'RFC 9110 13.1.2: a list across lines', inm: ['"x"', '"a"'], etag: '"a"', want: true },
  { why: 'RFC 9110 8.8.3: a comma inside an entity-tag does not split it', inm: '"a,b"', etag: '"a,b"', want: true },
  { why: 'RFC 9110 8.8.3: "a,b" is not "a"', inm: '"a,b"', etag: '"a"', want: false },
  { why: 'RFC 9110 13.1.2: "*" matches any stored representation', inm: '*', etag: '"a"', want: true },
  { why: 'RFC 9110 13.1.2: "*" inside a list is malformed', inm: '"b", *', etag: '"a"', want: false },
  { why: 'RFC 9110 8.8.3: unquoted tags are malformed', inm: 'a', etag: 'a', want: false },
  { why: 'a malformed member spoils the list', inm: '"a" junk', etag: '"a"', want: false },
  { why: 'no stored ETag: only "*" could match', inm: '"a"', etag: undefined, want: false },
];
for (const c of inmCases) test(`ifNoneMatchMatches ${JSON.stringify(c.inm)} vs ${JSON.stringify(c.etag)}: ${c.why}`, () => assert.equal(ifNoneMatchMatches(c.inm, c.etag), c.want));

const ORIGIN = 'https://api.example.com';
const normalize = (p: string): string | null => {
  const n = normalizeTarget(p);
  return n.ok ? n.path : null;
};
const invCases: { why: string; input: Partial<InvalidationInput>; want: string[] }[] = [
  { why: 'RFC 9111 4.4: POST 201 invalidates the target', input: {}, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: a safe method invalidates nothing', input: { method: 'GET' }, want: [] },
  { why: 'RFC 9110 9.2.1: OPTIONS is safe', input: { method: 'OPTIONS' }, want: [] },
  { why: 'RFC 9111 4.4: a method of unknown safety counts as unsafe', input: { method: 'PURGE' }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: an error status invalidates nothing', input: { status: 400 }, want: [] },
  { why: 'RFC 9111 4.4: 5xx is an error', input: { status: 502 }, want: [] },
  { why: 'RFC 9111 4.4: 3xx is non-error', input: { status: 303 }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: the query is stripped (all queries of the path)', input: { path: '/api/orders?x=1' }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: Location, absolute-path reference', input: { responseHeaders: { location: '/api/orders/7?view=full' } }, want: ['/api/orders', '/api/orders/7'] },
  { why: 'RFC 9110 10.2.2: Location relative to the target URI', input: { path: '/api/orders/', responseHeaders: { location: '7' } }, want: ['/api/orders/', '/api/orders/7'] },
  { why: 'RFC 9111 4.4: Location absolute, same origin', input: { responseHeaders: { location: 'https://api.example.com/api/orders/8' } }, want: ['/api/orders', '/api/orders/8'] },
  { why: 'RFC 9111 4.4: Location of another origin is ignored', input: { responseHeaders: { location: 'https://evil.example/api/portfolio' } }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: another scheme is another origin', input: { responseHeaders: { location: 'http://api.example.com/api/portfolio' } }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: another port is another origin', input: { responseHeaders: { location: 'https://api.example.com:8443/api/portfolio' } }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: a network-path reference to another host is ignored', input: { responseHeaders: { 'content-location': '//evil.example/x' } }, want: ['/api/orders'] },
  { why: 'RFC 9111 4.4: Content-Location too, dot segments resolved', input: { responseHeaders: { 'content-location': '/api/./orders/../portfolio' } }, want: ['/api/orders', '/api/portfolio'] },
  { why: 'normalized like cache keys (unreserved escapes decoded)', input: { responseHeaders: { location: '/api/%6Frders/9' } }, want: ['/api/orders', '/api/orders/9'] },
  { why: 'a target path with "//" stays a path, never a host', input: { path: '//evil.example/x', responseHeaders: { location: '/api/a' } }, want: ['/evil.example/x', '/api/a'] },
  { why: 'duplicates removed', input: { responseHeaders: { location: '/api/orders', 'content-location': '/api/orders' } }, want: ['/api/orders'] },
];
for (const c of invCases) {
  test(`invalidationTargets: ${c.why}`, () => {
    const input: InvalidationInput = { method: 'POST', status: 201, path: '/api/orders', responseHeaders: {}, origin: ORIGIN, normalize, ...c.input };
    assert.deepEqual(invalidationTargets(input), c.want);
  });
}

const varyCases: { why: string; vary: string[]; stored: HeaderRecord; presented: HeaderRecord; want: boolean }[] = [
  { why: 'RFC 9111 4.1: equal values', vary: ['accept'], stored: { accept: 'application/json' }, presented: { accept: 'application/json' }, want: true },
  { why: 'RFC 9111 4.1: different values', vary: ['accept'], stored: { accept: 'application/json' }, presented: { accept: 'text/html' }, want: false },
  { why: 'RFC 9111 4.1: absent matches only absent', vary: ['accept'], stored: {}, presented: { accept: '*/*' }, want: false },
  { why: 'RFC 9111 4.1: both absent match', vary: ['accept'], stored: {}, presented: {}, want: true },
  { why: 'RFC 9111 4.1: combined lines and whitespace around commas', vary: ['accept-language'], stored: { 'accept-language': ['en', 'fr'] }, presented: { 'accept-language': 'en ,fr' }, want: true },
];
for (const c of varyCases) test(`varyMatches: ${c.why}`, () => assert.equal(varyMatches(c.vary, c.stored, c.presented), c.want));
