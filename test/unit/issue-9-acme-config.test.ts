import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { configWarnings } from '../../gateway/config/config-warnings.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, VALID } from './config-fixture.js';

/** VALID with an HTTP listener and `tls` in acme mode given by `fields` (YAML lines under tls). */
const acme = (fields: string, extra = '') => VALID
  .replace('    port: 8443\n', '    port: 8443\n  http:\n    port: 8080\n')
  .replace('  mode: self-signed\n', `  mode: acme\n${fields}`) + extra;
const MINIMAL = '  domains: [api.example.com]\n  directory: letsencrypt\n';

test('acme config: the least it needs, with the defaults filled in', () => {
  const { tls } = parseConfigText(acme(MINIMAL), 'gw.yaml', {});
  assert.deepEqual(tls, {
    mode: 'acme', certDir: resolve('certs'), watchInterval: 2000, domains: ['api.example.com'], email: null,
    directory: 'https://acme-v02.api.letsencrypt.org/directory', caBundle: null, renewBefore: 30 * 86_400_000,
  });
});

test('acme config: every field given; names lower-cased and deduplicated, paths resolved', () => {
  const { tls } = parseConfigText(acme('  domains: [API.example.com, www.example.com, api.example.com]\n  email: ops@example.com\n  directory: https://ca.internal:14000/dir\n  caBundle: ca.pem\n  renewBefore: 10d\n  certDir: state\n'), 'gw.yaml', {});
  assert.ok(tls.mode === 'acme');
  assert.deepEqual(tls.domains, ['api.example.com', 'www.example.com']);
  assert.equal(tls.email, 'ops@example.com');
  assert.equal(tls.directory, 'https://ca.internal:14000/dir');
  assert.equal(tls.caBundle, resolve('ca.pem'));
  assert.equal(tls.renewBefore, 10 * 86_400_000);
  assert.equal(tls.certDir, resolve('state'));
});

test('acme config: letsencrypt-staging names the staging directory', () => {
  const { tls } = parseConfigText(acme('  domains: [api.example.com]\n  directory: letsencrypt-staging\n'), 'gw.yaml', {});
  assert.ok(tls.mode === 'acme');
  assert.equal(tls.directory, 'https://acme-staging-v02.api.letsencrypt.org/directory');
});

test('acme config: domains listed in hosts pass the hosts check', () => {
  assert.doesNotThrow(() => parseConfigText(acme(MINIMAL, 'hosts: [api.example.com, other.example.com]\n'), 'gw.yaml', {}));
});

const refused: [string, string, RegExp][] = [
  ['no domains', acme('  directory: letsencrypt\n'), /gw\.yaml:\d+:\d+ tls: mode "acme" needs "domains"/],
  ['no directory', acme('  domains: [api.example.com]\n'), /tls: mode "acme" needs "directory": "letsencrypt", "letsencrypt-staging" or the https URL/],
  ['an empty domain list', acme('  domains: []\n  directory: letsencrypt\n'), /tls\.domains: expected at least one domain/],
  ['domains not a list', acme('  domains: api.example.com\n  directory: letsencrypt\n'), /tls\.domains: expected a list, like \[api\.example\.com\]/],
  ['a wildcard', acme('  domains: ["*.example.com"]\n  directory: letsencrypt\n'), /tls\.domains\[0\]: "\*\.example\.com": a wildcard name needs the DNS-01 challenge/],
  ['an IP address', acme('  domains: [203.0.113.7]\n  directory: letsencrypt\n'), /tls\.domains\[0\]: "203\.0\.113\.7": IP addresses are not supported/],
  ['not a DNS name', acme('  domains: [api_example.com]\n  directory: letsencrypt\n'), /tls\.domains\[0\]: "api_example\.com" is not a DNS name/],
  ['a plain-HTTP directory', acme('  domains: [api.example.com]\n  directory: http://ca.internal/dir\n'), /tls\.directory: expected "letsencrypt", "letsencrypt-staging" or the https URL of an ACME directory, got "http:\/\/ca\.internal\/dir"/],
  ['an unknown directory name', acme('  domains: [api.example.com]\n  directory: zerossl\n'), /tls\.directory: expected "letsencrypt"/],
  ['a bad email', acme(`${MINIMAL}  email: "ops@example.com, evil@example.com"\n`), /tls\.email: expected an email address/],
  ['a bad renewBefore', acme(`${MINIMAL}  renewBefore: soon\n`), /tls\.renewBefore: expected a duration like "30s", got "soon"/],
  ['files-mode keys', acme(`${MINIMAL}  cert: c.pem\n`), /tls\.cert: "cert" applies to mode "files" only/],
  ['acme keys in another mode', VALID.replace('  mode: self-signed\n', '  mode: self-signed\n  domains: [api.example.com]\n'), /tls\.domains: "domains" applies to mode "acme" only/],
  ['no HTTP listener', VALID.replace('  mode: self-signed\n', `  mode: acme\n${MINIMAL}`), /tls\.mode: mode "acme" answers the CA's HTTP-01 challenge on the HTTP listener: add listeners\.http/],
  ['a domain outside hosts', acme(MINIMAL, 'hosts: [other.example.com]\n'), /tls\.domains\[0\]: "api\.example\.com" is not in hosts: its challenge and its requests would be refused \(421\)/],
];
for (const [why, text, pattern] of refused) {
  test(`acme config refused: ${why}`, () => {
    const errors = errorsOf(text).join('\n');
    assert.match(errors, pattern);
    assert.doesNotMatch(errors, /Invalid input/);
  });
}

test('acme config: gateway check reports a caBundle that does not exist, at its line', () => {
  const errors = errorsOf(acme(`${MINIMAL}  caBundle: /nonexistent/ca.pem\n`), {}, { checkFiles: true });
  assert.match(errors.join('\n'), /gw\.yaml:\d+:\d+ tls\.caBundle: \/nonexistent\/ca\.pem does not exist/);
});

const warned: { description: string; text: string; warning: boolean }[] = [
  { description: 'Let\'s Encrypt with the HTTP listener off port 80', text: acme(MINIMAL), warning: true },
  { description: 'Let\'s Encrypt with the HTTP listener on port 80', text: acme(MINIMAL).replace('port: 8080', 'port: 80'), warning: false },
  { description: 'a private CA on another port (its own business)', text: acme('  domains: [api.example.com]\n  directory: https://ca.internal/dir\n'), warning: false },
];
for (const w of warned) {
  test(`acme config warning: ${w.description}`, () => {
    const warnings = configWarnings(parseConfigText(w.text, 'gw.yaml', {})).filter((x) => x.path === 'listeners.http.port');
    assert.equal(warnings.length, w.warning ? 1 : 0);
    if (w.warning) assert.match(warnings[0]!.message, /Let's Encrypt checks each domain on port 80 .*on 8080, something in front must forward port 80 to it/);
  });
}
