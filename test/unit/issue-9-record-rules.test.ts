import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { apiKeyRecordSchema, newApiKey } from '../../gateway/auth/api-keys.js';
import { recordProblem } from '../../gateway/auth/record-problem.js';
import { userRecordSchema } from '../../gateway/auth/users-file.js';
import { firstLine, MAX_PASSWORD_BYTES } from '../../gateway/cli/read-password.js';
import { rolesProblem } from '../../gateway/cli/roles-problem.js';

/**
 * Issue 9 review: the CLI wrote user and key records (--role '', a 100 KB role) that every
 * gateway then left out. The CLI's check (rolesProblem) and the readers' schemas must agree on
 * every row: what the writer accepts, both readers accept, and what it refuses, they refuse.
 */

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
const roleRows: { why: string; roles: string[]; ok: boolean; says?: RegExp }[] = [
  { why: 'one plain role', roles: ['trader'], ok: true },
  { why: 'the characters routes allow', roles: ['desk:fx.read_only-2'], ok: true },
  { why: '64 characters, the longest', roles: ['r'.repeat(64)], ok: true },
  { why: '32 roles, the most', roles: Array.from({ length: 32 }, (_, i) => `r${i}`), ok: true },
  { why: 'no role at all', roles: [], ok: false, says: /give at least one --role/ },
  { why: 'an empty role (--role \'\')', roles: [''], ok: false, says: /--role "": a role name is 1-64/ },
  { why: 'an empty role beside a good one', roles: ['trader', ''], ok: false, says: /--role ""/ },
  { why: '65 characters', roles: ['r'.repeat(65)], ok: false, says: /\(65 characters\)/ },
  { why: 'a 100 KB role: refused, and the message stays short', roles: ['x'.repeat(100_000)], ok: false, says: /^--role "x{40}"… \(100000 characters\): a role name/ },
  { why: 'a space', roles: ['risk desk'], ok: false, says: /--role "risk desk"/ },
  { why: 'a comma (list shows roles joined by commas)', roles: ['a,b'], ok: false, says: /--role "a,b"/ },
  { why: 'a newline', roles: ['a\nb'], ok: false, says: /--role "a\\nb"/ },
  { why: 'non-ASCII', roles: ['händler'], ok: false, says: /--role "händler"/ },
  { why: '33 roles', roles: Array.from({ length: 33 }, (_, i) => `r${i}`), ok: false, says: /at most 32 --role values \(got 33\)/ },
];
for (const row of roleRows) {
  test(`roles, writer and readers agree: ${row.why}`, () => {
    const problem = rolesProblem(row.roles);
    assert.equal(problem === null, row.ok, problem ?? 'accepted');
    if (row.says) assert.match(problem ?? '', row.says);
    if (problem) assert.ok(problem.length < 200, 'one short line');
    // The CLI refuses "no role" by choice; a record with none is still valid for the readers.
    const readersAccept = row.ok || row.roles.length === 0;
    const user = { username: 'bob2', roles: row.roles, hash: HASH, disabled: false };
    assert.equal(recordProblem(userRecordSchema, user) === null, readersAccept, 'users reader');
    const key = newApiKey('s'.repeat(32), 'bot', row.roles, undefined).record;
    assert.equal(recordProblem(apiKeyRecordSchema, key) === null, readersAccept, 'keys reader');
  });
}

test('recordProblem names the field, never the value', () => {
  const problem = recordProblem(userRecordSchema, { username: 'bob2', roles: ['ok', ''], hash: 'plain-secret-value', disabled: false });
  assert.match(problem ?? '', /roles\.1: /);
  assert.match(problem ?? '', /hash: /);
  assert.ok(!problem?.includes('plain-secret-value'));
});

/** A stream of `total` bytes of "a" in 64 KiB chunks, that counts what was taken from it. */
function counted(total: number, tail = ''): { stream: Readable; produced: () => number } {
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) {
        this.push(tail === '' ? null : Buffer.from(tail));
        if (tail !== '') this.push(null);
        tail = '';
        return;
      }
      const n = Math.min(65_536, total - produced);
      produced += n;
      this.push(Buffer.alloc(n, 'a'));
    },
  });
  return { stream, produced: () => produced };
}

const lineRows: { why: string; input: string; expect: string | null }[] = [
  { why: 'a line and its LF', input: 'pw-123456789012\n', expect: 'pw-123456789012' },
  { why: 'CRLF: the CR is not the password\'s', input: 'pw-123456789012\r\n', expect: 'pw-123456789012' },
  { why: 'no newline before the end', input: 'pw-123456789012', expect: 'pw-123456789012' },
  { why: 'only the first line', input: 'first-password-1\nsecond\n', expect: 'first-password-1' },
  { why: 'nothing', input: '', expect: '' },
  { why: 'exactly the cap', input: `${'p'.repeat(MAX_PASSWORD_BYTES)}\n`, expect: 'p'.repeat(MAX_PASSWORD_BYTES) },
  { why: 'the cap with CRLF', input: `${'p'.repeat(MAX_PASSWORD_BYTES)}\r\n`, expect: 'p'.repeat(MAX_PASSWORD_BYTES) },
  { why: 'one byte over the cap', input: `${'p'.repeat(MAX_PASSWORD_BYTES + 1)}\n`, expect: null },
  { why: 'over the cap in multibyte characters', input: `${'é'.repeat(513)}\n`, expect: null },
];
for (const row of lineRows) {
  test(`password line from a pipe: ${row.why}`, async () => {
    assert.equal(await firstLine(Readable.from([Buffer.from(row.input)]), MAX_PASSWORD_BYTES), row.expect);
  });
}

test('password line from a pipe: 20 MB without a newline is refused after reading about one chunk, not all of it', async () => {
  const { stream, produced } = counted(20 * 1024 * 1024);
  assert.equal(await firstLine(stream, MAX_PASSWORD_BYTES), null);
  assert.ok(produced() <= 4 * 65_536, `read ${produced()} bytes`);
});
