import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { configWarnings } from '../../gateway/config/config-warnings.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
// routes[0] is /api/a (auth none, any method), routes[1] /api/b (GET), routes[2] /api/c (auth required) in WITH_AUTH.
const onA = (yaml: string) => VALID.replace('    path: /api/a\n    auth: none\n', `    path: /api/a\n    auth: none\n${yaml}`);
const onC = (yaml: string) => WITH_AUTH.replace('    path: /api/c\n    auth: required\n', `    path: /api/c\n    auth: required\n${yaml}`);

const refused: { why: string; text: string; env?: Record<string, string>; says: RegExp }[] = [
  { why: 'user scope on an anonymous route has nobody to key on', text: onA('    cache: { ttl: 5s, scope: user }\n'), says: /routes\[0\]\.cache\.scope: an anonymous route has no user to key on: use scope shared/ },
  { why: '{user} in a tag of an anonymous route', text: onA('    cache: { ttl: 5s, tags: ["p:{user}"] }\n'), says: /routes\[0\]\.cache\.tags\[0\]: \{user\} needs a route with authentication/ },
  { why: 'a placeholder that is not a :param', text: onA('    invalidates: ["order:{id}"]\n'), says: /routes\[0\]\.invalidates\[0\]: \{id\} is not a :param of this route's path/ },
  { why: 'a tag with characters outside the set', text: onA('    invalidates: ["a b"]\n'), says: /routes\[0\]\.invalidates\[0\]: expected a tag like/ },
  { why: 'a cached route that answers no GET', text: onA('    methods: [POST]\n    cache: { ttl: 5s }\n'), says: /routes\[0\]\.cache: a cached route answers GET: add GET to methods/ },
  { why: 'a credential header as a cache key', text: onC('    cache: { ttl: 5s, varyHeaders: [Authorization] }\n'), env: ENV, says: /routes\[2\]\.cache\.varyHeaders\[0\]: Authorization cannot be a cache key/ },
  { why: 'a ttl that is not a duration', text: onA('    cache: { ttl: 5 }\n'), says: /routes\[0\]\.cache\.ttl: expected a duration like "30s", got 5/ },
  { why: 'an unknown cache key', text: onA('    cache: { ttl: 5s, tll: 1s }\n'), says: /routes\[0\]\.cache\.tll: unknown key "tll"/ },
  { why: 'review O2: a memory bound of nothing (the store could not even be made)', text: `${VALID}cache:\n  maxMemory: 0b\n`, says: /cache\.maxMemory: expected at least 1mb/ },
  { why: 'review O2: maxTtl 0s', text: `${VALID}cache:\n  maxTtl: 0s\n`, says: /cache\.maxTtl: maxTtl must be above 0/ },
  { why: 'review O2: a route ttl of 0s', text: onA('    cache: { ttl: 0s }\n'), says: /routes\[0\]\.cache\.ttl: ttl \(leave it out to let HTTP decide\) must be above 0/ },
  { why: 'review O2: maxBodyBytes beyond what a miss may hold in memory', text: onA('    cache: { maxBodyBytes: 10gb }\n'), says: /routes\[0\]\.cache\.maxBodyBytes: expected a size from 1b to 64mb/ },
  { why: 'review: cache: true names the form to write', text: onA('    cache: true\n'), says: /routes\[0\]\.cache: expected a mapping like \{ ttl: 5s \}/ },
  { why: 'a status outside 200-599', text: onA('    cache: { statuses: [200, 100] }\n'), says: /routes\[0\]\.cache\.statuses\[1\]: expected a whole number from 200 to 599, got 100/ },
];

for (const c of refused) {
  test(`issue 8 cache config refused: ${c.why}`, () => {
    const errors = errorsOf(c.text, c.env);
    assert.ok(errors.some((e) => c.says.test(e)), errors.join('\n'));
  });
}

test('issue 8 cache config: defaults and compiled shape', () => {
  const config = parseConfigText(onC('    cache: { ttl: 5s, varyHeaders: [Accept-Language], ignoreQueryParams: [utm_source], tags: ["p:{user}"] }\n'), 'gw.yaml', ENV);
  const route = config.routes.find((r) => r.id === 'c')!;
  assert.equal(route.cache?.scope, 'user', 'authenticated routes default to user scope');
  assert.deepEqual(route.cache?.varyHeaders, ['accept-language']);
  assert.deepEqual([...route.cache!.statuses], [200]);
  assert.equal(route.cache?.ttlMs, 5000);
  assert.equal(route.cache?.maxBodyBytes, 1024 * 1024);
  assert.equal(config.caching, true);
  const anonymous = parseConfigText(onA('    cache: {}\n'), 'gw.yaml', {});
  assert.equal(anonymous.routes.find((r) => r.id === 'a')?.cache?.scope, 'shared');
  assert.equal(anonymous.routes.find((r) => r.id === 'a')?.cache?.ttlMs, null, 'no ttl: HTTP decides');
  assert.equal(parseConfigText(VALID, 'gw.yaml', {}).caching, false, 'no cache, no cache stages');
});

test('issue 8: gateway check warns about shared scope behind authentication, only there', () => {
  const shared = parseConfigText(onC('    cache: { ttl: 5s, scope: shared }\n'), 'gw.yaml', ENV);
  assert.match(configWarnings(shared).map((w) => w.message).join('\n'), /route "c" caches in scope shared behind authentication/);
  assert.deepEqual(configWarnings(parseConfigText(onA('    cache: { ttl: 5s }\n'), 'gw.yaml', {})), []);
});

test('issue 8 review O3: a reload that changes the cache section says so', async () => {
  const { diffConfig } = await import('../../gateway/config/diff-config.js');
  const before = parseConfigText(VALID, 'gw.yaml', {});
  const after = parseConfigText(`${VALID}cache:\n  maxMemory: 128mb\n`, 'gw.yaml', {});
  assert.deepEqual(diffConfig(before, after).sectionsChanged, ['cache']);
});
