import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryKey, normalizedQuery, pathPattern, principalPart, resolveTag } from '../../gateway/cache/cache-key.js';
import { globToRegExp } from '../../gateway/store/cache-backend.js';
import { parseTagTemplate, type RouteCache } from '../../gateway/config/schema/cache.js';

const cache = (over: Partial<RouteCache> = {}): RouteCache => ({
  ttlMs: 5000, staleWhileRevalidateMs: null, staleIfErrorMs: null, scope: 'user', varyHeaders: [], tags: [],
  statuses: new Set([200]), maxBodyBytes: 1 << 20, ignoreQueryParams: new Set(['utm_source']), respectUpstream: true, allowClientNoCache: false, ...over,
});
const alice = { id: 'alice', method: 'jwt' as const, roles: new Set(['trader']) };
const aliceKey = { id: 'alice', method: 'apiKey' as const, roles: new Set(['trader']) };
const bob = { id: 'bob', method: 'jwt' as const, roles: new Set(['trader']) };
const key = (over: Partial<Parameters<typeof entryKey>[1]> = {}, c = cache()) => entryKey(c, { routeId: 'r', path: '/p', query: '', principal: alice, headers: {}, origin: 'host=gw.example', ...over });

const queries: { why: string; in: string; out: string }[] = [
  { why: 'empty', in: '', out: '' },
  { why: 'a bare ?', in: '?', out: '' },
  { why: 'sorted by name', in: '?b=2&a=1', out: 'a=1&b=2' },
  { why: 'repeated names keep their order (a list may be ordered)', in: '?a=2&b=1&a=1', out: 'a=2&a=1&b=1' },
  { why: 'ignored names dropped', in: '?utm_source=x&a=1', out: 'a=1' },
  { why: 'ignored names compared decoded', in: '?utm%5Fsource=x&a=1', out: 'a=1' },
  { why: 'empty pairs dropped', in: '?a=1&&b=2&', out: 'a=1&b=2' },
  { why: 'a bad escape kept as written', in: '?%zz=1', out: '%zz=1' },
];
for (const c of queries) test(`issue 8 normalizedQuery: ${c.why}`, () => assert.equal(normalizedQuery(c.in, new Set(['utm_source'])), c.out));

const keys: { why: string; same: boolean; a: string; b: string }[] = [
  { why: 'two query orders are one entry', same: true, a: key({ query: '?a=1&b=2' }), b: key({ query: '?b=2&a=1' }) },
  { why: 'users have their own entries', same: false, a: key(), b: key({ principal: bob }) },
  { why: 'an API key is its own principal, not the user of the same name', same: false, a: key(), b: key({ principal: aliceKey }) },
  { why: 'role scope: same roles share', same: true, a: key({}, cache({ scope: 'role' })), b: key({ principal: bob }, cache({ scope: 'role' })) },
  { why: 'role scope: other roles do not', same: false, a: key({}, cache({ scope: 'role' })), b: key({ principal: { ...bob, roles: new Set(['viewer']) } }, cache({ scope: 'role' })) },
  { why: 'shared scope: everyone shares', same: true, a: key({}, cache({ scope: 'shared' })), b: key({ principal: null }, cache({ scope: 'shared' })) },
  { why: 'anonymous in user scope is not a user', same: false, a: key({ principal: null }), b: key() },
  { why: 'an unlisted header changes nothing', same: true, a: key({ headers: { 'x-evil': 'a', cookie: 'c=1' } }), b: key() },
  { why: 'the origin the backend is told (Host, port included) is keyed', same: false, a: key({ origin: 'host=gw.example:6666' }), b: key() },
  { why: 'an identity provider\'s subject is not the local user of the same name', same: false, a: key({ principal: { ...alice, token: { jti: 'j', family: undefined, issuedAt: 0, expiresAt: 0, external: true } } }), b: key() },
  { why: 'a listed vary header is keyed', same: false, a: key({ headers: { 'accept-language': 'de' } }, cache({ varyHeaders: ['accept-language'] })), b: key({ headers: { 'accept-language': 'en' } }, cache({ varyHeaders: ['accept-language'] })) },
  { why: 'another path', same: false, a: key({ path: '/p/x.css' }), b: key() },
  { why: 'another route', same: false, a: key({ routeId: 'other' }), b: key() },
];
for (const c of keys) test(`issue 8 entryKey: ${c.why}`, () => assert.equal(c.a === c.b, c.same));

test('issue 8: a path pattern matches its path\'s entries, for all callers or one', () => {
  const all = globToRegExp(pathPattern('/p', null));
  const onlyAlice = globToRegExp(pathPattern('/p', principalPart('user', alice)));
  assert.ok(all.test(key()) && all.test(key({ principal: bob, query: '?x=1' })));
  assert.ok(!all.test(key({ path: '/q' })));
  assert.ok(onlyAlice.test(key({ query: '?x=1' })) && !onlyAlice.test(key({ principal: bob })));
});

test('issue 8: tag templates filled from the caller and the route params, never guessed', () => {
  assert.equal(resolveTag(parseTagTemplate('portfolio:{user}'), {}, alice), 'portfolio:alice');
  assert.equal(resolveTag(parseTagTemplate('order:{id}:x'), { id: '42' }, null), 'order:42:x');
  assert.equal(resolveTag(parseTagTemplate('portfolio:{user}'), {}, null), null);
  assert.equal(resolveTag(parseTagTemplate('order:{id}'), {}, alice), null);
});
