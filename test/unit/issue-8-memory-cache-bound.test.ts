import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../gateway/store/memory-store.js';

test('issue 8: the memory store keeps cache entries within their byte bound, least recently used dropped first', async () => {
  const store = createMemoryStore();
  const cache = store.cacheBackend({ maxMemoryBytes: 10_000, redisMemoryShare: 0.5 });
  const entry = Buffer.alloc(2500, 1); // + key + 400 bytes of overhead each: three fit in 10 000, not four
  for (const k of ['a', 'b', 'c']) await cache.put(`c:e:r:${k}`, entry, 60_000);
  await cache.lookup('c:e:r:a', []); // a is now the most recently used
  await cache.put('c:e:r:d', entry, 60_000); // over 10 000 bytes: b goes
  const present = async (k: string) => (await cache.lookup(`c:e:r:${k}`, [])).entry !== null;
  assert.deepEqual([await present('a'), await present('b'), await present('c'), await present('d')], [true, false, true, true]);
  const size = (await cache.measure((key) => (key.startsWith('c:e:r:') ? 'r' : null)))?.get('r');
  assert.equal(size?.entries, 3);
  assert.ok(size!.bytes <= 10_000);
  assert.equal(await cache.put('c:e:r:huge', Buffer.alloc(20_000), 60_000), 'too-large', 'never stored, and said so');
  assert.equal(store.cacheBackend({ maxMemoryBytes: 1, redisMemoryShare: 0.5 }), cache, 'one per store: reloads keep the entries');
  await store.close();
});

test('issue 8: a tag bump makes a new generation; locks are leases', async () => {
  let now = 1000;
  const store = createMemoryStore(() => now);
  const cache = store.cacheBackend({ maxMemoryBytes: 1 << 20, redisMemoryShare: 0.5 });
  const before = (await cache.lookup('c:e:x', ['c:t:1'])).generations[0];
  assert.equal(before, null);
  await cache.bump(['c:t:1'], 10_000);
  const first = (await cache.lookup('c:e:x', ['c:t:1'])).generations[0];
  await cache.bump(['c:t:1'], 10_000);
  const second = (await cache.lookup('c:e:x', ['c:t:1'])).generations[0];
  assert.ok(first !== null && second !== null && first !== second);
  assert.equal(await cache.lock('c:l:x', 500), 'acquired');
  assert.equal(await cache.lock('c:l:x', 500), 'held');
  now += 600;
  assert.equal(await cache.lock('c:l:x', 500), 'acquired', 'an expired lease is free');
  await cache.markPass('c:l:x', 500);
  assert.equal(await cache.lock('c:l:x', 500), 'pass', 'an unstorable answer leaves a pass mark');
  now += 600;
  assert.equal(await cache.lock('c:l:x', 500), 'acquired');
  await store.close();
});
