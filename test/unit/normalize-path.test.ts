import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTarget } from '../../gateway/pipeline/normalize-path.js';

const cases: { target: string; path?: string; query?: string; rejected?: true; why: string }[] = [
  { target: '/api/dashboard/overview', path: '/api/dashboard/overview', query: '', why: 'plain path passes unchanged' },
  { target: '/api/market/prices?symbols=BTC,ETH', path: '/api/market/prices', query: '?symbols=BTC,ETH', why: 'query kept as sent' },
  { target: '/api/public/../admin', path: '/api/admin', why: 'dot-dot removed before routing' },
  { target: '/api/./dashboard/./risk', path: '/api/dashboard/risk', why: 'single dots removed' },
  { target: '/api//dashboard///risk', path: '/api/dashboard/risk', why: 'duplicate slashes collapse' },
  { target: '/api/%64ashboard', path: '/api/dashboard', why: 'unreserved escape decoded' },
  { target: '/api/%2e%2e/admin', path: '/admin', why: 'encoded dots decode to a dot segment, then removed' },
  { target: '/a/b/..', path: '/a/', why: 'trailing dot-dot keeps directory form' },
  { target: '/a/b/', path: '/a/b/', why: 'trailing slash kept' },
  { target: '/a/%7Euser', path: '/a/~user', why: 'tilde is unreserved' },
  { target: '/a/%c3%a9', path: '/a/%C3%A9', why: 'non-ASCII stays encoded, hex upper-cased' },
  { target: '/a/%20b', path: '/a/%20b', why: 'space stays encoded' },
  { target: '/a/%252F', path: '/a/%252F', why: 'double encoding is decoded at most once (stays %25)' },
  { target: '/api/x%2Fy', rejected: true, why: 'encoded slash' },
  { target: '/api/x%2fy', rejected: true, why: 'encoded slash, lower case' },
  { target: '/api/x%5Cy', rejected: true, why: 'encoded backslash' },
  { target: '/api\\admin', rejected: true, why: 'raw backslash' },
  { target: '/api/%00', rejected: true, why: 'encoded NUL' },
  { target: '/api/%0d%0a', rejected: true, why: 'encoded CR LF' },
  { target: '/api/%zz', rejected: true, why: 'invalid escape' },
  { target: '/api/%4', rejected: true, why: 'truncated escape' },
  { target: '/../etc/passwd', rejected: true, why: 'climbs above the root' },
  { target: '/a/../../b', rejected: true, why: 'climbs above the root after one level' },
  { target: '/api/<script>', rejected: true, why: 'characters outside pchar' },
  { target: 'http://evil.example/x', rejected: true, why: 'absolute-form is not a path' },
  { target: '//evil.example/x', path: '/evil.example/x', why: 'leading double slash collapses: never a host' },
  { target: '/a?x=\u0001', rejected: true, why: 'control byte in query' },
];

for (const c of cases) {
  test(`normalizeTarget ${JSON.stringify(c.target)}: ${c.why}`, () => {
    const got = normalizeTarget(c.target);
    if (c.rejected) {
      assert.equal(got.ok, false);
      return;
    }
    assert.equal(got.ok, true, JSON.stringify(got));
    if (!got.ok) return;
    assert.equal(got.path, c.path);
    if (c.query !== undefined) assert.equal(got.query, c.query);
  });
}
