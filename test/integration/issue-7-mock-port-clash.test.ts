import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_CONFIG } from '../helpers/gateway.js';
import { GATEWAY_BIN, MOCK_BIN } from '../helpers/paths.js';
import { spawnService } from '../helpers/spawn-service.js';
import { tempDir } from '../helpers/temp-dir.js';

// Issue 7: the mock on a taken port died with an unhandled 'error' stack trace.
let taken: Server;
let port: number;
before(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

test('the mock on a taken port exits 1 with one line, worded as the gateway words it', async () => {
  const mock = spawnService(process.execPath, [MOCK_BIN, '--port', String(port)], { expectFailure: true });
  assert.equal(await mock.exited, 1);
  assert.deepEqual(mock.stderr, [`upstream-mock: listen EADDRINUSE: address already in use 127.0.0.1:${port}`]);

  const dir = tempDir('gw-clash-');
  writeFileSync(join(dir, 'gateway.yaml'), BASE_CONFIG.replace('https: { host: 127.0.0.1, port: 0 }', `https: { host: 127.0.0.1, port: ${port} }`));
  const gw = spawnService(process.execPath, [GATEWAY_BIN, 'serve', '--config', join(dir, 'gateway.yaml')], { cwd: dir, env: { UPSTREAM_URL: 'http://127.0.0.1:1' }, expectFailure: true });
  assert.equal(await gw.exited, 1);
  assert.deepEqual(gw.stderr.map((l) => l.replace(/^gateway: /, 'upstream-mock: ')), mock.stderr);
});
