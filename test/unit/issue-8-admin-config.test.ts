import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeAdminListener } from '../../gateway/cli/admin-summary.js';
import { configWarnings } from '../../gateway/config/config-warnings.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { isLoopbackHost } from '../../gateway/config/schema/listeners.js';
import { errorsOf, SECRET, VALID, WITH_AUTH } from './config-fixture.js';

const ENV = { JWT_SECRET: SECRET, API_KEY_SECRET: SECRET };
const withAdmin = (text: string, admin: string) => text.replace('    port: 8443\n', `    port: 8443\n  admin: ${admin}\n`);

describe('listeners.admin in the config', () => {
  test('defaults: loopback, plain HTTP; its route asks for the admin role, either credential, and no-store', () => {
    const c = parseConfigText(withAdmin(WITH_AUTH, '{ port: 9090 }'), 'gw.yaml', ENV);
    assert.deepEqual(c.listeners.admin, { host: '127.0.0.1', port: 9090, tls: false });
    const route = c.adminRoute!;
    assert.equal(route.auth.mode, 'required');
    assert.deepEqual([...(route.auth.roles ?? [])], ['admin']);
    assert.ok(route.auth.jwt && route.auth.apiKey && !route.auth.forwardAuthorization);
    assert.equal(route.defaultCacheControl, 'no-store');
    assert.ok(route.responseHeaders.includes('x-content-type-options'));
    assert.ok(!route.responseHeaders.includes('strict-transport-security'), 'no HSTS over plain HTTP');
    assert.ok(!c.routes.includes(route), 'not a route of the main listener');
  });

  test('tls: true keeps HSTS', () => {
    const c = parseConfigText(withAdmin(WITH_AUTH, '{ port: 9090, tls: true }'), 'gw.yaml', ENV);
    assert.ok(c.adminRoute!.responseHeaders.includes('strict-transport-security'));
  });

  test('no listeners.admin: no admin route', () => {
    assert.equal(parseConfigText(WITH_AUTH, 'gw.yaml', ENV).adminRoute, null);
  });

  const refused: { description: string; text: string; says: RegExp }[] = [
    { description: 'without an auth section', text: withAdmin(VALID, '{ port: 9090 }'), says: /^gw\.yaml:4:3 listeners\.admin: the admin listener admits only callers with the "admin" role: it needs the top-level "auth" section/ },
    { description: 'tls given as a word', text: withAdmin(WITH_AUTH, '{ port: 9090, tls: yes }'), says: /listeners\.admin\.tls: expected true or false, got "yes"/ },
    { description: 'an unknown key', text: withAdmin(WITH_AUTH, '{ port: 9090, redirectPort: 1 }'), says: /listeners\.admin\.redirectPort: unknown key/ },
    { description: 'the HTTPS port on an address it shares', text: withAdmin(WITH_AUTH, '{ port: 8443 }'), says: /listeners\.admin\.port: port 8443 is already listeners\.https's/ },
  ];
  for (const row of refused) {
    test(`refused: ${row.description}`, () => {
      assert.match(errorsOf(row.text, ENV).join('\n'), row.says);
    });
  }

  test('a port of 0 (any free port) never clashes', () => {
    assert.doesNotThrow(() => parseConfigText(withAdmin(WITH_AUTH, '{ port: 0 }').replace('port: 8443', 'port: 0'), 'gw.yaml', ENV));
  });
});

describe('isLoopbackHost', () => {
  const rows: { host: string; loopback: boolean; description: string }[] = [
    { host: '127.0.0.1', loopback: true, description: 'the IPv4 loopback address' },
    { host: '127.10.0.5', loopback: true, description: 'anything in 127.0.0.0/8' },
    { host: '::1', loopback: true, description: 'the IPv6 loopback address' },
    { host: '[::1]', loopback: true, description: 'bracketed' },
    { host: '::ffff:127.0.0.1', loopback: true, description: 'IPv4-mapped loopback' },
    { host: 'localhost', loopback: true, description: 'the loopback name' },
    { host: '0.0.0.0', loopback: false, description: 'every IPv4 interface' },
    { host: '::', loopback: false, description: 'every interface' },
    { host: '10.0.0.7', loopback: false, description: 'a LAN address' },
    { host: '127.example.com', loopback: false, description: 'a name that starts like one' },
    { host: 'admin.internal', loopback: false, description: 'any other name' },
  ];
  for (const row of rows) {
    test(`${row.host}: ${row.description}`, () => {
      assert.equal(isLoopbackHost(row.host), row.loopback);
    });
  }
});

describe('configWarnings and the check summary', () => {
  const load = (admin: string) => parseConfigText(withAdmin(WITH_AUTH, admin), 'gw.yaml', ENV);
  test('loopback: no warning', () => {
    assert.deepEqual(configWarnings(load('{ port: 9090 }')), []);
  });
  test('another address: a warning on listeners.admin.host, saying what is exposed', () => {
    const [w, ...rest] = configWarnings(load('{ host: 0.0.0.0, port: 9090 }'));
    assert.equal(rest.length, 0);
    assert.equal(w!.path, 'listeners.admin.host');
    assert.match(w!.message, /^0\.0\.0\.0 is not a loopback address/);
    assert.match(w!.message, /clear text/);
  });
  test('another address over TLS: no clear-text remark', () => {
    assert.doesNotMatch(configWarnings(load('{ host: 10.0.0.7, port: 9090, tls: true }'))[0]!.message, /clear text/);
  });
  test('the summary names scheme, address and role', () => {
    assert.equal(describeAdminListener(load('{ port: 9090 }')), 'admin listener on http://127.0.0.1:9090 (role admin)');
    assert.equal(describeAdminListener(load('{ host: "::1", port: 9090, tls: true }')), 'admin listener on https://[::1]:9090 (role admin)');
    assert.equal(describeAdminListener(parseConfigText(WITH_AUTH, 'gw.yaml', ENV)), null);
  });
});
