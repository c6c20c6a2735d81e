import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApiKey } from '../../gateway/auth/api-keys.js';
import { claimKeySecret, keySecretFingerprint } from '../../gateway/auth/key-secret-fingerprint.js';
import { DIRECTORY_KEYS, KEY_SECRET_FIELD, startStoreDirectoryFeed } from '../../gateway/auth/store-directory.js';
import { createMemoryStore } from '../../gateway/store/memory-store.js';
import type { Store, StoreWrite } from '../../gateway/store/store.js';

/**
 * Issue 9 review: a record that is not valid was logged on every 30 s reload, by every worker;
 * an instance with another API key secret said nothing and answered 401 to every key. Each row
 * is a sequence of store changes with the feed polled after each, on a fixed clock; the reports
 * the feed made are what is checked.
 */

const SECRET = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const bad = (name: string, roles: string[]) => JSON.stringify({ username: name, roles, hash: '$argon2id$x', disabled: false });
const { record } = newApiKey(SECRET, 'bot', ['trader'], undefined);
const bump: StoreWrite = { op: 'incr', key: DIRECTORY_KEYS.version };
const putUser = (name: string, value: string): StoreWrite[] => [{ op: 'hset', key: DIRECTORY_KEYS.users, field: name, value }, bump];
const fingerprint = (secret: string): StoreWrite[] => [{ op: 'hset', key: DIRECTORY_KEYS.keySecret, field: KEY_SECRET_FIELD, value: keySecretFingerprint(secret) }, bump];
const FULL_RELOAD = 30_000;

type Step = { writes?: StoreWrite[]; advanceMs?: number };
const rows: { why: string; steps: Step[]; reports: string[] }[] = [
  {
    why: 'a bad record is reported once, not again on the full reloads of an unchanged store',
    steps: [{ writes: putUser('bob2', bad('bob2', [''])) }, { advanceMs: FULL_RELOAD }, { advanceMs: FULL_RELOAD }, { writes: [bump] }],
    reports: ['bad-record: store directory record "bob2" is not valid; left out'],
  },
  {
    why: 'changed to another bad value, it is reported again',
    steps: [{ writes: putUser('bob2', bad('bob2', [''])) }, { writes: putUser('bob2', bad('bob2', ['x'.repeat(100_000)])) }],
    reports: ['bad-record: store directory record "bob2" is not valid; left out', 'bad-record: store directory record "bob2" is not valid; left out'],
  },
  {
    why: 'fixed, then bad again: reported again',
    steps: [{ writes: putUser('bob2', bad('bob2', [''])) }, { writes: putUser('bob2', bad('bob2', ['trader']).replace('$argon2id$x', '$argon2id$y')) }, { writes: putUser('bob2', bad('bob2', [''])) }],
    reports: ['bad-record: store directory record "bob2" is not valid; left out', 'bad-record: store directory record "bob2" is not valid; left out'],
  },
  {
    why: 'the store\'s keys made with this secret: nothing reported',
    steps: [{ writes: fingerprint(SECRET) }, { advanceMs: FULL_RELOAD }],
    reports: [],
  },
  {
    why: 'no fingerprint stored (no key made since): nothing reported',
    steps: [{ writes: [bump] }],
    reports: [],
  },
  {
    why: 'another secret\'s fingerprint: reported once, not on every reload',
    steps: [{ writes: fingerprint(OTHER) }, { advanceMs: FULL_RELOAD }, { writes: [bump] }],
    reports: ['key-secret-mismatch'],
  },
];
for (const row of rows) {
  test(`store directory reports: ${row.why}`, async () => {
    const store = createMemoryStore();
    await store.multi([{ op: 'hset', key: DIRECTORY_KEYS.keys, field: record.id, value: JSON.stringify(record) }, bump]);
    let now = 1_000_000;
    const reports: string[] = [];
    const feed = await startStoreDirectoryFeed(store, {
      users: true, keys: true, useStale: false, now: () => now, pollMs: 86_400_000,
      keySecretFingerprint: keySecretFingerprint(SECRET),
      report: (e, d) => reports.push(e === 'key-secret-mismatch' ? e : `${e}: ${d}`),
    });
    try {
      for (const step of row.steps) {
        if (step.writes) await store.multi(step.writes);
        now += step.advanceMs ?? 0;
        await feed.refresh();
      }
      assert.deepEqual(reports, row.reports);
    } finally {
      feed.close();
      await store.close();
    }
  });
}

test('the mismatch report names the problem, never the secret or a fingerprint', async () => {
  const store = createMemoryStore();
  await store.multi(fingerprint(OTHER));
  const details: string[] = [];
  const feed = await startStoreDirectoryFeed(store, { users: false, keys: true, useStale: false, now: () => 0, pollMs: 86_400_000, keySecretFingerprint: keySecretFingerprint(SECRET), report: (_e, d) => details.push(d) });
  feed.close();
  await store.close();
  assert.equal(details.length, 1);
  assert.match(details[0]!, /auth\.apiKeys\.secret is not the secret the store's API keys were made with/);
  for (const s of [SECRET, OTHER, keySecretFingerprint(SECRET), keySecretFingerprint(OTHER)]) assert.ok(!details[0]!.includes(s));
});

const claimRows: { why: string; before: string | null; keysExist: boolean; secret: string; claim: string; after: string | null }[] = [
  { why: 'an empty store takes the first secret', before: null, keysExist: false, secret: SECRET, claim: 'mine', after: SECRET },
  { why: 'the same secret again', before: SECRET, keysExist: true, secret: SECRET, claim: 'mine', after: SECRET },
  { why: 'another secret is refused and leaves the stored one', before: SECRET, keysExist: true, secret: OTHER, claim: 'other', after: SECRET },
  // Keys from before fingerprints: a wrong secret recorded first would lock out the right one.
  { why: 'keys without a fingerprint: nothing recorded, nothing to go by', before: null, keysExist: true, secret: OTHER, claim: 'unchecked', after: null },
];
for (const row of claimRows) {
  test(`claimKeySecret: ${row.why}`, async () => {
    const store: Store = createMemoryStore();
    if (row.before) await store.multi(fingerprint(row.before));
    assert.equal(await claimKeySecret(store, row.secret, row.keysExist), row.claim);
    assert.equal((await store.hashGetAll(DIRECTORY_KEYS.keySecret)).get(KEY_SECRET_FIELD)?.toString(), row.after === null ? undefined : keySecretFingerprint(row.after));
    await store.close();
  });
}
