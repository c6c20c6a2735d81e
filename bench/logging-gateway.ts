import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenService } from '../gateway/auth/tokens/token-service.js';
import { GATEWAY_BIN, ROOT } from '../test/helpers/paths.js';

export interface BenchGateway {
  port: number;
  /** A bearer token the gateway accepts, for /api/dashboard/risk. */
  accessToken: string;
  stop(): Promise<number | null>;
}

/**
 * The gateway with bench/gateway.bench.yaml, logging one line per request as in production, to
 * a file: a pipe read by the harness would put a third busy process on the two cores and measure
 * the harness instead. `nodeArgs` go before the script (`--cpu-prof` for bench/profile.ts).
 */
export async function startLoggingGateway(dir: string, upstreamUrl: string, nodeArgs: string[] = []): Promise<BenchGateway> {
  const jwtSecret = randomBytes(48).toString('base64url');
  writeFileSync(join(dir, 'gateway.yaml'), readFileSync(join(ROOT, 'bench/gateway.bench.yaml')));
  const logFile = join(dir, 'gateway.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, GATEWAY_BIN, 'serve', '--config', join(dir, 'gateway.yaml')], { cwd: dir, env: { ...process.env, UPSTREAM_URL: upstreamUrl, JWT_SECRET: jwtSecret }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 100; i++) {
    const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('gateway listening'));
    if (line) {
      const tokens = await createTokenService({
        issuer: 'security-gateway', audience: 'trading-api', algorithm: 'HS256', secret: jwtSecret,
        accessTtl: 3_600_000, refreshTtl: 7_200_000, clockTolerance: 30_000, refreshGrace: 5000,
      });
      const { access_token } = await tokens.issuePair('bench-user', ['trader']);
      return {
        port: (JSON.parse(line) as { https_port: number }).https_port,
        accessToken: access_token,
        stop: async () => { child.kill('SIGTERM'); return exited; },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the gateway did not start');
}
