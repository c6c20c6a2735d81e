import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsOf, VALID } from './config-fixture.js';

const route = (extra: string) => `${VALID}  - id: z\n    path: /api/z\n${extra}`;

test('config unions: each error names the accepted forms or the problem inside the form given', () => {
  const cases: [string, string, RegExp][] = [
    ['a misspelt auth mode', route('    auth: requird\n'),
      /routes\[2\]\.auth: expected "required", "optional", "none" or \{ mode, roles, methods, forwardAuthorization \}$/],
    ['a misspelt mode inside the object form', route('    auth: { mode: requird }\n'),
      /routes\[2\]\.auth\.mode: expected "required", "optional" or "none"$/],
    ['one role where a list is expected', route('    auth: { mode: required, roles: trader }\n'),
      /routes\[2\]\.auth\.roles: expected a list, like \[trader, admin\]$/],
    ['a number for rateLimit', route('    auth: none\n    rateLimit: 5\n'),
      /routes\[2\]\.rateLimit: expected "none", a policy name or \{ policy, cost \}$/],
    ['a misspelt key in the rateLimit object', route('    auth: none\n    rateLimit: { polcy: x }\n'),
      /routes\[2\]\.rateLimit\.polcy: unknown key "polcy"/],
    ['hsts: true', `${VALID}securityHeaders:\n  hsts: true\n`,
      /securityHeaders\.hsts: expected false or \{ maxAge, includeSubDomains, preload \}$/],
    ['frameOptions outside the enum', `${VALID}securityHeaders:\n  frameOptions: ALLOW\n`,
      /securityHeaders\.frameOptions: expected false, "DENY" or "SAMEORIGIN"$/],
    ['defaultCacheControl: true', route('    auth: none\n    defaultCacheControl: true\n'),
      /routes\[2\]\.defaultCacheControl: expected a Cache-Control value like "no-store" or false$/],
  ];
  for (const [what, text, pattern] of cases) {
    const errors = errorsOf(text).join('\n');
    assert.match(errors, pattern, what);
    assert.doesNotMatch(errors, /Invalid input$/m, what);
  }
});

test('config: cross-field errors come in the same pass as schema errors', () => {
  const text = `${VALID.replace('mode: self-signed', 'mode: selfsigned').replace('  - id: b', '  - id: a')}  - id: c\n    path: /api/c\n    auth: none\n    rateLimit: nosuch\n    bodyLimit: huge\n`;
  const errors = errorsOf(text).join('\n');
  assert.match(errors, /gw\.yaml:5:9 tls\.mode: /);
  assert.match(errors, /routes\[1\]\.id: duplicate route id "a"/);
  // Its own bodyLimit is wrong, so route c is not checked further; the others still are.
  assert.match(errors, /routes\[2\]\.bodyLimit: expected a size/);
});

test('config: an unknown policy is reported beside a bad field elsewhere', () => {
  const text = `${VALID.replace('port: 8443', 'port: lots')}  - id: c\n    path: /api/c\n    auth: none\n    rateLimit: nosuch\nrateLimits:\n  policies: {}\n`;
  const errors = errorsOf(text).join('\n');
  assert.match(errors, /listeners\.https\.port: expected a port number/);
  assert.match(errors, /routes\[2\]\.rateLimit: no policy named "nosuch" under rateLimits\.policies/);
});

test('config: a broken section does not invent errors in the rules that need it', () => {
  // auth fails its schema: routes that need auth are not told "needs the top-level auth section".
  const text = `${VALID}  - id: c\n    path: /api/c\n    auth: required\nauth:\n  jwt: { algorithm: HS999 }\n`;
  const errors = errorsOf(text).join('\n');
  assert.match(errors, /auth\.jwt\.algorithm/);
  assert.doesNotMatch(errors, /needs the top-level "auth" section/);
});
