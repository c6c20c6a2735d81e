import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizedPathForLog, rawPathForLog } from '../../gateway/observability/raw-path-for-log.js';

// Issue 7: requests refused before their path was normalized were logged with an empty path.
const cases: { target: string | undefined; logged: string; why: string }[] = [
  { target: '/a/%2F/b', logged: '/a/%2F/b', why: 'printable ASCII is logged as received' },
  { target: '/a/b?token=secret&x=1', logged: '/a/b', why: 'the query (and its values) is never part of the path' },
  { target: '/a\\b', logged: '/a\\x5Cb', why: 'backslash escaped, so an escape in the log is always ours' },
  { target: '/a\r\nb', logged: '/a\\x0D\\x0Ab', why: 'CR LF cannot start a forged line' },
  { target: '/a\x1b[31m', logged: '/a\\x1B[31m', why: 'no terminal escapes reach a log reader' },
  { target: '/a\x7f', logged: '/a\\x7F', why: 'DEL escaped' },
  { target: '/caf\u00e9', logged: '/caf\\xE9', why: 'non-ASCII (latin1) escaped' },
  { target: '/\u2028', logged: '/\\u2028', why: 'wide characters escaped' },
  { target: `/${'a'.repeat(400)}`, logged: `/${'a'.repeat(255)}`, why: 'capped at 256 characters' },
  { target: `/${'\x01'.repeat(100)}`, logged: `/${'\\x01'.repeat(63)}\\x0`, why: 'the cap counts escaped characters' },
  { target: 'http://evil.example/x', logged: 'http://evil.example/x', why: 'an absolute-form target is shown as sent' },
  { target: '', logged: '', why: 'nothing received' },
  { target: undefined, logged: '', why: 'no target at all' },
];

for (const c of cases) {
  test(`raw path for the log: ${c.why}`, () => {
    assert.equal(rawPathForLog(c.target), c.logged);
  });
}

// Issue 7: a normalized path (a 404's) was logged in full, 12 000 characters if the client sent them.
test('normalized path for the log: capped at 256 characters, with a marker giving the length', () => {
  assert.equal(normalizedPathForLog('/api/a'), '/api/a');
  assert.equal(normalizedPathForLog(`/${'a'.repeat(255)}`), `/${'a'.repeat(255)}`);
  assert.equal(normalizedPathForLog(`/${'a'.repeat(400)}`), `/${'a'.repeat(255)}…(401 chars)`);
});
