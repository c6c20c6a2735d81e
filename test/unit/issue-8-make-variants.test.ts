import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { makeVariants } from '../../gateway/compression/make-variants.js';
import { compileCompression } from '../../gateway/config/schema/compression.js';

const orders = Buffer.from(JSON.stringify({
  orders: Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, symbol: ['BTC', 'ETH', 'SOL'][i % 3], side: i % 2 ? 'buy' : 'sell', quantity: i * 1.5, price: 67000 + i })),
}));

test('makeVariants: both variants decode back to exactly the stored bytes, and are smaller', async () => {
  const v = await makeVariants(orders, 'application/json; charset=utf-8');
  assert.ok(v.gzip && v.br, 'both variants made');
  assert.deepEqual(gunzipSync(v.gzip), orders);
  assert.deepEqual(brotliDecompressSync(v.br), orders);
  assert.ok(v.gzip.length < orders.length * 0.9 && v.br.length < orders.length * 0.9);
});

test('makeVariants: incompressible bytes (random, though labelled text) get no variant: identity is as small', async () => {
  assert.deepEqual(await makeVariants(randomBytes(4096), 'text/plain'), {});
});

const skipped: { body: Buffer; type: string | undefined; why: string }[] = [
  { body: orders, type: 'image/png', why: 'a type we do not code' },
  { body: orders, type: undefined, why: 'no Content-Type' },
  { body: orders.subarray(0, 1023), type: 'application/json', why: 'below minBytes' },
  { body: Buffer.alloc(0), type: 'application/json', why: 'empty' },
];
for (const c of skipped) {
  test(`makeVariants: none for ${c.why}`, async () => {
    assert.deepEqual(await makeVariants(c.body, c.type), {});
  });
}

test('makeVariants: settings passed in apply (minBytes, types)', async () => {
  const small = Buffer.from('{"a":"' + 'x'.repeat(300) + '"}');
  const settings = compileCompression({ enabled: true, minBytes: 100, gzipLevel: 1, brotliQuality: 4, types: ['application/json'] });
  const v = await makeVariants(small, 'application/json', settings);
  assert.deepEqual(gunzipSync(v.gzip!), small);
  assert.deepEqual(await makeVariants(small, 'text/plain', settings), {});
});
