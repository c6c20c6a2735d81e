import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, SECRET, WITH_AUTH } from './config-fixture.js';

const env = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
const route = (lines: string) => `${WITH_AUTH.replace('auth:\n  jwt', `  - id: z\n    path: /api/z\n${lines}auth:\n  jwt`)}`;
const orders = (idempotency: string, extra = '') => route(`    methods: [GET, POST]\n    auth: required\n    timeouts: { headers: 10s, body: 20s }\n    bodyLimit: 64kb\n${extra}    idempotency: ${idempotency}\n`);
const compiled = (text: string) => parseConfigText(text, 'gw.yaml', env).routes.find((r) => r.id === 'z')!.idempotency;

test('idempotency: true is every default; the lease is the exchange\'s timeouts and 5 s, the kept body the route\'s bodyLimit', () => {
  const o = compiled(orders('true'));
  assert.ok(o);
  assert.equal(o.windowMs, 86_400_000);
  assert.equal(o.required, false);
  assert.deepEqual([...o.methods], ['POST', 'PATCH']);
  assert.equal(o.maxKeyLength, 255);
  assert.equal(o.maxBodyBytes, 64 * 1024);
  assert.equal(o.leaseMs, 5_000 + 10_000 + 20_000 + 5_000, 'upstream.connectTimeout (5s) + headers + body + margin');
  assert.equal(o.onStoreError, 'reject');
});

test('idempotency: the long form, false, and absent', () => {
  const o = compiled(orders('{ window: 2s, required: true, methods: [POST], maxKeyLength: 64, maxBodyBytes: 1kb, onStoreError: forward }'));
  assert.deepEqual(o && { ...o, methods: [...o.methods] }, {
    windowMs: 2000, required: true, methods: ['POST'], maxKeyLength: 64, maxBodyBytes: 1024, leaseMs: 2000, onStoreError: 'forward',
  }, 'a lease never outlasts the window');
  assert.equal(compiled(orders('false')), null);
  assert.equal(compiled(route('    auth: required\n')), null);
});

const refused: [string, string, RegExp][] = [
  ['auth none', route('    auth: none\n    idempotency: true\n'), /routes\[3\]\.idempotency: idempotency keys are kept per authenticated caller: it needs auth "required"/],
  ['auth optional', route('    auth: optional\n    idempotency: true\n'), /routes\[3\]\.idempotency: .*needs auth "required"/],
  ['a gateway route', route('    auth: required\n    target: gateway\n    idempotency: true\n'), /routes\[3\]\.idempotency: idempotency keys apply to backend routes only/],
  ['no method in common with the route', route('    auth: required\n    methods: [GET]\n    idempotency: true\n'), /routes\[3\]\.idempotency\.methods: none of POST, PATCH is among the route's methods/],
  ['a safe method', orders('{ methods: [GET] }'), /routes\[3\]\.idempotency\.methods\[0\]: expected one of POST, PATCH, PUT, DELETE/],
  ['a window under a second', orders('{ window: 500ms }'), /routes\[3\]\.idempotency\.window: expected a window of at least 1s/],
  ['an unknown onStoreError', orders('{ onStoreError: allow }'), /routes\[3\]\.idempotency\.onStoreError: expected "reject" or "forward"/],
  ['a misspelt key', orders('{ requird: true }'), /routes\[3\]\.idempotency\.requird: unknown key/],
  ['a string', orders('yes'), /routes\[3\]\.idempotency: expected true, false or \{ window, required, methods, maxKeyLength, maxBodyBytes, onStoreError \}/],
];
for (const [why, text, pattern] of refused) {
  test(`idempotency config refused: ${why}`, () => {
    assert.match(errorsOf(text, env).join('\n'), pattern);
  });
}
