import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { SECRET_PATHS } from '../../gateway/config/secrets.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };

test('secrets: SECRET_PATHS lists every secret field once', () => {
  assert.deepEqual([...SECRET_PATHS].sort(), ['auth.apiKeys.secret', 'auth.jwt.secret', 'routes[*].headers.request.set.*', 'store.redis.password', 'store.redis.sentinelPassword', 'store.redis.url']);
});

test('secrets, strict (the default): an unset secret variable is named, with where npm start keeps the demo one', () => {
  const errors = errorsOf(WITH_AUTH, { API_KEY_SECRET: SECRET });
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /^gw\.yaml:\d+:\d+ auth\.jwt\.secret: environment variable JWT_SECRET is not set and has no default/);
  assert.match(errors[0]!, /npm start` keeps the demo's in \.demo\/secrets\.json/);
  assert.doesNotMatch(errors[0]!, /:-default/);
});

test('secrets, strict: a short secret is an error, and a full set compiles to strings', () => {
  assert.match(errorsOf(WITH_AUTH, { ...ENV, API_KEY_SECRET: 'short' }).join('\n'), /auth\.apiKeys\.secret: auth\.apiKeys\.secret must be at least 32 bytes/);
  const c = parseConfigText(WITH_AUTH, 'gw.yaml', ENV);
  assert.equal(c.auth?.jwt.algorithm === 'HS256' && c.auth.jwt.secret, SECRET);
  const keySecret: string | undefined = c.auth?.apiKeys?.secret; // strict: typed string, no null to check
  assert.equal(keySecret, SECRET);
});

test('secrets, optional: unset or short secrets compile to null, other errors still count', () => {
  const c = parseConfigText(WITH_AUTH, 'gw.yaml', { API_KEY_SECRET: 'short' }, { secrets: 'optional' });
  assert.equal(c.auth?.jwt.algorithm === 'HS256' ? c.auth.jwt.secret : 'n/a', null);
  assert.equal(c.auth?.apiKeys?.secret, null);
  const keys = c.auth?.apiKeys;
  assert.equal(keys?.source === 'file' && keys.file.endsWith('keys.yaml'), true);
  // Present and long enough: kept as it is.
  assert.equal(parseConfigText(WITH_AUTH, 'gw.yaml', ENV, { secrets: 'optional' }).auth?.apiKeys?.secret, SECRET);
  // Only secrets are relaxed: an unset variable elsewhere is still an error.
  const text = WITH_AUTH.replace('url: http://127.0.0.1:8000', 'url: ${UPSTREAM}');
  assert.match(errorsOf(text, {}, { secrets: 'optional' }).join('\n'), /upstream\.url: environment variable UPSTREAM is not set/);
});

test('secrets, optional: an unset Redis URL without default is no error and leaves the memory store', () => {
  const text = `${VALID}store:\n  redis: { url: "\${REDIS_URL}" }\n`;
  assert.match(errorsOf(text).join('\n'), /store\.redis\.url: environment variable REDIS_URL is not set/);
  assert.equal(parseConfigText(text, 'gw.yaml', {}, { secrets: 'optional' }).store.redis, undefined);
});
