import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApiKey } from '../../gateway/auth/api-keys.js';
import { DIRECTORY_KEYS, DIRECTORY_STALE_AFTER_MS, startStoreDirectoryFeed } from '../../gateway/auth/store-directory.js';
import { createMemoryStore } from '../../gateway/store/memory-store.js';
import { StoreUnavailableError, type Store } from '../../gateway/store/store.js';

/**
 * The store directory's snapshot (auth/store-directory.ts): when it may be answered from, on a
 * fixed clock. Polls other than the first are kept out of the way (a poll interval of a day).
 */

const SECRET = 'x'.repeat(32);
const { record } = newApiKey(SECRET, 'bot', ['trader'], undefined);
const user = { username: 'ann', roles: ['viewer'], hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', disabled: false };

async function seeded(): Promise<Store> {
  const store = createMemoryStore();
  await store.multi([
    { op: 'hset', key: DIRECTORY_KEYS.keys, field: record.id, value: JSON.stringify(record) },
    { op: 'hset', key: DIRECTORY_KEYS.users, field: user.username, value: JSON.stringify(user) },
    { op: 'hset', key: DIRECTORY_KEYS.users, field: 'bad', value: '{"username":"bad","hash":"plain"}' },
    { op: 'hset', key: DIRECTORY_KEYS.users, field: 'elsewhere', value: JSON.stringify({ ...user, username: 'someone' }) },
    { op: 'incr', key: DIRECTORY_KEYS.version },
  ]);
  return store;
}

const unreachable = (store: Store): Store => ({ ...store, get: () => Promise.reject(new StoreUnavailableError(new Error('down'))) });

const rows: { why: string; store: () => Promise<Store>; advanceMs: number; useStale: boolean; answers: boolean }[] = [
  { why: 'a fresh snapshot answers', store: seeded, advanceMs: 0, useStale: false, answers: true },
  { why: 'up to the stale bound it still answers', store: seeded, advanceMs: DIRECTORY_STALE_AFTER_MS, useStale: false, answers: true },
  { why: 'past the stale bound without a poll it fails closed', store: seeded, advanceMs: DIRECTORY_STALE_AFTER_MS + 1, useStale: false, answers: false },
  { why: 'onStoreError: allow keeps the stale snapshot', store: seeded, advanceMs: 60_000, useStale: true, answers: true },
  { why: 'no snapshot ever loaded fails closed', store: async () => unreachable(await seeded()), advanceMs: 0, useStale: false, answers: false },
  { why: 'no snapshot fails closed even with allow', store: async () => unreachable(await seeded()), advanceMs: 0, useStale: true, answers: false },
];
for (const row of rows) {
  test(`store directory feed: ${row.why}`, async () => {
    const store = await row.store();
    let now = 1_000_000;
    const reports: string[] = [];
    const feed = await startStoreDirectoryFeed(store, { users: true, keys: true, useStale: row.useStale, now: () => now, report: (e, d) => reports.push(`${e}: ${d}`), pollMs: 86_400_000 });
    try {
      now += row.advanceMs;
      if (row.answers) {
        assert.deepEqual([...feed.keys().keys()], [record.id]);
        assert.deepEqual([...feed.users().keys()], ['ann'], 'records that do not parse, or sit under another name, are left out');
        assert.deepEqual(reports.filter((r) => r.startsWith('bad-record')).length, 2, reports.join('\n'));
        assert.ok(!reports.join('\n').includes('plain'), 'a report names the field, never the value');
      } else {
        assert.throws(() => feed.keys(), StoreUnavailableError);
        assert.throws(() => feed.users(), StoreUnavailableError);
      }
    } finally {
      feed.close();
      await store.close();
    }
  });
}
