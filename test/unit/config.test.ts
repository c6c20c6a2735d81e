import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffConfig } from '../../gateway/config/diff-config.js';
import { interpolate } from '../../gateway/config/interpolate.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { parseDuration, parseSize } from '../../gateway/config/units.js';
import { errorsOf, VALID } from './config-fixture.js';

test('config: a valid file compiles, with durations in ms and GET routes answering HEAD', () => {
  const c = parseConfigText(VALID, 'gw.yaml', {});
  assert.equal(c.upstreams.default!.headersTimeout, 30_000);
  assert.equal(c.limits.bodyLimit, 1024 * 1024);
  const b = c.routes.find((r) => r.id === 'b')!;
  assert.deepEqual([...b.methods!].sort(), ['GET', 'HEAD']);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.routes));
});

test('config: a bad duration names file, line, column and field path', () => {
  const text = VALID.replace('routes:\n  - id: a\n    path: /api/a', 'routes:\n  - id: a\n    path: /api/a\n    timeouts:\n      headers: soon');
  assert.deepEqual(errorsOf(text), ['gw.yaml:12:16 routes[0].timeouts.headers: expected a duration like "30s", got "soon"']);
});

test('config: every problem is reported, not only the first', () => {
  const text = VALID
    .replace('port: 8443', 'port: 99999')
    .replace('url: http://127.0.0.1:8000', 'url: ftp://nope')
    .replace('mode: self-signed', 'mode: self-signed\n  colour: blue');
  const errors = errorsOf(text);
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.match(errors.join('\n'), /gw\.yaml:3:\d+ listeners\.https\.port: expected a port number 0-65535/);
  assert.match(errors.join('\n'), /gw\.yaml:6:3 tls\.colour: unknown key "colour"/);
  assert.match(errors.join('\n'), /gw\.yaml:8:8 upstream\.url: expected an origin URL/);
});

test('config: wrong types and missing required sections', () => {
  const errors = errorsOf('listeners:\n  https: { port: "x" }\nroutes: []\n');
  const all = errors.join('\n');
  assert.match(all, /listeners\.https\.port/);
  assert.match(all, /tls/);
  assert.match(all, /upstream/);
  assert.match(all, /routes: expected at least one route/);
});

test('config: impossible combinations are errors', () => {
  const cases: [string, RegExp][] = [
    [VALID.replace('    path: /api/a', '    path: /api/a\n    prefix: /api/a'), /exactly one of "path".*or "prefix"/],
    [VALID + 'cors:\n  origins: ["*"]\n  credentials: true\n', /cors\.credentials: credentials: true cannot be combined/],
    [VALID.replace('mode: self-signed', 'mode: files'), /tls: mode "files" needs both "cert" and "key"/],
    [VALID.replace('  - id: b', '  - id: a'), /duplicate route id "a"/],
    [VALID + '  - id: c\n    path: /api/a\n    auth: none\n', /routes\[2\]: never matches: routes\[0\] has the same path/],
    [VALID + '  - id: d\n    path: /healthz\n    auth: none\n', /\/healthz is answered by the gateway itself/],
    [VALID + '  - id: e\n    path: /api/../x\n    auth: none\n', /expected a normalized path/],
    [VALID + '  - id: f\n    path: /api/f\n', /routes\[2\]: every route states auth: required, optional or none/],
    [VALID + '  - id: f\n    path: /api/f\n    auth: required\n', /routes\[2\]\.auth: auth "required" needs the top-level "auth" section/],
    [VALID + '  - id: f\n    path: /api/f\n    auth: { mode: optional, roles: [admin] }\n', /routes\[2\]\.auth\.roles: roles need auth mode "required"/],
    [VALID + 'auth:\n  jwt: { secret: short }\n', /auth\.jwt\.secret: auth\.jwt\.secret must be at least 32 bytes/],
    [VALID + 'auth:\n  jwt: {}\n', /auth\.jwt\.secret: HS256 needs a secret: set JWT_SECRET/],
    [VALID + 'auth:\n  jwt: { algorithm: RS256 }\n', /auth\.jwt: RS256 needs privateKeyFile and publicKeyFile/],
    [VALID + 'limits:\n  headersTimeout: 60s\n  requestTimeout: 30s\n', /headersTimeout cannot be longer than requestTimeout/],
    [VALID + 'store:\n  redis: { url: "redis://x", cluster: [{ host: a, port: 1 }] }\n', /exactly one of "url", "sentinels"/],
    [VALID + 'trustedProxies: ["10.0.0.0/33"]\n', /trustedProxies\[0\]: expected an IP address or CIDR/],
    [VALID + '  - id: g\n    path: /api/g\n    auth: none\n    headers: { request: { set: { Transfer-Encoding: chunked } } }\n', /routes\[2\]\.headers\.request\.set\.Transfer-Encoding: connection and framing headers cannot be set/],
  ];
  for (const [text, pattern] of cases) assert.match(errorsOf(text).join('\n'), pattern);
});

test('config: YAML syntax errors carry a position', () => {
  const errors = errorsOf('listeners:\n  https: { port: 1\nroutes: [');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^gw\.yaml:\d+:\d+ /);
});

test('config: ${VAR} and ${VAR:-default} interpolation, unquoted numbers stay numbers', () => {
  const text = VALID.replace('port: 8443', 'port: ${PORT:-9443}').replace('url: http://127.0.0.1:8000', 'url: ${UPSTREAM}');
  const c = parseConfigText(text, 'gw.yaml', { UPSTREAM: 'http://10.1.2.3:9000' });
  assert.equal(c.listeners.https.port, 9443);
  assert.deepEqual(c.upstreams.default!.targets, ['http://10.1.2.3:9000']);
  assert.match(errorsOf(text, {}).join('\n'), /gw\.yaml:7:8 upstream\.url: environment variable UPSTREAM is not set/);
});

test('config: an empty REDIS_URL means the embedded memory store', () => {
  const text = `${VALID}store:\n  redis: { url: "\${REDIS_URL:-}" }\n`;
  assert.equal(parseConfigText(text, 'gw.yaml', {}).store.redis, undefined);
  assert.equal(parseConfigText(text, 'gw.yaml', { REDIS_URL: 'redis://127.0.0.1:6379' }).store.redis?.url, 'redis://127.0.0.1:6379');
});

test('interpolate: an env value cannot add YAML structure', () => {
  const text = VALID.replace('url: http://127.0.0.1:8000', 'url: ${UPSTREAM}');
  const errors = errorsOf(text, { UPSTREAM: 'http://a\nrouting: evil' });
  assert.match(errors.join('\n'), /upstream\.url: expected an origin URL/);
  assert.deepEqual(interpolate('a${X}b${Y:-y}', { X: '1' }), { value: 'a1by', missing: [] });
});

test('units: durations and sizes', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration('30'), undefined);
  assert.equal(parseSize('1mb'), 1_048_576);
  assert.equal(parseSize('16KB'), 16_384);
  assert.equal(parseSize('lots'), undefined);
});

test('diffConfig: routes added, removed and changed; sections changed', () => {
  const before = parseConfigText(VALID, 'gw.yaml', {});
  const after = parseConfigText(
    VALID.replace('  - id: b\n    prefix: /api/b\n    methods: [GET]\n    auth: none\n', '  - id: c\n    path: /api/c\n    auth: none\n').replace('path: /api/a', 'path: /api/a2') + 'limits:\n  bodyLimit: 2mb\n',
    'gw.yaml', {},
  );
  assert.deepEqual(diffConfig(before, after), { routesAdded: ['c'], routesRemoved: ['b'], routesChanged: ['a'], sectionsChanged: ['limits'] });
});
