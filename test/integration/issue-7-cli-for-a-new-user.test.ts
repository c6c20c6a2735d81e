import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { authConfig, makeAuthFiles, type AuthFiles } from '../helpers/auth-fixture.js';
import { BASE_CONFIG } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

// Issue 7: what a new operator meets first in the CLI.
const SECRETS = { JWT_SECRET: 'j'.repeat(40), API_KEY_SECRET: 'k'.repeat(40) };

test('--version and `version` print the package.json version', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['version']]) {
    const out = await gatewayCli(args);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `${version}\n`);
  }
});

describe('check counts the routes the file declares apart from the built-in ones', () => {
  test('the demo config: its routes, plus the probes and the token endpoints', async () => {
    const file = join(ROOT, 'config/gateway.yaml');
    const declared = readFileSync(file, 'utf8').match(/^ {2}- id: /gm)?.length;
    // check also wants the users file to exist; `npm start` makes the demo's in .demo/.
    const usersFile = join(tempDir('gw-check-'), 'users.yaml');
    writeFileSync(usersFile, 'users: []\n');
    const out = await gatewayCli(['check', '--config', 'config/gateway.yaml'], { env: { ...SECRETS, GATEWAY_USERS_FILE: usersFile }, cwd: ROOT });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `config/gateway.yaml: ok (${declared} routes, plus 3 built-in: /healthz, /readyz, /api/auth/*)\n`);
  });

  test('without auth there are no token endpoints', async () => {
    const dir = tempDir('gw-check-');
    writeFileSync(join(dir, 'gateway.yaml'), BASE_CONFIG);
    const out = await gatewayCli(['check', '--config', 'gateway.yaml'], { env: { UPSTREAM_URL: 'http://127.0.0.1:1' }, cwd: dir });
    assert.equal(out.stdout, `gateway.yaml: ok (${BASE_CONFIG.match(/^ {2}- id: /gm)?.length} routes, plus 2 built-in: /healthz, /readyz)\n`);
  });
});

describe('a --role that no route names is warned about, and still granted', () => {
  let files: AuthFiles;
  let config: string;
  before(async () => {
    files = await makeAuthFiles();
    config = join(files.dir, 'gateway.yaml');
    writeFileSync(config, authConfig(files));
  });
  const env = { UPSTREAM_URL: 'http://127.0.0.1:1' };

  test('users add', async () => {
    const out = await gatewayCli(['users', 'add', 'dana', '--role', 'trader', '--role', 'tradr', '--config', config], { input: 'dana-password-123\n', env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^added dana \(trader, tradr\)$/m);
    assert.equal(out.stderr, `gateway users: warning: no route in ${config} names role "tradr"; it reaches only routes open to any authenticated caller\n`);
  });

  test('keys create', async () => {
    const out = await gatewayCli(['keys', 'create', '--name', 'feed', '--role', 'viewer', '--role', 'ghost', '--config', config], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^gwk_/);
    assert.match(out.stderr, /^gateway keys: warning: no route in .* names role "ghost";/m);
    assert.doesNotMatch(out.stderr, /"viewer"/);
  });

  test('no warning without --config: there are no routes to compare with', async () => {
    const out = await gatewayCli(['users', 'add', 'erin', '--role', 'anything', '--users-file', files.usersFile], { input: 'erin-password-123\n' });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr, '');
  });

  test('keys list needs no key secret', async () => {
    const out = await gatewayCli(['keys', 'list', '--keys-file', files.keysFile], { env: { API_KEY_SECRET: '' } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^trading-bot\t/m);
  });
});

describe('the demo config without its secrets exported', () => {
  let files: AuthFiles;
  let env: Record<string, string>;
  before(async () => {
    files = await makeAuthFiles();
    // What a new operator's shell has: the file paths, but neither JWT_SECRET nor API_KEY_SECRET.
    env = { GATEWAY_USERS_FILE: files.usersFile, GATEWAY_KEYS_FILE: files.keysFile, JWT_SECRET: '', API_KEY_SECRET: '' };
  });

  test('users list and keys list work: they read no secret', async () => {
    const users = await gatewayCli(['users', 'list', '--config', 'config/gateway.yaml'], { env, cwd: ROOT });
    assert.equal(users.code, 0, users.stderr);
    assert.match(users.stdout, /^alice\b/m);
    const keys = await gatewayCli(['keys', 'list', '--config', 'config/gateway.yaml'], { env, cwd: ROOT });
    assert.equal(keys.code, 0, keys.stderr);
    assert.match(keys.stdout, /^trading-bot\t/m);
  });

  test('keys revoke works too; keys create says which secret it needs and where the demo keeps it', async () => {
    const revoke = await gatewayCli(['keys', 'revoke', 'temp-bot', '--config', 'config/gateway.yaml'], { env, cwd: ROOT });
    assert.equal(revoke.code, 0, revoke.stderr);
    const create = await gatewayCli(['keys', 'create', '--name', 'x', '--role', 'viewer', '--config', 'config/gateway.yaml'], { env, cwd: ROOT });
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /API_KEY_SECRET.*\.demo\/secrets\.json/);
  });

  test('check names the unset variables', async () => {
    const out = await gatewayCli(['check', '--config', 'config/gateway.yaml'], { env, cwd: ROOT });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /JWT_SECRET/);
    assert.match(out.stderr, /API_KEY_SECRET/);
  });
});
