import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { freePort, isPortFree } from '../helpers/free-port.js';
import { ROOT } from '../helpers/paths.js';
import { childPids, isAlive } from '../helpers/processes.js';
import { spawnService, type Service } from '../helpers/spawn-service.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitUntil } from '../helpers/wait-until.js';

// Issue 7: closing the demo's terminal left the gateway running (it reloads on SIGHUP), holding
// its ports, and the next `npm start` failed with EADDRINUSE.
describe('npm start leaves nothing behind', () => {
  let dir: string;
  before(() => {
    // Secrets, users and certificate in a temp folder: the test never writes into the repository.
    dir = tempDir('gw-demo-');
  });

  async function startDemo(killedOnPurpose = false): Promise<{ demo: Service; pids: number[]; ports: number[]; httpsPort: number }> {
    const ports = [await freePort(), await freePort(), await freePort()];
    const [mockPort, httpsPort, httpPort] = ports as [number, number, number];
    const demo = spawnService(process.execPath, [join(ROOT, 'dist/scripts/demo.js')], {
      cwd: ROOT,
      detached: true,
      expectFailure: killedOnPurpose,
      env: {
        MOCK_PORT: String(mockPort), GATEWAY_HTTPS_PORT: String(httpsPort), GATEWAY_HTTP_PORT: String(httpPort),
        DEMO_DIR: dir, GATEWAY_CERT_DIR: join(dir, 'certs'), MOCK_PROFILE: 'fast', REDIS_URL: '',
      },
    });
    const banner = await demo.waitForLine((l) => l.startsWith('gateway PID '), 60_000);
    const pids = childPids(demo.pid);
    assert.equal(pids.length, 2, 'the mock and the gateway');
    assert.ok(banner.includes(`kill -HUP ${pids[1]}`), banner);
    for (const port of ports) assert.equal(await isPortFree(port), false, `port ${port} in use while the demo runs`);
    return { demo, pids, ports, httpsPort };
  }

  async function assertAllGone(demo: Service, pids: number[], ports: number[]): Promise<void> {
    try {
      await waitUntil(() => [demo.pid, ...pids].every((pid) => !isAlive(pid)), 'the demo and every process it started to exit');
      for (const port of ports) await waitUntil(() => isPortFree(port), `port ${port} to be free`);
    } finally {
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }

  test('SIGHUP to its process group, as a closing terminal sends, stops all of it', async () => {
    const { demo, pids, ports } = await startDemo();
    process.kill(-demo.pid, 'SIGHUP');
    await assertAllGone(demo, pids, ports);
    assert.equal(await demo.exited, 0);
  });

  test('a demo killed outright (no handler runs) still takes its children down', async () => {
    const { demo, pids, ports } = await startDemo(true);
    process.kill(demo.pid, 'SIGKILL');
    await assertAllGone(demo, pids, ports);
  });

  test('a demo whose output is gone (EPIPE) stops all it started', async () => {
    const { demo, pids, ports, httpsPort } = await startDemo();
    demo.child.stdout!.destroy();
    // An access log line is the next thing the demo writes.
    await new Promise<void>((resolve) => {
      request({ host: '127.0.0.1', port: httpsPort, path: '/api/docs', rejectUnauthorized: false }, (res) => res.resume().on('end', resolve))
        .on('error', () => resolve())
        .end();
    });
    await assertAllGone(demo, pids, ports);
  });
});
