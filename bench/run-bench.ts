/**
 * npm run bench: the hot path measured side by side in one run, on this machine:
 *   direct  wrk → mock (plain HTTP)              what the backend alone can do
 *   bare    wrk → minimal Node HTTPS+undici proxy → mock
 *   gateway wrk → gateway (all checks, headers, access log) → mock
 * Results are printed as absolute figures and as ratios; only the ratios mean much on a
 * noisy 2-core machine. Needs wrk (apt-get install -y wrk).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenService } from '../gateway/auth/tokens/token-service.js';
import { GATEWAY_BIN, ROOT } from '../test/helpers/paths.js';
import { spawnService, type Service } from '../test/helpers/spawn-service.js';
import { startMock } from '../test/helpers/upstream-mock.js';

interface Result { name: string; rps: number; p50: number; p99: number; errors: number }

const DURATION = process.env.BENCH_DURATION ?? '8s';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '32';
const PATH = '/api/dashboard/overview';
const SECURE_PATH = '/api/dashboard/risk';
const JWT_SECRET = randomBytes(48).toString('base64url');

// Async on purpose: the bare proxy lives in this process and must keep serving while wrk runs.
const run = promisify(execFile);

async function wrk(name: string, url: string, headers: string[] = []): Promise<Result> {
  const { stdout: out } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}`, '--latency', ...headers.flatMap((h) => ['-H', h]), url], { encoding: 'utf8' });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    name,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50: ms('50%'),
    p99: ms('99%'),
    errors: Number(errors) + (socketErrors ? socketErrors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0),
  };
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) {
    console.error('wrk is not installed: apt-get install -y wrk');
    process.exit(1);
  }
  const mock = await startMock({ profile: 'fast' });
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const gw = await startLoggingGateway(dir, mock.url);
  const bare = spawnService(process.execPath, [join(ROOT, 'dist/bench/bare-proxy.js'), mock.url, join(dir, 'certs/self-signed-cert.pem'), join(dir, 'certs/self-signed-key.pem')]);
  const barePort = (JSON.parse(await bare.waitForLine((l) => l.includes('listening'))) as { port: number }).port;
  try {
    // Warm up JITs and pools before measuring.
    for (const url of [`${mock.url}${PATH}`, `https://127.0.0.1:${barePort}${PATH}`, `https://127.0.0.1:${gw.port}${PATH}`]) {
      await run('wrk', ['-t1', '-c8', '-d2s', url]);
    }
    const tokens = await createTokenService({
      issuer: 'security-gateway', audience: 'trading-api', algorithm: 'HS256', secret: JWT_SECRET,
      accessTtl: 3_600_000, refreshTtl: 7_200_000, clockTolerance: 30_000, refreshGrace: 5000,
    });
    const { access_token } = await tokens.issuePair('bench-user', ['trader']);
    const results = [
      await wrk('direct', `${mock.url}${PATH}`),
      await wrk('bare', `https://127.0.0.1:${barePort}${PATH}`),
      await wrk('gateway', `https://127.0.0.1:${gw.port}${PATH}`),
      await wrk('gateway+jwt+limits', `https://127.0.0.1:${gw.port}${SECURE_PATH}`, [`Authorization: Bearer ${access_token}`]),
    ];
    const [direct, floor, gateway, secure] = results as [Result, Result, Result, Result];
    console.log(`\nGET ${PATH} (${SECURE_PATH} for gateway+jwt+limits), ${CONNECTIONS} connections, ${DURATION} each, wrk -t1, mock profile fast\n`);
    console.log('| target | req/s | p50 ms | p99 ms | errors |');
    console.log('|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`);
    console.log('');
    console.log(`gateway / bare proxy throughput: ${(gateway.rps / floor.rps).toFixed(2)}`);
    console.log(`gateway / direct throughput:     ${(gateway.rps / direct.rps).toFixed(2)}`);
    console.log(`gateway p99 - bare p99:          ${(gateway.p99 - floor.p99).toFixed(2)} ms`);
    console.log(`gateway+jwt+limits / bare:       ${(secure.rps / floor.rps).toFixed(2)}`);
    console.log(`gateway+jwt+limits / gateway:    ${(secure.rps / gateway.rps).toFixed(2)}`);
  } finally {
    await bare.stop();
    await gw.service.stop();
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The gateway logging one line per request as in production, to a file: a pipe read by this
 * process would put a third busy process on the two cores and measure this harness instead.
 */
async function startLoggingGateway(dir: string, upstreamUrl: string): Promise<{ service: Service; port: number }> {
  writeFileSync(join(dir, 'gateway.yaml'), readFileSync(join(ROOT, 'bench/gateway.bench.yaml')));
  const logFile = join(dir, 'gateway.log');
  const fd = openSync(logFile, 'w');
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [GATEWAY_BIN, 'serve', '--config', join(dir, 'gateway.yaml')], { cwd: dir, env: { ...process.env, UPSTREAM_URL: upstreamUrl, JWT_SECRET }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 100; i++) {
    const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('gateway listening'));
    if (line) {
      const service = { stop: async () => { child.kill('SIGTERM'); return exited; } } as unknown as Service;
      return { service, port: (JSON.parse(line) as { https_port: number }).https_port };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the gateway did not start');
}

await main();
