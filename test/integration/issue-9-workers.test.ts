import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startGateway, type GatewayHandle } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { isAlive } from '../helpers/processes.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { removeTempDir, tempDir } from '../helpers/temp-dir.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/** `workers: 2` on Redis: real worker processes sharing the listeners through Node's cluster module. */

type Line = Record<string, unknown>;

describe('issue 9: workers: 2 (cluster) on Redis', () => {
  let redis: RedisHandle;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let stopped = false;

  const linesSince = (from: number): Line[] => gw.logs().slice(from);

  before(async () => {
    redis = await startRedis();
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: `${BASE_CONFIG}workers: 2\npidFile: gateway.pid\nstore:\n  redis: { url: "${redis.url}" }\n` });
    await gw.service.waitForLine((l) => l.includes('all workers listening'));
  });
  after(async () => {
    try {
      if (!stopped) await gw?.stop();
    } finally {
      await mock?.stop();
      await redis?.stop();
    }
  });

  const workerPids = (): number[] => {
    const ready = gw.logs().find((l) => l.msg === 'all workers listening');
    return ready?.pids as number[];
  };

  it('starts two workers and logs once when both listen', async () => {
    const pids = workerPids();
    assert.equal(pids.length, 2);
    assert.equal(new Set(pids).size, 2);
    assert.ok(!pids.includes(gw.service.pid), 'the primary serves nothing itself');
    // The primary's PID: `gateway reload` by pidFile must reach the process that forwards SIGHUP.
    const pidFile = join(gw.dir, 'gateway.pid');
    await waitUntil(() => existsSync(pidFile), 'the PID file');
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(gw.service.pid));
    // Worker logs are buffered (pino, flushed every 200 ms): the primary's line may come first.
    await waitUntil(() => gw.logs().filter((l) => l.msg === 'gateway listening').length === 2, 'each worker listens');
    assert.deepEqual(new Set(gw.logs().filter((l) => l.msg === 'gateway listening').map((l) => l.pid)), new Set(pids));
  });

  it('answers requests from at least two distinct workers (fresh connections)', async () => {
    let n = 0;
    await waitUntil(async () => {
      const res = await gw.request(`/__mock/echo/spread-${n++}`);
      assert.equal(res.status, 200);
      return new Set(gw.logs().filter((l) => l.kind === 'access' && String(l.path).startsWith('/__mock/echo/spread-')).map((l) => l.pid)).size >= 2;
    }, 'requests answered by two workers', 20_000);
    const pids = new Set(workerPids());
    for (const l of gw.logs().filter((x) => x.kind === 'access')) {
      assert.ok(pids.has(l.pid as number), `access line from a worker: ${JSON.stringify(l)}`);
      assert.equal(typeof l.worker, 'number');
    }
  });

  it('SIGHUP to the primary reloads every worker', async () => {
    const from = gw.logs().length;
    process.kill(gw.service.pid, 'SIGHUP');
    await waitUntil(() => new Set(linesSince(from).filter((l) => l.msg === 'config reloaded').map((l) => l.pid)).size === 2, 'both workers reloaded');
    assert.deepEqual(
      new Set(linesSince(from).filter((l) => l.msg === 'config reloaded').map((l) => l.pid)),
      new Set(workerPids()),
    );
  });

  it('replaces a worker killed with SIGKILL and keeps answering', async () => {
    const [victim, survivor] = workerPids() as [number, number];
    const from = gw.logs().length;
    process.kill(victim, 'SIGKILL');
    const died = JSON.parse(await gw.service.waitForLine((l) => l.includes('worker died'))) as Line;
    assert.equal(died.pid, victim);
    assert.equal(died.signal, 'SIGKILL');
    const replaced = JSON.parse(await gw.service.waitForLine((l) => l.includes('replacement worker listening'))) as Line;
    const fresh = replaced.pid as number;
    assert.ok(fresh !== victim && fresh !== survivor && isAlive(fresh));
    assert.ok(!isAlive(victim));
    let n = 0;
    await waitUntil(async () => {
      const res = await gw.request(`/__mock/echo/after-kill-${n++}`);
      assert.equal(res.status, 200);
      // Any earlier request counts: worker access lines reach stdout up to 200 ms late (pino's buffer).
      return linesSince(from).some((l) => l.kind === 'access' && String(l.path).startsWith('/__mock/echo/after-kill-') && l.pid === fresh);
    }, 'the replacement worker answers', 20_000);
  });

  it('SIGTERM drains every worker and the primary exits 0', async () => {
    const live = gw.logs().filter((l) => l.msg === 'gateway listening').map((l) => l.pid as number).filter(isAlive);
    assert.equal(live.length, 2);
    stopped = true;
    const pidFile = join(gw.dir, 'gateway.pid');
    assert.ok(existsSync(pidFile));
    assert.equal(await gw.service.stop(), 0);
    assert.ok(!existsSync(pidFile), 'the primary removes its PID file');
    removeTempDir(gw.dir);
    await waitUntil(() => live.every((pid) => !isAlive(pid)), 'every worker gone');
  });
});

describe('issue 9: workers need the shared store', () => {
  it('gateway check refuses workers: 2 with the in-memory store', async () => {
    const dir = tempDir('gw-workers-');
    try {
      const file = join(dir, 'gateway.yaml');
      writeFileSync(file, `${BASE_CONFIG}workers: 2\n`);
      const r = await gatewayCli(['check', '--config', file], { env: { UPSTREAM_URL: 'http://127.0.0.1:9' } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /workers: 2 needs a shared store \(store\.redis\)/);
      const serve = await gatewayCli(['serve', '--config', file], { env: { UPSTREAM_URL: 'http://127.0.0.1:9' } });
      assert.equal(serve.code, 1);
      assert.match(serve.stderr, /invalid config, not starting[\s\S]*needs a shared store/);
    } finally {
      removeTempDir(dir);
    }
  });
});
