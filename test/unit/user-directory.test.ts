import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPasswordHasher, type PasswordHasher } from '../../gateway/auth/password-hasher.js';
import { createUserDirectory } from '../../gateway/auth/user-directory.js';
import { writeUsersFile } from '../../gateway/auth/users-file.js';
import { tempDir } from '../helpers/temp-dir.js';

test('an unknown user costs one argon2 verification too (the dummy hash), so timing does not tell who exists', async () => {
  const real = await createPasswordHasher({ memoryKiB: 8192, iterations: 1, parallelism: 1 });
  const calls: string[] = [];
  const counting: PasswordHasher = {
    hash: real.hash,
    verify: (h, p) => { calls.push('verify'); return real.verify(h, p); },
    verifyDummy: (p) => { calls.push('verifyDummy'); return real.verifyDummy(p); },
  };
  const file = join(tempDir('gw-dir-'), 'users.yaml');
  writeUsersFile(file, [
    { username: 'ann', roles: ['r'], hash: await real.hash('right-password-1'), disabled: false },
    { username: 'off', roles: ['r'], hash: await real.hash('right-password-2'), disabled: true },
  ]);
  const dir = createUserDirectory(file, counting, (err) => assert.fail(err));
  try {
    assert.equal(await dir.authenticate('nobody', 'x'), null);
    assert.equal((await dir.authenticate('ann', 'right-password-1'))?.username, 'ann');
    assert.equal(await dir.authenticate('ann', 'wrong'), null);
    assert.equal(await dir.authenticate('off', 'right-password-2'), null, 'a disabled account never logs in');
    assert.deepEqual(calls, ['verifyDummy', 'verify', 'verify', 'verify']);
  } finally {
    dir.close();
  }
});
