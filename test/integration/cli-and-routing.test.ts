import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

const SECRETS = { JWT_SECRET: 'j'.repeat(40), API_KEY_SECRET: 'k'.repeat(40) };

describe('gateway CLI', () => {
  test('--help lists the commands', async () => {
    const out = await gatewayCli(['--help']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /gateway serve --config FILE/);
    assert.match(out.stdout, /gateway check --config FILE/);
  });

  test('check: the shipped config is valid', async () => {
    // check also wants the files it names; `npm start` makes the demo's users file in .demo/.
    const usersFile = join(tempDir('gw-check-'), 'users.yaml');
    writeFileSync(usersFile, 'users: []\n');
    const out = await gatewayCli(['check', '--config', join(ROOT, 'config/gateway.yaml')], { env: { ...SECRETS, GATEWAY_USERS_FILE: usersFile } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /ok \(\d+ routes, plus \d+ built-in: /);
  });

  test('check: the production example is valid once its variables are set', async () => {
    // check wants the certificate, key and users files to exist; their content is serve's to read.
    const dir = tempDir('gw-check-');
    for (const f of ['cert.pem', 'key.pem', 'users.yaml']) writeFileSync(join(dir, f), '');
    const env = { ...SECRETS, TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem'), UPSTREAM_URL: 'http://backend:8000', REDIS_URL: 'redis://redis:6379', GATEWAY_USERS_FILE: join(dir, 'users.yaml'), GATEWAY_KEYS_FILE: '/etc/gw/keys.yaml' };
    const out = await gatewayCli(['check', '--config', join(ROOT, 'config/production.example.yaml')], { env });
    assert.equal(out.code, 0, out.stderr);
    const missing = await gatewayCli(['check', '--config', join(ROOT, 'config/production.example.yaml')], { env: { ...env, REDIS_URL: '' } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /store\.redis\.url: environment variable REDIS_URL is not set/);
  });

  test('check: every error with file:line:col, exit 1', async () => {
    const dir = tempDir('gw-check-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, BASE_CONFIG.replace('headersTimeout: 2s', 'headersTimeout: soon').replace('bodyLimit: 64kb', 'bodyLimit: huge').replace('level: info', 'level: info\n  colour: red'));
    const out = await gatewayCli(['check', '--config', file], { env: { UPSTREAM_URL: 'http://127.0.0.1:8000' } });
    assert.equal(out.code, 1);
    const lines = out.stderr.trim().split('\n');
    assert.equal(lines.length, 3, out.stderr);
    assert.match(out.stderr, /bad\.yaml:10:19 upstream\.headersTimeout: expected a duration like "30s", got "soon"/);
    assert.match(out.stderr, /bad\.yaml:14:3 log\.colour: unknown key "colour"/);
    assert.match(out.stderr, /bad\.yaml:\d+:16 routes\[3\]\.bodyLimit: expected a size/);
  });

  test('unknown command and missing --config are usage errors', async () => {
    assert.equal((await gatewayCli(['frobnicate'])).code, 2);
    assert.equal((await gatewayCli(['check'])).code, 2);
  });
});

describe('route precedence through the gateway', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: `${BASE_CONFIG}  - id: orders-by-id
    auth: none
    path: /api/trading/orders/:id
    methods: [GET]
    headers: { response: { set: { X-Route: pattern } } }
  - id: trading-prefix
    auth: none
    prefix: /api/trading
    headers: { response: { set: { X-Route: prefix } } }
  - id: orders-latest
    auth: none
    path: /api/trading/orders/latest
    methods: [GET]
    headers: { response: { set: { X-Route: exact } } }
` })));
  after(() => stopAll(gw, mock));

  test('exact beats pattern beats prefix, whatever the file order', async () => {
    assert.equal((await gw.request('/api/trading/orders/latest')).headers['x-route'], 'exact');
    assert.equal((await gw.request('/api/trading/orders/42')).headers['x-route'], 'pattern');
    assert.equal((await gw.request('/api/trading/positions')).headers['x-route'], 'prefix');
  });

  test('HEAD works where GET does; an unknown path is a 404 problem; a wrong method is 405 with Allow', async () => {
    const head = await gw.request('/api/dashboard/risk', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const missing = await gw.request('/nothing/here');
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ code: string }>().code, 'route.not_found');
    const wrong = await gw.request('/api/dashboard/risk', { method: 'POST', body: '{}' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
  });
});

describe('gateway users and keys', () => {
  const cli = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) => gatewayCli(args, { input, env });

  test('users add/list/passwd/remove edit the file; passwords come from stdin, only argon2id hashes are stored', async () => {
    const dir = tempDir('gw-users-');
    const file = join(dir, 'users.yaml');
    assert.equal((await cli(['users', 'add', 'dana', '--role', 'trader', '--role', 'viewer', '--users-file', file], 'first-password-123\n')).code, 0);
    const stored = readFileSync(file, 'utf8');
    // OWASP parameters, in whatever order the argon2 version writes them.
    assert.match(stored, /\$argon2id\$v=19\$(?=[^$]*m=19456)(?=[^$]*t=2)(?=[^$]*p=1)[^$]*\$/);
    assert.doesNotMatch(stored, /first-password-123/);
    assert.match((await cli(['users', 'list', '--users-file', file])).stdout, /^dana\ttrader,viewer$/m);
    assert.equal((await cli(['users', 'add', 'dana', '--role', 'x', '--users-file', file], 'another-password-1\n')).code, 2, 'no duplicates');
    assert.equal((await cli(['users', 'add', 'erin', '--role', 'x', '--users-file', file], 'short\n')).code, 2, 'short passwords refused');
    const before = readFileSync(file, 'utf8');
    assert.equal((await cli(['users', 'passwd', 'dana', '--users-file', file], 'second-password-456\n')).code, 0);
    assert.notEqual(readFileSync(file, 'utf8'), before);
    assert.equal((await cli(['users', 'remove', 'dana', '--users-file', file])).code, 0);
    assert.equal((await cli(['users', 'list', '--users-file', file])).stdout, '');
  });

  test('keys create prints the key once and stores only its HMAC; list never shows it; revoke removes it', async () => {
    const dir = tempDir('gw-keys-');
    const file = join(dir, 'keys.yaml');
    const env = { API_KEY_SECRET: 's'.repeat(40) };
    const created = await cli(['keys', 'create', '--name', 'reporting', '--role', 'viewer', '--expires', '90d', '--keys-file', file], '', env);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^gwk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(file, 'utf8');
    assert.doesNotMatch(stored, new RegExp(key.split('_')[2]!.replace(/[-]/g, '\\-')));
    assert.match(stored, /hmac: [0-9a-f]{64}/);
    const listed = (await cli(['keys', 'list', '--keys-file', file], '', env)).stdout;
    assert.match(listed, /^reporting\tgwk_[a-z0-9]{12}_…\tviewer\tcreated .*\texpires /m);
    assert.ok(!listed.includes(key));
    assert.equal((await cli(['keys', 'create', '--name', 'x', '--role', 'v', '--keys-file', file], '', { API_KEY_SECRET: 'short' })).code, 2);
    assert.equal((await cli(['keys', 'revoke', 'reporting', '--keys-file', file], '', env)).code, 0);
    assert.equal((await cli(['keys', 'list', '--keys-file', file], '', env)).stdout, '');
  });
});
