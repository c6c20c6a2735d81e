import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, formatIssue } from '../../gateway/config/config-error.js';
import { loadConfig, parseConfigText } from '../../gateway/config/load-config.js';
import { tempDir } from '../helpers/temp-dir.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

// Issue 7: config messages that named a type instead of the form to write, or said nothing useful.
const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
const cases: { why: string; text: string; says: RegExp; env?: Record<string, string> }[] = [
  {
    why: 'roles: [] says a role is needed, not that a list is',
    text: WITH_AUTH.replace('    auth: required\n', '    auth: { mode: required, roles: [] }\n'),
    env: ENV,
    says: /routes\[2\]\.auth\.roles: expected at least one role, like \[trader, admin\]/,
  },
  { why: 'websocket: yes names true or false', text: VALID.replace('    auth: none\n', '    auth: none\n    websocket: yes\n'), says: /routes\[0\]\.websocket: expected true or false, got "yes"/ },
  { why: 'a boolean elsewhere too (upstream.preserveHost)', text: VALID.replace('upstream:\n', 'upstream:\n  preserveHost: "no"\n'), says: /upstream\.preserveHost: expected true or false, got "no"/ },
  { why: 'a port that is a word names the range', text: VALID.replace('port: 8443', 'port: abc'), says: /listeners\.https\.port: expected a port number 0-65535, got "abc"/ },
  {
    why: 'points that are a word name a whole number',
    text: `${VALID}rateLimits:\n  policies:\n    p: { limits: [{ points: many, duration: 1s }] }\n`,
    says: /points: expected a whole number of at least 1, got "many"/,
  },
  {
    why: 'points: 0 is told the same way',
    text: `${VALID}rateLimits:\n  policies:\n    p: { limits: [{ points: 0, duration: 1s }] }\n`,
    says: /points: expected a whole number of at least 1, got 0/,
  },
  { why: 'a bounded number names its range', text: VALID.replace('upstream:\n', 'upstream:\n  connections: lots\n'), says: /upstream\.connections: expected a whole number from 1 to 10000, got "lots"/ },
  { why: 'a duration given as a bare number names the form', text: `${VALID}limits:\n  requestTimeout: 30\n`, says: /limits\.requestTimeout: expected a duration like "30s", got 30/ },
  { why: 'a duplicate top-level key is named', text: `${VALID}tls:\n  mode: self-signed\n`, says: /^gw\.yaml:16:1 duplicate key "tls"/ },
  { why: 'a duplicate nested key is named', text: VALID.replace('    port: 8443\n', '    port: 8443\n    port: 8444\n'), says: /duplicate key "port"/ },
  { why: 'a Redis URL with a port above 65535', text: `${VALID}store:\n  redis: { url: "redis://host:99999" }\n`, says: /store\.redis\.url: expected a redis:\/\/ or rediss:\/\/ URL, its port \(if any\) 1-65535/ },
  {
    why: 'a WebSocket route whose methods leave out GET can never be used',
    text: VALID.replace('    auth: none\n', '    auth: none\n    methods: [POST]\n    websocket: true\n'),
    says: /routes\[0\]\.methods: a WebSocket handshake is a GET/,
  },
];

for (const c of cases) {
  test(`config messages: ${c.why}`, () => {
    const errors = errorsOf(c.text, c.env ?? {});
    assert.ok(errors.some((e) => c.says.test(e)), errors.join('\n'));
    assert.ok(!errors.some((e) => /Invalid input|Map keys must be unique/.test(e)), errors.join('\n'));
  });
}

test('config messages: a Redis URL message never echoes the URL (it may carry a password)', () => {
  const errors = errorsOf(`${VALID}store:\n  redis: { url: "redis://:hunter2@host:99999" }\n`);
  assert.ok(!errors.join('\n').includes('hunter2'));
});

test('config messages: a valid Redis URL and a WebSocket GET route still pass', () => {
  parseConfigText(`${VALID.replace('    auth: none\n', '    auth: none\n    methods: [GET]\n    websocket: true\n')}store:\n  redis: { url: "redis://:pw@host:6380/0" }\n`, 'gw.yaml', {});
});

test('checkFiles: a users file and TLS files that do not exist are errors at their entries, naming the file', () => {
  const dir = tempDir('gw-check-files-');
  const users = join(dir, 'no-users.yaml');
  const text = `${WITH_AUTH.replace('mode: self-signed', `mode: files\n  cert: ${join(dir, 'c.pem')}\n  key: ${join(dir, 'k.pem')}`)}  users: { file: "${users}" }\n`;
  parseConfigText(text, 'gw.yaml', ENV); // serve's own load does not look
  let issues: string[] = [];
  try {
    parseConfigText(text, 'gw.yaml', ENV, { checkFiles: true });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    issues = err.issues.map(formatIssue);
  }
  assert.equal(issues.length, 3, issues.join('\n'));
  assert.match(issues[0]!, new RegExp(`^gw\\.yaml:6:9 tls\\.cert: ${join(dir, 'c.pem')} does not exist$`));
  assert.match(issues[1]!, new RegExp(`^gw\\.yaml:7:8 tls\\.key: ${join(dir, 'k.pem')} does not exist$`));
  assert.match(issues[2]!, new RegExp(`^gw\\.yaml:\\d+:\\d+ auth\\.users\\.file: ${users} does not exist \\(create it with`));
  writeFileSync(users, 'users: []\n');
  writeFileSync(join(dir, 'c.pem'), '');
  writeFileSync(join(dir, 'k.pem'), '');
  parseConfigText(text, 'gw.yaml', ENV, { checkFiles: true });
});

test('loadConfig names the file as given: absolute stays absolute', () => {
  const missing = join(tempDir('gw-abs-'), 'nonexistent.yaml');
  assert.throws(() => loadConfig(missing, {}), (err: unknown) => err instanceof ConfigError && err.message === `${missing}:1:1 cannot read file: it does not exist`);
  assert.throws(() => loadConfig('nonexistent.yaml', {}), (err: unknown) => err instanceof ConfigError && err.message.startsWith('nonexistent.yaml:1:1 '));
});
