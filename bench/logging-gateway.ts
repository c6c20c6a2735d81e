import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { createPasswordHasher } from '../gateway/auth/password-hasher.js';
import { writeUsersFile } from '../gateway/auth/users-file.js';
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
 * the harness instead. `nodeArgs` go before the script (`--cpu-prof` for bench/profile.ts);
 * `extraYaml` is appended to the config (a `store:` section, `workers:`).
 */
export async function startLoggingGateway(dir: string, upstreamUrl: string, nodeArgs: string[] = [], extraYaml = ''): Promise<BenchGateway> {
  const jwtSecret = randomBytes(48).toString('base64url');
  const password = randomBytes(18).toString('base64url');
  const hasher = await createPasswordHasher({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
  writeUsersFile(join(dir, 'users.yaml'), [{ username: 'bench-user', roles: ['trader'], hash: await hasher.hash(password), disabled: false }]);
  writeFileSync(join(dir, 'gateway.yaml'), readFileSync(join(ROOT, 'bench/gateway.bench.yaml'), 'utf8') + extraYaml);
  const logFile = join(dir, 'gateway.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, GATEWAY_BIN, 'serve', '--config', join(dir, 'gateway.yaml')], { cwd: dir, env: { ...process.env, UPSTREAM_URL: upstreamUrl, JWT_SECRET: jwtSecret }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  for (let i = 0; i < 100; i++) {
    const log = readFileSync(logFile, 'utf8');
    const line = log.split('\n').find((l) => l.includes('gateway listening'));
    // With `workers:` the primary says when every worker listens; measuring earlier would miss some.
    if (line && (!extraYaml.includes('workers:') || log.includes('all workers listening'))) {
      const port = (JSON.parse(line) as { https_port: number }).https_port;
      // Through the login endpoint: a token minted here would have no session in the gateway's store.
      const ca = readFileSync(join(dir, 'certs', 'self-signed-cert.pem'), 'utf8');
      const { access_token } = JSON.parse(await post(port, ca, '/api/auth/login', JSON.stringify({ username: 'bench-user', password }))) as { access_token: string };
      return {
        port,
        accessToken: access_token,
        stop: async () => { child.kill('SIGTERM'); return exited; },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the gateway did not start');
}

function post(port: number, ca: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
