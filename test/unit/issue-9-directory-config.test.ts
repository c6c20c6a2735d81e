import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, SECRET, VALID } from './config-fixture.js';

/** auth.users / auth.apiKeys: a file (the single-instance default) or the shared store. */

const REDIS = 'store:\n  redis: { url: "redis://127.0.0.1:6379" }\n';
const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
const withAuth = (lines: string, store = REDIS) => `${VALID}  - id: c
    path: /api/c
    auth: required
auth:
  jwt: { secret: "\${JWT_SECRET}" }
${lines}${store}`;

const accepted: { yaml: string; users?: unknown; apiKeys?: unknown; why: string }[] = [
  { yaml: withAuth('  users: { file: users.yaml }\n', ''), users: { source: 'file', file: `${process.cwd()}/users.yaml` }, why: 'a file, as before, with the memory store' },
  { yaml: withAuth('  users: { source: file, file: users.yaml }\n', ''), users: { source: 'file', file: `${process.cwd()}/users.yaml` }, why: 'source: file said out loud' },
  { yaml: withAuth('  users: { source: store }\n'), users: { source: 'store' }, why: 'users in the store, with Redis' },
  { yaml: withAuth('  apiKeys: { source: store, secret: "${API_KEY_SECRET}" }\n'), apiKeys: { source: 'store', secret: SECRET }, why: 'keys in the store keep their secret' },
  { yaml: withAuth('  users: { source: store }\n  apiKeys: { file: keys.yaml, secret: "${API_KEY_SECRET}" }\n'), users: { source: 'store' }, apiKeys: { source: 'file', file: `${process.cwd()}/keys.yaml`, secret: SECRET }, why: 'users in the store, keys in a file' },
];
for (const row of accepted) {
  test(`directory source accepted: ${row.why}`, () => {
    const auth = parseConfigText(row.yaml, 'gw.yaml', ENV).auth;
    if ('users' in row) assert.deepEqual(auth?.users, row.users);
    if ('apiKeys' in row) assert.deepEqual(auth?.apiKeys, row.apiKeys);
  });
}

const refused: { yaml: string; error: RegExp; why: string }[] = [
  { yaml: withAuth('  users: { source: store }\n', ''), error: /auth\.users\.source: source: store needs a shared store \(store\.redis\)/, why: 'users in the in-memory store: no other instance nor the CLI could reach them' },
  { yaml: withAuth('  apiKeys: { source: store, secret: "${API_KEY_SECRET}" }\n', ''), error: /auth\.apiKeys\.source: .*needs a shared store/, why: 'keys in the in-memory store' },
  { yaml: withAuth('  users: { source: store }\n', 'store:\n  redis: { url: "" }\n'), error: /needs a shared store/, why: 'an empty REDIS_URL is the memory store' },
  { yaml: withAuth('  users: { source: store, file: users.yaml }\n'), error: /auth\.users\.file: a file has no use with source: store.*gateway users import users\.yaml/, why: 'a file beside source: store points at import' },
  { yaml: withAuth('  apiKeys: { source: store, file: k.yaml, secret: "${API_KEY_SECRET}" }\n'), error: /auth\.apiKeys\.file: .*gateway keys import k\.yaml/, why: 'the same for keys' },
  { yaml: withAuth('  users: {}\n'), error: /auth\.users: expected file: PATH .* or source: store/, why: 'neither a file nor the store' },
  { yaml: withAuth('  users: { source: file }\n'), error: /auth\.users: expected file: PATH/, why: 'source: file without the file' },
  { yaml: withAuth('  users: { source: redis }\n'), error: /auth\.users\.source/, why: 'an unknown source' },
  { yaml: withAuth('  apiKeys: { source: store }\n'), error: /auth\.apiKeys\.secret/, why: 'keys in the store still need the secret their HMACs are made with' },
];
for (const row of refused) {
  test(`directory source refused: ${row.why}`, () => {
    const errors = errorsOf(row.yaml, ENV);
    assert.ok(errors.some((e) => row.error.test(e)), errors.join('\n'));
  });
}
