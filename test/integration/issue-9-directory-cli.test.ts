import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Issue 9: the CLI's side of users and keys in the store (auth.users|apiKeys { source: store }). */

const SECRET = 'k'.repeat(40);
const config = (store: string) => `listeners:
  https: { host: 127.0.0.1, port: 0 }
tls: { mode: self-signed }
upstream: { url: "http://127.0.0.1:9" }
routes:
  - id: a
    path: /a
    auth: required
auth:
  jwt: { secret: "${'j'.repeat(40)}" }
  users: { source: store }
  apiKeys: { source: store, secret: "${SECRET}" }
${store}`;

function writeConfig(text: string): string {
  const file = join(tempDir('gw-dir-cli-'), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

describe('gateway users|keys with the store', () => {
  test('--help names import and source: store', async () => {
    const out = await gatewayCli(['--help']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /gateway users import FILE \[--replace\]/);
    assert.match(out.stdout, /gateway keys import FILE \[--replace\]/);
    assert.match(out.stdout, /\{ source: store \}/);
  });

  test('Redis unreachable: one line, exit 1, neither the URL (with its password) nor a stack', async () => {
    const port = await freePort(); // nothing listens there
    const file = writeConfig(config(`store:\n  redis: { url: "redis://:sekret-redis-pw@127.0.0.1:${port}", connectTimeout: 500ms }\n`));
    for (const args of [['users', 'list'], ['keys', 'list'], ['keys', 'revoke', 'bot'], ['users', 'remove', 'ann']]) {
      const out = await gatewayCli([...args, '--config', file]);
      assert.equal(out.code, 1, `${args.join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, /^gateway (users|keys): the shared store \(store\.redis\) is not reachable or not answering, so the command did not complete\. Check that Redis runs and that REDIS_URL \/ store\.redis names it\n$/);
      assert.ok(!out.stderr.includes('sekret-redis-pw') && !out.stderr.includes(String(port)), 'no URL, no password');
    }
  });

  test('source: store with the in-memory store is refused, by check and by the commands', async () => {
    const file = writeConfig(config(''));
    const check = await gatewayCli(['check', '--config', file]);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /auth\.users\.source: source: store needs a shared store \(store\.redis\)/);
    assert.match(check.stderr, /auth\.apiKeys\.source: source: store needs a shared store/);
    const list = await gatewayCli(['keys', 'list', '--config', file]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /needs a shared store/);
  });

  test('import needs the store as its target and a file to read', async () => {
    const dir = tempDir('gw-dir-cli-');
    const keysFile = join(dir, 'keys.yaml');
    writeFileSync(keysFile, 'keys: []\n');
    const intoFile = await gatewayCli(['keys', 'import', keysFile, '--keys-file', join(dir, 'other.yaml')]);
    assert.equal(intoFile.code, 2);
    assert.match(intoFile.stderr, /keys import moves a keys file into the store: --config FILE must say auth\.apiKeys: \{ source: store/);
    const usersIntoFile = await gatewayCli(['users', 'import', keysFile, '--users-file', join(dir, 'users.yaml')]);
    assert.equal(usersIntoFile.code, 2);
    assert.match(usersIntoFile.stderr, /users import moves a users file into the store/);
    const noFile = await gatewayCli(['keys', 'import', '--keys-file', join(dir, 'other.yaml')]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /gateway keys import FILE \[--replace\] --config FILE/);
  });
});
