import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };

test('limits.handshakeTimeout: 10s by default, a duration when given', () => {
  assert.equal(parseConfigText(VALID, 'gw.yaml', {}).limits.handshakeTimeout, 10_000);
  assert.equal(parseConfigText(`${VALID}limits:\n  handshakeTimeout: 3s\n`, 'gw.yaml', {}).limits.handshakeTimeout, 3000);
  assert.match(errorsOf(`${VALID}limits:\n  handshakeTimeout: fast\n`).join('\n'), /limits\.handshakeTimeout: expected a duration/);
});

test('routes[].defaultCacheControl: no-store where auth is not none, null otherwise; false or a value overrides', () => {
  const text = `${WITH_AUTH.replace('    auth: required\n', '    auth: required\n  - id: d\n    path: /api/d\n    auth: required\n    defaultCacheControl: false\n  - id: e\n    path: /api/e\n    auth: none\n    defaultCacheControl: "private, max-age=60"\n')}`;
  const routes = new Map(parseConfigText(text, 'gw.yaml', ENV).routes.map((r) => [r.id, r.defaultCacheControl]));
  assert.equal(routes.get('a'), null);
  assert.equal(routes.get('c'), 'no-store');
  assert.equal(routes.get('d'), null);
  assert.equal(routes.get('e'), 'private, max-age=60');
  assert.equal(routes.get('gateway.auth'), 'no-store');
  assert.equal(routes.get('gateway.healthz'), null);
  assert.match(errorsOf(VALID.replace('    auth: none\n', '    auth: none\n    defaultCacheControl: "a\\r\\nb"\n')).join('\n'), /defaultCacheControl: header values cannot contain CR, LF or NUL/);
});

test('compiled types: what the schema checked needs no "!" (tls files, Redis mode, resolved policy, roles)', () => {
  const files = parseConfigText(VALID.replace('mode: self-signed', 'mode: files\n  cert: c.pem\n  key: k.pem'), 'gw.yaml', {});
  assert.ok(files.tls.mode === 'files' && files.tls.cert.endsWith('c.pem') && files.tls.key.endsWith('k.pem'));

  const sentinel = parseConfigText(`${VALID}store:\n  redis: { sentinels: [{ host: a, port: 26379 }], name: main }\n`, 'gw.yaml', {});
  assert.ok(sentinel.store.redis?.sentinels && sentinel.store.redis.name === 'main');

  const limited = parseConfigText(`${VALID.replace('    auth: none\n', '    auth: none\n    rateLimit: { policy: p, cost: 2 }\n')}rateLimits:\n  policies:\n    p: { limits: [{ points: 5, duration: 1s }] }\n`, 'gw.yaml', {});
  const a = limited.routes.find((r) => r.id === 'a');
  assert.equal(a?.rateLimit?.policy, 'p');
  assert.equal(a?.rateLimit?.cost, 2);
  assert.equal(a?.rateLimit?.definition.limits[0]?.points, 5);

  const roles = parseConfigText(WITH_AUTH.replace('    auth: required\n', '    auth: { mode: required, roles: [trader] }\n'), 'gw.yaml', ENV);
  const c = roles.routes.find((r) => r.id === 'c');
  assert.ok(c?.auth.mode === 'required' && c.auth.roles?.has('trader'));
});
