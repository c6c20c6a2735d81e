#!/usr/bin/env node
/**
 * `npm start`: the upstream mock and the gateway in front of it, with config/gateway.yaml.
 * Ctrl-C stops both cleanly. Ports move with MOCK_PORT, GATEWAY_HTTPS_PORT, GATEWAY_HTTP_PORT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPasswordHasher } from '../gateway/auth/password-hasher.js';
import { writeUsersFile } from '../gateway/auth/users-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mockPort = process.env.MOCK_PORT ?? '8000';
const secrets = await demoSecrets(join(root, '.demo'));
const env = {
  ...process.env,
  UPSTREAM_URL: process.env.UPSTREAM_URL ?? `http://127.0.0.1:${mockPort}`,
  JWT_SECRET: process.env.JWT_SECRET ?? secrets.jwtSecret,
  API_KEY_SECRET: process.env.API_KEY_SECRET ?? secrets.apiKeySecret,
};

/**
 * First start: random secrets and three demo users with random passwords, printed once and
 * kept in .demo/ (git-ignored) so the README walkthrough can read them. Nothing is hard-coded.
 */
async function demoSecrets(dir: string): Promise<{ jwtSecret: string; apiKeySecret: string }> {
  const secretsFile = join(dir, 'secrets.json');
  if (existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, 'utf8')) as { jwtSecret: string; apiKeySecret: string };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = { jwtSecret: randomBytes(48).toString('base64url'), apiKeySecret: randomBytes(48).toString('base64url') };
  const hasher = await createPasswordHasher({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
  const people = { trader: ['trader'], viewer: ['viewer'], admin: ['admin', 'trader'] } as const;
  const passwords: Record<string, string> = {};
  const users = [];
  for (const [username, roles] of Object.entries(people)) {
    passwords[username] = randomBytes(12).toString('base64url');
    users.push({ username, roles: [...roles], hash: await hasher.hash(passwords[username]!), disabled: false });
  }
  writeUsersFile(join(dir, 'users.yaml'), users);
  writeFileSync(join(dir, 'demo-credentials.json'), `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(secretsFile, JSON.stringify(made), { mode: 0o600 });
  process.stdout.write(`demo users created (shown once; also in .demo/demo-credentials.json):\n${Object.entries(passwords).map(([u, p]) => `  ${u.padEnd(7)} ${p}  roles: ${people[u as keyof typeof people].join(', ')}`).join('\n')}\n`);
  return made;
}

const children: ChildProcess[] = [];
function start(name: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', onLine);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping the demo\n`);
      stop();
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  const hard = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
  hard.unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

start('upstream-mock', ['dist/upstream-mock/main.js', '--port', mockPort], (line) => {
  if (!line.includes('"listening"')) return;
  process.stdout.write(`upstream mock (slow legacy backend) on http://127.0.0.1:${mockPort}\n`);
  start('gateway', ['dist/gateway/main.js', 'serve', '--config', 'config/gateway.yaml'], (gatewayLine) => {
    let entry: { msg?: string; https?: string; http?: string; kind?: string; status?: number; method?: string; path?: string; duration_ms?: number };
    try {
      entry = JSON.parse(gatewayLine) as typeof entry;
    } catch {
      process.stdout.write(`${gatewayLine}\n`);
      return;
    }
    if (entry.msg === 'gateway listening') {
      process.stdout.write([
        `gateway HTTPS on ${entry.https} (self-signed certificate in certs/)`,
        entry.http ? `gateway HTTP  on ${entry.http} (redirects to HTTPS)` : '',
        `try: curl -k ${entry.https}/api/docs -i   (then log in as in README.md, "Trying the demo")`,
        'Ctrl-C stops both.',
        '',
      ].filter(Boolean).join('\n') + '\n');
    } else if (entry.kind === 'access') {
      process.stdout.write(`${entry.status} ${entry.method} ${entry.path} ${entry.duration_ms} ms\n`);
    } else {
      process.stdout.write(`${gatewayLine}\n`);
    }
  });
});
