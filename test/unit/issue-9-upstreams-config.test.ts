import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, VALID } from './config-fixture.js';

const NAMED = VALID.replace('upstream:\n  url: http://127.0.0.1:8000\n', `upstreams:
  default:
    targets: [http://127.0.0.1:8001, http://127.0.0.1:8002/]
    balance: least-busy
    passive: { failures: 2, ejectFor: 5s }
  market-data:
    targets: [http://127.0.0.1:9001]
    headersTimeout: 3s
    healthCheck: { path: /ping, interval: 2s }
`).replace('  - id: b\n', '  - id: b\n    upstream: market-data\n');

test('upstreams: the named form compiles; each route takes its upstream and its timeouts', () => {
  const c = parseConfigText(NAMED, 'gw.yaml', {});
  assert.deepEqual(c.upstreams.default!.targets, ['http://127.0.0.1:8001', 'http://127.0.0.1:8002']);
  assert.equal(c.upstreams.default!.balance, 'least-busy');
  assert.deepEqual(c.upstreams.default!.passive, { failures: 2, ejectFor: 5000, maxEjectFor: 300_000 });
  assert.equal(c.upstreams['market-data']!.healthCheck!.interval, 2000);
  assert.equal(c.upstreams['market-data']!.passive, null);
  const a = c.routes.find((r) => r.id === 'a')!;
  const b = c.routes.find((r) => r.id === 'b')!;
  assert.equal(a.upstream, 'default');
  assert.equal(b.upstream, 'market-data');
  assert.equal(b.headersTimeout, 3000);
  assert.equal(a.headersTimeout, 30_000);
});

test('upstreams: the single upstream section is the one called default', () => {
  const c = parseConfigText(VALID, 'gw.yaml', {});
  assert.deepEqual(Object.keys(c.upstreams), ['default']);
  assert.deepEqual(c.upstreams.default!.targets, ['http://127.0.0.1:8000']);
  assert.equal(c.upstreams.default!.passive, null, 'no ejection unless asked for: one backend keeps behaving as before');
});

const refused: { description: string; text: string; error: RegExp }[] = [
  {
    description: 'a route naming an upstream that does not exist',
    text: NAMED.replace('upstream: market-data', 'upstream: marketdata'),
    error: /routes\[1\]\.upstream: unknown upstream "marketdata" \(defined: default, market-data\)/,
  },
  {
    description: 'both upstream and upstreams.default',
    text: `${NAMED}upstream:\n  url: http://127.0.0.1:8000\n`,
    error: /upstreams\.default: both "upstream" and "upstreams\.default" define the upstream called default/,
  },
  {
    description: 'a route without upstream when there is no default',
    text: NAMED.replace('  default:\n', '  trading:\n'),
    error: /routes\[0\]: this route goes to the upstream called default, and there is none/,
  },
  {
    description: 'no upstream at all',
    text: VALID.replace('upstream:\n  url: http://127.0.0.1:8000\n', ''),
    error: /upstream: expected an "upstream" section/,
  },
  {
    description: 'an unknown balance',
    text: NAMED.replace('balance: least-busy', 'balance: random'),
    error: /upstreams\.default\.balance: expected "round-robin" or "least-busy"/,
  },
  {
    description: 'an empty target list',
    text: NAMED.replace('targets: [http://127.0.0.1:9001]', 'targets: []'),
    error: /upstreams\.market-data\.targets: expected at least one target/,
  },
  {
    description: 'a target listed twice',
    text: NAMED.replace('http://127.0.0.1:8002/', 'http://127.0.0.1:8001/'),
    error: /upstreams\.default\.targets: the same target is listed twice/,
  },
  {
    description: 'a target with a path',
    text: NAMED.replace('http://127.0.0.1:9001', 'http://127.0.0.1:9001/api'),
    error: /upstreams\.market-data\.targets\[0\]: expected an origin URL/,
  },
  {
    description: 'an upstream on a gateway route',
    text: `${VALID}  - id: c\n    path: /api/c\n    auth: none\n    target: gateway\n    upstream: default\n`,
    error: /routes\[2\]\.upstream: only backend routes go to an upstream/,
  },
];

for (const row of refused) {
  test(`upstreams: refused: ${row.description}`, () => {
    assert.match(errorsOf(row.text).join('\n'), row.error);
  });
}
