/**
 * npm run bench: the hot path measured side by side in one run, on this machine:
 *   direct  wrk → mock (plain HTTP)              what the backend alone can do
 *   bare    wrk → minimal Node HTTPS+undici proxy → mock
 *   gateway wrk → gateway (all checks, headers, access log) → mock
 *   gateway+jwt+limits+hit  the same checks, answered from the cache (memory store, then Redis)
 *   gateway+jwt+limits (redis, workers: auto)  the Redis row again, one worker process per core
 * Results are printed as absolute figures and as ratios; only the ratios mean much on a
 * noisy 2-core machine. Needs wrk (apt-get install -y wrk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/paths.js';
import { spawnService } from '../test/helpers/spawn-service.js';
import { startMock } from '../test/helpers/upstream-mock.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { startLoggingGateway } from './logging-gateway.js';
import { requireWrk, run, wrk as wrkRun, type Result } from './wrk.js';

const DURATION = process.env.BENCH_DURATION ?? '8s';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '32';
const PATH = '/api/dashboard/overview';
const SECURE_PATH = '/api/dashboard/risk';
const CACHED_PATH = '/api/dashboard/trading';

const wrk = (name: string, url: string, headers: string[] = []) => wrkRun(name, url, { connections: CONNECTIONS, duration: DURATION, headers });

async function main(): Promise<void> {
  requireWrk();
  const mock = await startMock({ profile: 'fast' });
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const gw = await startLoggingGateway(dir, mock.url);
  const bare = spawnService(process.execPath, [join(ROOT, 'dist/bench/bare-proxy.js'), mock.url, join(dir, 'certs/self-signed-cert.pem'), join(dir, 'certs/self-signed-key.pem')]);
  const barePort = (JSON.parse(await bare.waitForLine((l) => l.includes('listening'))) as { port: number }).port;
  const redis = await startRedis();
  const redisDir = mkdtempSync(join(tmpdir(), 'gw-bench-redis-'));
  const onRedis = await startLoggingGateway(redisDir, mock.url, [], `store:\n  redis: { url: "${redis.url}" }\n`);
  const workersDir = mkdtempSync(join(tmpdir(), 'gw-bench-workers-'));
  const workers = await startLoggingGateway(workersDir, mock.url, [], `store:\n  redis: { url: "${redis.url}" }\nworkers: auto\n`);
  try {
    // Warm up JITs and pools before measuring.
    for (const url of [`${mock.url}${PATH}`, `https://127.0.0.1:${barePort}${PATH}`, `https://127.0.0.1:${gw.port}${PATH}`]) {
      await run('wrk', ['-t1', '-c8', '-d2s', url]);
    }
    for (const g of [gw, onRedis, workers]) await run('wrk', ['-t1', '-c8', '-d2s', '-H', `Authorization: Bearer ${g.accessToken}`, `https://127.0.0.1:${g.port}${CACHED_PATH}`]);
    const results = [
      await wrk('direct', `${mock.url}${PATH}`),
      await wrk('bare', `https://127.0.0.1:${barePort}${PATH}`),
      await wrk('gateway', `https://127.0.0.1:${gw.port}${PATH}`),
      await wrk('gateway+jwt+limits', `https://127.0.0.1:${gw.port}${SECURE_PATH}`, [`Authorization: Bearer ${gw.accessToken}`]),
      await wrk('gateway+jwt+limits+hit (memory)', `https://127.0.0.1:${gw.port}${CACHED_PATH}`, [`Authorization: Bearer ${gw.accessToken}`]),
      await wrk('gateway+jwt+limits (redis)', `https://127.0.0.1:${onRedis.port}${SECURE_PATH}`, [`Authorization: Bearer ${onRedis.accessToken}`]),
      await wrk('gateway+jwt+limits+hit (redis)', `https://127.0.0.1:${onRedis.port}${CACHED_PATH}`, [`Authorization: Bearer ${onRedis.accessToken}`]),
      await wrk('gateway+jwt+limits (redis, workers: auto)', `https://127.0.0.1:${workers.port}${SECURE_PATH}`, [`Authorization: Bearer ${workers.accessToken}`]),
    ];
    const [direct, floor, gateway, secure, hitMemory, secureRedis, hitRedis, secureWorkers] = results as [Result, Result, Result, Result, Result, Result, Result, Result];
    console.log(`\nGET ${PATH} (${SECURE_PATH} for gateway+jwt+limits, ${CACHED_PATH} for the hits), ${CONNECTIONS} connections, ${DURATION} each, wrk -t1, mock profile fast\n`);
    console.log('| target | req/s | p50 ms | p99 ms | errors |');
    console.log('|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`);
    console.log('');
    console.log(`gateway / bare proxy throughput: ${(gateway.rps / floor.rps).toFixed(2)}`);
    console.log(`gateway / direct throughput:     ${(gateway.rps / direct.rps).toFixed(2)}`);
    console.log(`gateway p99 - bare p99:          ${(gateway.p99 - floor.p99).toFixed(2)} ms`);
    console.log(`gateway+jwt+limits / bare:       ${(secure.rps / floor.rps).toFixed(2)}`);
    console.log(`gateway+jwt+limits / gateway:    ${(secure.rps / gateway.rps).toFixed(2)}`);
    console.log(`hit (memory) / bare:             ${(hitMemory.rps / floor.rps).toFixed(2)}`);
    console.log(`hit (memory) / jwt+limits miss:  ${(hitMemory.rps / secure.rps).toFixed(2)}`);
    console.log(`hit (redis) / bare:              ${(hitRedis.rps / floor.rps).toFixed(2)}`);
    console.log(`hit (redis) / jwt+limits (redis): ${(hitRedis.rps / secureRedis.rps).toFixed(2)}`);
    // wrk, Redis and the mock share the cores with the workers: on a small machine this is a floor.
    console.log(`workers: auto (${availableParallelism()}) / one process, jwt+limits (redis): ${(secureWorkers.rps / secureRedis.rps).toFixed(2)}`);
  } finally {
    await workers.stop();
    rmSync(workersDir, { recursive: true, force: true });
    await onRedis.stop();
    await redis.stop();
    rmSync(redisDir, { recursive: true, force: true });
    await bare.stop();
    await gw.stop();
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
