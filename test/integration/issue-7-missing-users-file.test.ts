import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { authConfig, makeAuthFiles } from '../helpers/auth-fixture.js';
import { GATEWAY_BIN } from '../helpers/paths.js';
import { spawnService } from '../helpers/spawn-service.js';

/** Issue #7: a configured users file that did not exist started a gateway where every login was a 401. */
describe('issue #7: a missing users file', () => {
  test('refuses to start, naming the file in one line', async () => {
    const files = await makeAuthFiles();
    const dir = mkdtempSync(join(tmpdir(), 'gw-issue7-users-'));
    try {
      const missing = join(files.dir, 'no-such-users.yaml');
      const configFile = join(dir, 'gateway.yaml');
      writeFileSync(configFile, authConfig({ ...files, usersFile: missing }));
      const proc = spawnService(process.execPath, [GATEWAY_BIN, 'serve', '--config', configFile], { cwd: dir, env: { UPSTREAM_URL: 'http://127.0.0.1:1' }, expectFailure: true });
      assert.equal(await proc.exited, 1);
      assert.equal(proc.stderr.length, 1, proc.stderr.join('\n'));
      assert.ok(proc.stderr[0]!.includes(`${missing} does not exist`), proc.stderr[0]);
      assert.ok(!proc.lines.some((l) => l.includes('gateway listening')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(files.dir, { recursive: true, force: true });
    }
  });
});
