import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { API_KEY_SECRET, authConfig, makeAuthFiles } from '../helpers/auth-fixture.js';
import { BASE_CONFIG } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Issue 7: what `check`, `users` and `keys` said (or did not say) about files and arguments.
const ENV = { UPSTREAM_URL: 'http://127.0.0.1:1', JWT_SECRET: 'j'.repeat(40), API_KEY_SECRET };

describe('check', () => {
  test('a users file that does not exist is an error at its entry, naming the file', async () => {
    const files = await makeAuthFiles();
    const missing = join(files.dir, 'no-such-users.yaml');
    const config = join(tempDir('gw-cli-msg-'), 'gateway.yaml');
    writeFileSync(config, authConfig({ ...files, usersFile: missing }));
    const out = await gatewayCli(['check', '--config', config], { env: ENV });
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stderr, new RegExp(`^${config}:\\d+:\\d+ auth\\.users\\.file: ${missing} does not exist`));
  });

  test('tls.mode files with a certificate and key that do not exist: both named', async () => {
    const dir = tempDir('gw-cli-msg-');
    writeFileSync(join(dir, 'gateway.yaml'), BASE_CONFIG.replace('  mode: self-signed\n', '  mode: files\n  cert: certs/c.pem\n  key: certs/k.pem\n'));
    const out = await gatewayCli(['check', '--config', 'gateway.yaml'], { env: ENV, cwd: dir });
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stderr, new RegExp(`^gateway\\.yaml:\\d+:\\d+ tls\\.cert: ${join(dir, 'certs/c.pem')} does not exist$`, 'm'));
    assert.match(out.stderr, new RegExp(`^gateway\\.yaml:\\d+:\\d+ tls\\.key: ${join(dir, 'certs/k.pem')} does not exist$`, 'm'));
  });

  test('an absolute config path is printed as given, not relative to the working directory', async () => {
    const dir = tempDir('gw-cli-msg-');
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, BASE_CONFIG.replace('connectTimeout: 1s', 'connectTimeout: soon'));
    const bad = await gatewayCli(['check', '--config', config], { env: ENV, cwd: '/' });
    assert.match(bad.stderr, new RegExp(`^${config}:\\d+:\\d+ upstream\\.connectTimeout: expected a duration`));
    const none = await gatewayCli(['check', '--config', join(dir, 'nonexistent.yaml')], { env: ENV, cwd: '/' });
    assert.equal(none.stderr, `${join(dir, 'nonexistent.yaml')}:1:1 cannot read file: it does not exist\n`);
  });
});

describe('users and keys', () => {
  test('list on a file that does not exist says so on stderr, and exits 0', async () => {
    const dir = tempDir('gw-cli-msg-');
    const users = await gatewayCli(['users', 'list', '--users-file', join(dir, 'users.yaml')]);
    assert.equal(users.code, 0);
    assert.equal(users.stdout, '');
    assert.match(users.stderr, new RegExp(`${join(dir, 'users.yaml')} does not exist yet`));
    const keys = await gatewayCli(['keys', 'list', '--keys-file', join(dir, 'keys.yaml')]);
    assert.equal(keys.code, 0);
    assert.match(keys.stderr, new RegExp(`${join(dir, 'keys.yaml')} does not exist yet; "gateway keys create" creates it`));
  });

  test('keys create refuses --expires 0d (a key expired when made) and says what a name may be', async () => {
    const file = join(tempDir('gw-cli-msg-'), 'keys.yaml');
    const zero = await gatewayCli(['keys', 'create', '--name', 'bot', '--role', 'trader', '--expires', '0d', '--keys-file', file], { env: ENV });
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--expires: expected a duration above zero/);
    assert.equal(zero.stdout, '');
    const spaced = await gatewayCli(['keys', 'create', '--name', 'a b', '--role', 'trader', '--keys-file', file], { env: ENV });
    assert.equal(spaced.code, 2);
    assert.match(spaced.stderr, /key names are 1-64 of letters, digits/);
  });

  test('--help says only check, serve and keys create need the secrets', async () => {
    const out = await gatewayCli(['--help']);
    assert.match(out.stdout, /check, serve and keys create need every secret FILE names/);
    assert.ok(!/every variable FILE names must be set/.test(out.stdout));
  });
});
