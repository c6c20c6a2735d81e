import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configView, REDACTED } from '../../gateway/config/config-view.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { isSecretPath } from '../../gateway/config/secrets.js';
import { WITH_AUTH } from './config-fixture.js';

/** GET /admin/config's view of a config: every secret redacted, found by SECRET_PATHS. */

const paths: { path: string; secret: boolean; why: string }[] = [
  { path: 'auth.jwt.secret', secret: true, why: 'the JWT signing secret' },
  { path: 'auth.apiKeys.secret', secret: true, why: 'the API key HMAC secret' },
  { path: 'store.redis.url', secret: true, why: 'a Redis URL may carry a password' },
  { path: 'routes[3].headers.request.set.Authorization', secret: true, why: 'a header the gateway sets on requests to the backend (a backend credential)' },
  { path: 'routes[12].headers.request.set.X.Custom', secret: true, why: 'a header name with a dot' },
  { path: 'routes[3].headers.response.set.Cache-Control', secret: false, why: 'response headers go to every client anyway' },
  { path: 'routes[x].headers.request.set.A', secret: false, why: '[*] is a list index' },
  { path: 'routes[3].headers.request.set', secret: false, why: 'the map itself, not one of its values' },
  { path: 'auth.jwt.secretary', secret: false, why: 'whole path segments only' },
  { path: 'upstream.url', secret: false, why: 'the backend URL has no credentials (the schema refuses them)' },
];
for (const row of paths) {
  test(`isSecretPath: ${row.why}`, () => assert.equal(isSecretPath(row.path), row.secret));
}

const JWT = 'jwt-secret-0123456789-abcdefghijklmnop';
const KEY = 'key-secret-0123456789-abcdefghijklmnop';
const text = (redis: string) => `${WITH_AUTH.replace('  - id: c\n    path: /api/c\n    auth: required\n',
  '  - id: c\n    path: /api/c\n    auth: required\n    headers:\n      request: { set: { Authorization: "Basic YmFja2VuZDpzM2NyM3Q=" } }\n      response: { set: { X-Served-By: gateway } }\n')}store:\n  redis: { url: "${redis}" }\n`;
const view = (redis: string) => configView(parseConfigText(text(redis), 'gw.yaml', { JWT_SECRET: JWT, API_KEY_SECRET: KEY }));

const urls: { url: string; shown: string; why: string }[] = [
  { url: 'redis://:hunter2-pw@10.0.0.5:6379/2', shown: `redis://${REDACTED}@10.0.0.5:6379/2`, why: 'a password: the host, port and database stay' },
  { url: 'rediss://gw-user:hunter2-pw@redis.example:6380', shown: `rediss://${REDACTED}@redis.example:6380`, why: 'a user and a password' },
  { url: 'redis://10.0.0.5:6379?password=hunter2-pw', shown: `redis://10.0.0.5:6379?${REDACTED}`, why: 'a password in the query (ioredis reads it there)' },
  { url: 'redis://10.0.0.5:6379', shown: 'redis://10.0.0.5:6379', why: 'no credentials: nothing to hide' },
];
for (const row of urls) {
  test(`configView: store.redis.url, ${row.why}`, () => {
    const v = view(row.url);
    assert.equal((v.store as { redis: { url: string } }).redis.url, row.shown);
    assert.ok(!JSON.stringify(v).includes('hunter2-pw'));
  });
}

test('configView: the JWT and API key secrets and a route\'s backend credential never appear', () => {
  const v = view('redis://10.0.0.5:6379');
  const json = JSON.stringify(v);
  for (const secret of [JWT, KEY, 'YmFja2VuZDpzM2NyM3Q=']) assert.ok(!json.includes(secret), 'a secret is shown');
  const auth = v.auth as { jwt: { secret: string }; apiKeys: { secret: string; file: string } };
  assert.equal(auth.jwt.secret, REDACTED);
  assert.equal(auth.apiKeys.secret, REDACTED);
  assert.match(auth.apiKeys.file, /keys\.yaml$/, 'what is not secret is shown');
  const route = (v.routes as { id: string; headers: { request: { set: Record<string, string> }; response: { set: Record<string, string> } } }[])[2]!;
  assert.equal(route.id, 'c');
  assert.deepEqual(route.headers.request.set, { Authorization: REDACTED });
  assert.deepEqual(route.headers.response.set, { 'X-Served-By': 'gateway' });
});

test('configView: the operator\'s routes as written, in file order (so paths match `gateway check`\'s); the built-in ones by id', () => {
  const v = view('redis://10.0.0.5:6379');
  assert.deepEqual((v.routes as { id: string }[]).map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(v.builtinRoutes, ['gateway.healthz', 'gateway.readyz', 'gateway.auth']);
  assert.deepEqual((v.routes as { methods?: string[] }[])[1]!.methods, ['GET']);
  assert.equal(v.file, 'gw.yaml');
  assert.equal((v.upstreams as Record<string, { connectTimeout: number }>).default!.connectTimeout, 5000, 'defaults filled in, durations in ms');
});

test('configView: a config without secrets set (optional mode) shows them as null, not redacted text', () => {
  const v = configView(parseConfigText(WITH_AUTH, 'gw.yaml', { API_KEY_SECRET: 'short' }, { secrets: 'optional' }));
  assert.equal((v.auth as { jwt: { secret: unknown } }).jwt.secret, null);
  assert.equal((v.auth as { apiKeys: { secret: unknown } }).apiKeys.secret, null);
});
