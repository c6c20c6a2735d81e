import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { bearer, login, makeAuthFiles, PASSWORDS, refreshWith, storeDirectoryConfig as storeConfig, type AuthFiles } from '../helpers/auth-fixture.js';
import { gatewayCli, type CliResult } from '../helpers/gateway-cli.js';
import { startPairOnRedis, stopPair, type GatewayHandle, type SharedPair } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9: users and API keys in the shared store (auth.users / auth.apiKeys { source: store }),
 * edited by the CLI, seen by two instances on one real Redis without a shared volume. The bounds
 * given to waitUntil only keep a broken run from hanging; the measured times are reported as
 * diagnostics, never asserted.
 */

/** Every key in Redis with its value, whatever its type (the helper's dump reads strings only). */
function dumpEverything(port: number): string {
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'latin1' });
  return cli('--scan').split('\n').filter(Boolean).map((key) => {
    const type = cli('TYPE', key).trim();
    const value = type === 'hash' ? cli('HGETALL', key) : type === 'string' ? cli('GET', key) : `(${type})`;
    return `${key} ${value}`;
  }).join('\n');
}

/** Milliseconds until `condition` holds on both instances (reported, not asserted). */
async function propagation(a: GatewayHandle, b: GatewayHandle, condition: (gw: GatewayHandle) => Promise<boolean>, what: string): Promise<number> {
  const start = performance.now();
  await Promise.all([a, b].map((gw) => waitUntil(() => condition(gw), `${what} (${gw === a ? 'a' : 'b'})`, 2000)));
  return Math.round(performance.now() - start);
}

