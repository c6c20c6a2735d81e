import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configView, REDACTED } from '../../gateway/config/config-view.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, VALID } from './config-fixture.js';

const store = (redis: string) => `${VALID}store:\n  redis:\n${redis}`;

test('store: a Cluster compiles to its seed nodes with the common settings', () => {
  const c = parseConfigText(store('    cluster: [{ host: 10.0.0.1, port: 7000 }, { host: 10.0.0.2, port: 7001 }]\n    commandTimeout: 150ms\n'), 'gw.yaml', {});
  assert.deepEqual(c.store.redis, { cluster: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], keyPrefix: 'gw:', commandTimeout: 150, connectTimeout: 2000 });
});

test('store: Sentinel compiles to its sentinels and the primary\'s name', () => {
  const c = parseConfigText(store('    sentinels: [{ host: 10.0.0.1, port: 26379 }]\n    name: gwprimary\n    keyPrefix: "prod:"\n'), 'gw.yaml', {});
  assert.deepEqual(c.store.redis, { sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'gwprimary', keyPrefix: 'prod:', commandTimeout: 250, connectTimeout: 2000 });
});

const refused: { description: string; redis: string; error: RegExp }[] = [
  { description: 'a Cluster with no node', redis: '    cluster: []\n', error: /store\.redis\.cluster/ },
  { description: 'a Cluster node without a port', redis: '    cluster: [{ host: 10.0.0.1 }]\n', error: /store\.redis\.cluster\[0\]\.port/ },
  { description: 'Cluster and Sentinel together', redis: '    cluster: [{ host: a, port: 1 }]\n    sentinels: [{ host: b, port: 2 }]\n    name: m\n', error: /exactly one of "url", "sentinels" \(with "name"\) or "cluster"/ },
  { description: 'Sentinel without the primary\'s name', redis: '    sentinels: [{ host: b, port: 2 }]\n', error: /store\.redis\.name: Sentinel needs the master "name"/ },
  { description: 'a hash tag in the key prefix on a Cluster (every key on one master)', redis: '    cluster: [{ host: a, port: 1 }]\n    keyPrefix: "{gw}:"\n', error: /store\.redis\.keyPrefix: on a Cluster the key prefix must not contain/ },
  { description: 'a lone brace in the key prefix on a Cluster', redis: '    cluster: [{ host: a, port: 1 }]\n    keyPrefix: "gw{"\n', error: /store\.redis\.keyPrefix/ },
  { description: 'a password beside a url (the url carries its own)', redis: '    url: redis://127.0.0.1:6379\n    password: pw\n', error: /store\.redis\.password: only with "sentinels" or "cluster" \(a url carries its own/ },
  { description: 'a user name beside a url', redis: '    url: redis://127.0.0.1:6379\n    username: gw\n', error: /store\.redis\.username: only with/ },
  { description: 'a sentinel password on a Cluster', redis: '    cluster: [{ host: a, port: 1 }]\n    sentinelPassword: pw\n', error: /store\.redis\.sentinelPassword: only with "sentinels"/ },
];

for (const row of refused) {
  test(`store: refuses ${row.description}`, () => {
    const errors = errorsOf(store(row.redis));
    assert.ok(errors.some((e) => row.error.test(e)), errors.join('\n'));
  });
}

test('store: braces in the key prefix are fine on one Redis (no slots there)', () => {
  assert.equal(parseConfigText(store('    url: redis://127.0.0.1:6379\n    keyPrefix: "{gw}:"\n'), 'gw.yaml', {}).store.redis?.keyPrefix, '{gw}:');
});

test('store: Cluster and Sentinel take AUTH as fields; "" (an unset variable) is none; /admin/config redacts the passwords', () => {
  const cluster = parseConfigText(store('    cluster: [{ host: a, port: 1 }]\n    username: gw\n    password: "${REDIS_PASSWORD}"\n'), 'gw.yaml', { REDIS_PASSWORD: 'cluster-pw-1' });
  assert.deepEqual(cluster.store.redis, { cluster: [{ host: 'a', port: 1 }], username: 'gw', password: 'cluster-pw-1', keyPrefix: 'gw:', commandTimeout: 250, connectTimeout: 2000 });
  const sentinel = parseConfigText(store('    sentinels: [{ host: b, port: 2 }]\n    name: m\n    password: data-pw\n    sentinelPassword: "${SENTINEL_PASSWORD:-}"\n'), 'gw.yaml', {});
  assert.deepEqual(sentinel.store.redis, { sentinels: [{ host: 'b', port: 2 }], name: 'm', password: 'data-pw', keyPrefix: 'gw:', commandTimeout: 250, connectTimeout: 2000 });
  const withBoth = parseConfigText(store('    sentinels: [{ host: b, port: 2 }]\n    name: m\n    password: data-pw\n    sentinelPassword: sentinel-pw\n'), 'gw.yaml', {});
  const shown = configView(withBoth).store as { redis: Record<string, unknown> };
  assert.equal(shown.redis.password, REDACTED);
  assert.equal(shown.redis.sentinelPassword, REDACTED);
  assert.equal(shown.redis.name, 'm');
  assert.doesNotMatch(JSON.stringify(configView(cluster)), /cluster-pw-1/);
});
