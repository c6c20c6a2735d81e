import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { API_KEY_SECRET, login, makeAuthFiles, storeDirectoryConfig, type AuthFiles } from '../helpers/auth-fixture.js';
import { gatewayCli, type CliResult } from '../helpers/gateway-cli.js';
import { startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, outside review of users and keys in the store: the CLI wrote records every gateway
 * then left out (--role '', a 100 KB role, a 20 MB password from stdin), and an instance with
 * another API key secret on the same store started cleanly and answered 401 to every key.
 * One real Redis, one gateway with secret A, the CLI with configs A and B, then a gateway with B.
 */

/** store.redis.keyPrefix's default: what redis-cli sees before every key the gateway names. */
const P = 'gw:';
const OTHER_SECRET = 'other-api-key-secret-9876543210-zyxwvu';

describe('users and keys in the store: what the CLI writes, and which secret it writes with', () => {
  let redis: RedisHandle;
  let mock: MockHandle;
  let a: GatewayHandle;
  let b: GatewayHandle | undefined;
  let files: AuthFiles;
  let configA: string;
  let configB: string;
  let cliA: (args: string[], input?: string) => Promise<CliResult>;
  let cliB: (args: string[], input?: string) => Promise<CliResult>;
  const redisCli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(redis.port), '--raw', ...args], { encoding: 'utf8' });

  before(async () => {
    files = await makeAuthFiles();
    redis = await startRedis();
    mock = await startMock();
    const store = `store:\n  redis: { url: "${redis.url}" }\n`;
    configA = storeDirectoryConfig(files, store);
    configB = configA.replace(API_KEY_SECRET, OTHER_SECRET);
    assert.notEqual(configA, configB);
    a = await startGateway({ upstreamUrl: mock.url, config: configA });
    // B's config beside A's: the CLI with B is what an operator with the wrong secret runs.
    const bConfigFile = a.configFile.replace(/gateway\.yaml$/, 'gateway-b.yaml');
    writeFileSync(bConfigFile, configB);
    cliA = (args, input) => gatewayCli([...args, '--config', a.configFile], { input, env: { UPSTREAM_URL: mock.url } });
    cliB = (args, input) => gatewayCli([...args, '--config', bConfigFile], { input, env: { UPSTREAM_URL: mock.url } });
  });
  after(async () => {
    await b?.stop();
    await stopAll(a, mock);
    await redis.stop();
  });

  const keyStatus = async (gw: GatewayHandle, key: string) => (await gw.request('/api/portfolio', { headers: { 'X-API-Key': key } })).status;
  const storedUsers = () => redisCli('HKEYS', P + 'auth:{dir}:users').split('\n').filter(Boolean);

  const refusedRows: { why: string; args: string[]; input?: string; says: RegExp }[] = [
    { why: 'users add with an empty role', args: ['users', 'add', 'bob2', '--role', ''], input: 'bob2-password-12345\n', says: /^gateway users: --role "": a role name is 1-64 letters, digits/ },
    { why: 'users add with a 100 KB role', args: ['users', 'add', 'bob3', '--role', 'x'.repeat(100_000)], input: 'bob3-password-12345\n', says: /^gateway users: --role "x{40}"… \(100000 characters\)/ },
    { why: 'users add with a role beside an empty one', args: ['users', 'add', 'bob4', '--role', 'trader', '--role', ''], input: 'bob4-password-12345\n', says: /--role ""/ },
    { why: 'keys create with an empty role', args: ['keys', 'create', '--name', 'bot2', '--role', ''], says: /^gateway keys: --role "": a role name/ },
    { why: 'keys create expiring past what a date holds (was "Invalid time value", exit 1)', args: ['keys', 'create', '--name', 'bot3', '--role', 'trader', '--expires', '999999999d'], says: /^gateway keys: --expires: "999999999d" is further than a date can say/ },
    { why: 'users add with a 20 MB password on stdin', args: ['users', 'add', 'bob5', '--role', 'trader'], input: 'p'.repeat(20 * 1024 * 1024), says: /^gateway users: passwords are at most 1024 bytes/ },
  ];
  for (const row of refusedRows) {
    test(`refused with exit 2 and one line, nothing written: ${row.why}`, async () => {
      const before = redisCli('GET', P + 'auth:{dir}:version');
      const out = await cliA(row.args, row.input);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, row.says);
      assert.ok(out.stderr.length < 300, `a short message, got ${out.stderr.length} characters`);
      assert.equal(out.stdout, '');
      assert.equal(redisCli('GET', P + 'auth:{dir}:version'), before, 'the store was not written');
      assert.deepEqual(storedUsers().filter((u) => u.startsWith('bob')), []);
    });
  }

  test('a bad record put there by hand: listed as left out, logged once per change, removable', async () => {
    redisCli('HSET', P + 'auth:{dir}:users', 'bob2', JSON.stringify({ username: 'bob2', roles: [''], hash: '$argon2id$v=19$x', disabled: false }));
    redisCli('INCR', P + 'auth:{dir}:version');
    const badLines = () => a.logs().filter((l) => l.msg === 'store directory record "bob2" is not valid; left out');
    await waitUntil(() => badLines().length === 1, 'the gateway logs the bad record', 5000);
    // More changes that leave bob2 as it is: the instance reloads, and says nothing more of bob2.
    assert.equal((await cliA(['users', 'add', 'ivy', '--role', 'viewer'], 'ivy-password-123456\n')).code, 0);
    await waitUntil(async () => (await login(a, 'ivy', 'ivy-password-123456')).status === 200, 'ivy logs in', 5000);
    assert.equal(badLines().length, 1, 'logged once, not on every reload');

    const list = await cliA(['users', 'list']);
    assert.equal(list.code, 0);
    assert.doesNotMatch(list.stdout, /^bob2/m);
    assert.match(list.stderr, /left out by every gateway because they are not valid records: "bob2"/);
    assert.ok(!list.stderr.includes('argon2'), 'names, not values');
    assert.equal((await cliA(['users', 'remove', 'bob2'])).code, 0);
    assert.ok(!storedUsers().includes('bob2'));
  });

  test('the first key records the secret\'s fingerprint; a CLI with another secret is refused by create and import', async () => {
    const created = await cliA(['keys', 'create', '--name', 'bot-a', '--role', 'trader']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    await waitUntil(async () => await keyStatus(a, key) === 200, 'the key works on a', 5000);
    const stored = redisCli('HGETALL', P + 'auth:{dir}:keysecret');
    assert.match(stored, /^hmac-sha256\n[0-9a-f]{64}\n$/);
    assert.ok(!stored.includes(API_KEY_SECRET));

    for (const args of [['keys', 'create', '--name', 'bot-b', '--role', 'trader'], ['keys', 'import', files.keysFile]]) {
      const versionBefore = redisCli('GET', P + 'auth:{dir}:version');
      const out = await cliB(args);
      assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, /^gateway keys: the store's API keys were made with another secret than auth\.apiKeys\.secret here .*nothing written/);
      assert.equal(out.stdout, '', 'no key printed');
      assert.ok(!out.stderr.includes(OTHER_SECRET) && !out.stderr.includes(API_KEY_SECRET), 'no secret in the message');
      assert.equal(redisCli('GET', P + 'auth:{dir}:version'), versionBefore, 'nothing written');
      assert.equal(redisCli('HGETALL', P + 'auth:{dir}:keysecret'), stored, 'the stored fingerprint stays');
    }
    assert.doesNotMatch((await cliA(['keys', 'list'])).stdout, /bot-b/);
    // The commands that need no secret still work with B's config.
    assert.equal((await cliB(['keys', 'list'])).code, 0);
  });

  test('a gateway started with another secret logs the mismatch as an error, naming neither secret; a has none', async () => {
    b = await startGateway({ upstreamUrl: mock.url, config: configB });
    const mismatch = () => b!.logs().filter((l) => l.level === 'error' && l.problem === 'api_key_secret_mismatch');
    await waitUntil(() => mismatch().length === 1, 'b logs the mismatch', 5000);
    const line = JSON.stringify(mismatch()[0]);
    assert.match(line, /auth\.apiKeys\.secret is not the secret the store's API keys were made with/);
    for (const s of [API_KEY_SECRET, OTHER_SECRET]) assert.ok(!line.includes(s), 'no secret in the log');
    const key = (await cliA(['keys', 'create', '--name', 'bot-c', '--role', 'trader'])).stdout.trim();
    await waitUntil(async () => await keyStatus(a, key) === 200, 'a takes the new key', 5000);
    assert.equal(await keyStatus(b, key), 401, 'b cannot check keys made with a\'s secret (what the line explains)');
    assert.equal(mismatch().length, 1, 'b reloaded its directory without saying it again');
    assert.equal(a.logs().filter((l) => l.problem === 'api_key_secret_mismatch').length, 0);
  });
  // A second review: on a store whose keys had no fingerprint (made before it was kept), the first
  // CLI run recorded its secret, even a wrong one, and then locked out the operator with the right one.
  test('keys without a fingerprint: a CLI warns it cannot check, records nothing, and locks no one out', async () => {
    redisCli('DEL', P + 'auth:{dir}:keysecret');
    const wrong = await cliB(['keys', 'create', '--name', 'bot-old-b', '--role', 'trader']);
    assert.equal(wrong.code, 0, wrong.stderr);
    assert.match(wrong.stderr, /^warning: the store's API keys have no secret fingerprint .* none is recorded$/m);
    assert.equal(redisCli('EXISTS', P + 'auth:{dir}:keysecret').trim(), '0', 'no fingerprint recorded while keys exist');
    const right = await cliA(['keys', 'create', '--name', 'bot-old-a', '--role', 'trader']);
    assert.equal(right.code, 0, right.stderr);
    await waitUntil(async () => await keyStatus(a, right.stdout.trim()) === 200, 'the right secret\'s key works', 5000);
  });

  test('a write the store refuses for now (NOREPLICAS) is said as such, not as "not reachable"', async () => {
    redisCli('CONFIG', 'SET', 'min-replicas-to-write', '1');
    try {
      for (const [args, input] of [[['keys', 'create', '--name', 'bot-norep', '--role', 'trader']], [['users', 'add', 'norep', '--role', 'trader'], 'norep-password-12345\n']] as [string[], string?][]) {
        const out = await cliA(args, input);
        assert.equal(out.code, 1, out.stderr);
        assert.match(out.stderr, /the shared store answered NOREPLICAS: a failover is under way, or the primary has fewer replicas in sync than its min-replicas-to-write; the command did not complete/);
      }
    } finally {
      redisCli('CONFIG', 'SET', 'min-replicas-to-write', '0');
    }
  });
});