describe('users and API keys in the shared store, two instances on one Redis', () => {
  let pair: SharedPair;
  let a: GatewayHandle;
  let b: GatewayHandle;
  let files: AuthFiles;
  let cli: (args: string[], input?: string) => Promise<CliResult>;
  before(async () => {
    files = await makeAuthFiles();
    pair = await startPairOnRedis((store) => storeConfig(files, store));
    ({ a, b } = pair);
    cli = (args, input) => gatewayCli([...args, '--config', a.configFile], { input, env: { UPSTREAM_URL: pair.mock.url } });
  });
  after(() => stopPair(pair));

  const keyStatus = async (gw: GatewayHandle, key: string) => (await gw.request('/api/portfolio', { headers: { 'X-API-Key': key } })).status;

  test('a key created by the CLI works on both instances; revoked, both refuse it', async (t) => {
    const created = await cli(['keys', 'create', '--name', 'shared-bot', '--role', 'trader']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^gwk_/);
    t.diagnostic(`created key accepted by both after ${await propagation(a, b, async (gw) => await keyStatus(gw, key) === 200, 'the new key works')} ms`);
    const listed = await cli(['keys', 'list']);
    assert.match(listed.stdout, /^shared-bot\tgwk_[a-z0-9]{12}_…\ttrader\t/m);
    assert.ok(!listed.stdout.includes(key), 'list never shows the key');

    const revoked = await cli(['keys', 'revoke', 'shared-bot']);
    assert.equal(revoked.code, 0, revoked.stderr);
    t.diagnostic(`revoked key refused by both after ${await propagation(a, b, async (gw) => await keyStatus(gw, key) === 401, 'the revoked key is refused')} ms`);
    assert.equal((await cli(['keys', 'revoke', 'shared-bot'])).code, 2, 'a second revoke finds no key');
  });

  test('a user added by the CLI logs in on both; a new password refuses the old one and ends its sessions', async (t) => {
    const added = await cli(['users', 'add', 'dave', '--role', 'trader'], 'dave-password-1234\n');
    assert.equal(added.code, 0, added.stderr);
    t.diagnostic(`added user logs in on both after ${await propagation(a, b, async (gw) => (await login(gw, 'dave', 'dave-password-1234')).status === 200, 'dave logs in')} ms`);
    assert.equal((await cli(['users', 'add', 'dave', '--role', 'trader'], 'dave-password-1234\n')).code, 2, 'the name is taken');
    const before = (await login(a, 'dave', 'dave-password-1234')).json<{ access_token: string; refresh_token: string }>();
    assert.equal((await b.request('/api/portfolio', { headers: bearer(before.access_token) })).status, 200);

    const changed = await cli(['users', 'passwd', 'dave'], 'dave-new-password-99\n');
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /every session opened with the old one has ended, on every instance/);
    // Ended at once: the cut-off is written before the command returns.
    for (const gw of [a, b]) assert.equal((await gw.request('/api/portfolio', { headers: bearer(before.access_token) })).status, 401, 'the old access token');
    assert.equal((await refreshWith(b, before.refresh_token)).status, 401, 'the old refresh token');
    t.diagnostic(`old password refused by both after ${await propagation(a, b, async (gw) => (await login(gw, 'dave', 'dave-password-1234')).status === 401, 'the old password is refused')} ms`);
    // Tokens from a login in the cut-off's margin end too; past it, the new password opens a lasting session.
    await waitUntil(async () => {
      const res = await login(b, 'dave', 'dave-new-password-99');
      return res.status === 200 && (await a.request('/api/portfolio', { headers: bearer(res.json<{ access_token: string }>().access_token) })).status === 200;
    }, 'the new password opens a session that works on the other instance', 10_000);
  });

  test('a removed user can no longer log in, and their tokens are refused on both at once', async (t) => {
    assert.equal((await cli(['users', 'add', 'erin', '--role', 'viewer'], 'erin-password-5678\n')).code, 0);
    await waitUntil(async () => (await login(b, 'erin', 'erin-password-5678')).status === 200, 'erin exists on b', 2000);
    const tokens = (await login(b, 'erin', 'erin-password-5678')).json<{ access_token: string }>();
    const removed = await cli(['users', 'remove', 'erin']);
    assert.equal(removed.code, 0, removed.stderr);
    for (const gw of [a, b]) assert.equal((await gw.request('/api/portfolio', { headers: bearer(tokens.access_token) })).status, 401, 'the access token');
    t.diagnostic(`removed user refused by both after ${await propagation(a, b, async (gw) => (await login(gw, 'erin', 'erin-password-5678')).status === 401, 'erin cannot log in')} ms`);
    const list = await cli(['users', 'list']);
    assert.doesNotMatch(list.stdout, /^erin\t/m);
    assert.match(list.stdout, /^dave\ttrader$/m);
  });

  test('import moves a file\'s keys and users into the store: the file\'s key and passwords work; clashes need --replace', async () => {
    const keys = await cli(['keys', 'import', files.keysFile]);
    assert.equal(keys.code, 0, keys.stderr);
    assert.match(keys.stdout, /imported 3 keys from /);
    const users = await cli(['users', 'import', files.usersFile]);
    assert.equal(users.code, 0, users.stderr);
    assert.match(users.stdout, /imported 4 users from /);
    await waitUntil(async () => await keyStatus(a, files.keys.trader) === 200 && await keyStatus(b, files.keys.trader) === 200, 'the file\'s key works on both', 2000);
    assert.equal(await keyStatus(a, files.keys.expired), 401, 'an expired key stays expired');
    await waitUntil(async () => (await login(a, 'alice', PASSWORDS.alice)).status === 200, 'alice from the file logs in', 2000);

    const again = await cli(['keys', 'import', files.keysFile]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already has "old-bot", "temp-bot", "trading-bot"; nothing imported \(--replace/);
    const usersAgain = await cli(['users', 'import', files.usersFile]);
    assert.equal(usersAgain.code, 2);
    assert.match(usersAgain.stderr, /already has .*"alice".*nothing imported/);
    const replaced = await cli(['keys', 'import', files.keysFile, '--replace']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, /imported 3 keys .*\(3 replaced\)/);
    assert.equal((await cli(['keys', 'list'])).stdout.split('\n').filter((l) => l.startsWith('trading-bot\t')).length, 1, 'replaced, not doubled');
    assert.equal(await keyStatus(b, files.keys.trader), 200);
  });

  test('a reload that changes auth builds the new directory before switching: keys work at once, later changes are still seen', async () => {
    a.writeConfig(readFileSync(a.configFile, 'utf8').replace('accessTtl: 5m', 'accessTtl: 6m'));
    const reloaded = await a.reload();
    assert.equal(reloaded.msg, 'config reloaded', JSON.stringify(reloaded));
    assert.equal(await keyStatus(a, files.keys.trader), 200, 'answered from the new directory\'s first read');
    const created = await cli(['keys', 'create', '--name', 'after-reload', '--role', 'trader']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    await waitUntil(async () => await keyStatus(a, key) === 200, 'a key made after the reload works', 2000);
    assert.equal((await cli(['keys', 'revoke', 'after-reload'])).code, 0);
    await waitUntil(async () => await keyStatus(a, key) === 401, 'and its revocation is seen', 2000);
  });

  test('nothing raw in Redis: only HMACs and argon2id hashes, no key and no password', async () => {
    const dump = dumpEverything(pair.redis.port);
    assert.match(dump, /auth:\{dir\}:keys/);
    assert.match(dump, /auth:\{dir\}:users/);
    assert.match(dump, /\$argon2id\$/);
    for (const secret of [files.keys.trader, files.keys.trader.slice('gwk_'.length + 13), 'dave-password-1234', 'dave-new-password-99', 'erin-password-5678', PASSWORDS.alice, PASSWORDS.root]) {
      assert.ok(!dump.includes(secret), 'a raw credential is in Redis');
    }
  });

  test('Redis not answering: key auth is 503 once the snapshot is stale, not 200; back to 200 when Redis answers', async (t) => {
    assert.equal(await keyStatus(a, files.keys.trader), 200);
    pair.redis.pause();
    try {
      const start = performance.now();
      // Each instance on its own last successful read: they go stale a few ms apart.
      await Promise.all([a, b].map((gw) => waitUntil(async () => {
        const res = await gw.request('/api/portfolio', { headers: { 'X-API-Key': files.keys.trader } });
        return res.status === 503 && res.json<{ code: string }>().code === 'auth.store_unavailable';
      }, 'the stale snapshot is no longer trusted', 10_000)));
      t.diagnostic(`key auth refused with 503 by both ${Math.round(performance.now() - start)} ms after Redis stopped answering`);
      const signIn = await login(b, 'alice', PASSWORDS.alice);
      assert.equal(signIn.status, 503, 'sign-in fails closed too');
    } finally {
      pair.redis.resume();
    }
    await waitUntil(async () => await keyStatus(a, files.keys.trader) === 200 && await keyStatus(b, files.keys.trader) === 200, 'key auth is back', 10_000);
  });

  test('Redis stopped: 503, the CLI says so without a stack or the URL; a fresh Redis takes the records again by import', async () => {
    await pair.redis.stop();
    try {
      await waitUntil(async () => await keyStatus(b, files.keys.trader) === 503, 'refused once stale', 10_000);
      const down = await cli(['keys', 'list']);
      assert.equal(down.code, 1);
      assert.match(down.stderr, /^gateway keys: the shared store \(store\.redis\) is not reachable/);
      assert.doesNotMatch(down.stderr, /redis:\/\/|\n\s+at /, 'no URL, no stack');
      const passwd = await cli(['users', 'passwd', 'alice'], 'alice-other-password-1\n');
      assert.equal(passwd.code, 1, 'nothing asked, nothing changed');
    } finally {
      pair.redis = await startRedis(pair.redis.port);
    }
    // This Redis kept nothing: the directory is empty until the files are imported again.
    await waitUntil(async () => await keyStatus(a, files.keys.trader) === 401, 'answered again, from an empty directory', 10_000);
    assert.equal((await cli(['keys', 'import', files.keysFile])).code, 0);
    await waitUntil(async () => await keyStatus(a, files.keys.trader) === 200 && await keyStatus(b, files.keys.trader) === 200, 'the imported key works again', 2000);
  });
});
