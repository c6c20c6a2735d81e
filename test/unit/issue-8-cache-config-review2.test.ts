import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

/**
 * Review 2, findings 2 and 3: cache settings that were accepted but could never work as written.
 * A header the gateway states or strips for the backend cannot key the cache: the key would hold
 * the client's value while the backend answered for the gateway's (bob got alice's answer when
 * X-User-Id keyed a shared route). Statuses the cache never stores cannot be listed.
 */
const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
// routes[0] is /api/a (auth none), routes[2] /api/c (auth required) in WITH_AUTH.
const onA = (yaml: string, base = VALID) => base.replace('    path: /api/a\n    auth: none\n', `    path: /api/a\n    auth: none\n${yaml}`);
const onC = (yaml: string) => WITH_AUTH.replace('    path: /api/c\n    auth: required\n', `    path: /api/c\n    auth: required\n${yaml}`);
const BECAUSE = /the gateway sets or strips it for the backend, which sees the gateway's value, not the client's/;

const refused: { why: string; text: string; env?: Record<string, string>; at: string; says: RegExp }[] = [
  { why: 'a default identity header on a shared route', text: onC('    cache: { ttl: 5s, scope: shared, varyHeaders: [X-User-Id] }\n'), env: ENV, at: 'routes[2].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'a default identity header on an anonymous route (no auth section)', text: onA('    cache: { ttl: 5s, varyHeaders: [x-user-roles] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  {
    why: 'a configured identity header name',
    text: `${onC('    cache: { ttl: 5s, scope: shared, varyHeaders: [Accept, X-Caller] }\n')}  identityHeaders: { user: X-Caller }\n`,
    env: ENV, at: 'routes[2].cache.varyHeaders[1]', says: BECAUSE,
  },
  { why: 'X-Forwarded-Proto', text: onA('    cache: { ttl: 5s, varyHeaders: [X-Forwarded-Proto] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'X-Real-IP', text: onA('    cache: { ttl: 5s, varyHeaders: [X-Real-IP] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'X-Request-Id', text: onA('    cache: { ttl: 5s, varyHeaders: [X-Request-Id] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'a hop-by-hop field', text: onA('    cache: { ttl: 5s, varyHeaders: [TE] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'an underscore name (dropped: a WSGI backend reads it as a dash)', text: onA('    cache: { ttl: 5s, varyHeaders: [X_Tenant] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'a name the route sets', text: onA('    cache: { ttl: 5s, varyHeaders: [x-env] }\n    headers: { request: { set: { X-Env: prod } } }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'a name the route removes', text: onA('    cache: { ttl: 5s, varyHeaders: [X-Debug] }\n    headers: { request: { remove: [x-debug] } }\n'), at: 'routes[0].cache.varyHeaders[0]', says: BECAUSE },
  { why: 'a credential header', text: onA('    cache: { ttl: 5s, varyHeaders: [X-API-Key] }\n'), at: 'routes[0].cache.varyHeaders[0]', says: /X-API-Key cannot be a cache key/ },
  { why: 'a 304 (a revalidation answer, never an entry)', text: onA('    cache: { statuses: [200, 304] }\n'), at: 'routes[0].cache.statuses[1]', says: /304 is never stored/ },
  { why: 'a 206 (a part of a representation)', text: onA('    cache: { statuses: [206] }\n'), at: 'routes[0].cache.statuses[0]', says: /206 is never stored/ },
  {
    why: 'staleIfError beyond cache.maxTtl (the entry is gone by then)',
    text: `${onA('    cache: { ttl: 5s, staleIfError: 2d }\n')}cache:\n  maxTtl: 1d\n`, at: 'routes[0].cache.staleIfError', says: /longer than cache\.maxTtl \(1d\)/,
  },
  { why: 'staleWhileRevalidate beyond the default maxTtl', text: onA('    cache: { ttl: 5s, staleWhileRevalidate: 25h }\n'), at: 'routes[0].cache.staleWhileRevalidate', says: /longer than cache\.maxTtl \(1d\)/ },
];

for (const c of refused) {
  test(`issue 8 review 2 cache config refused: ${c.why}`, () => {
    const errors = errorsOf(c.text, c.env);
    const line = errors.find((e) => e.includes(`${c.at}:`));
    assert.ok(line, `no error at ${c.at}:\n${errors.join('\n')}`);
    assert.match(line, c.says);
  });
}

const accepted: { why: string; text: string; env?: Record<string, string> }[] = [
  { why: 'an ordinary header to key on', text: onA('    cache: { ttl: 5s, varyHeaders: [Accept-Language, X-Tenant] }\n') },
  { why: 'X-User-Id is an ordinary header once identity headers are renamed', text: `${onC('    cache: { ttl: 5s, varyHeaders: [X-Tenant] }\n')}  identityHeaders: { user: X-Caller }\n`, env: ENV },
  { why: '203 and 404, statuses the cache stores', text: onA('    cache: { ttl: 5s, statuses: [200, 203, 404] }\n') },
  { why: 'stale windows within maxTtl', text: `${onA('    cache: { ttl: 5s, staleIfError: 2d, staleWhileRevalidate: 1h }\n')}cache:\n  maxTtl: 3d\n` },
];
for (const c of accepted) {
  test(`issue 8 review 2 cache config accepted: ${c.why}`, () => {
    assert.doesNotThrow(() => parseConfigText(c.text, 'gw.yaml', c.env ?? {}));
  });
}
