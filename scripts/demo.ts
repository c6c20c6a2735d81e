#!/usr/bin/env node
/**
 * `npm start`: the upstream mock and the gateway in front of it, with config/gateway.yaml.
 * Ctrl-C stops both cleanly. Ports move with MOCK_PORT, GATEWAY_HTTPS_PORT, GATEWAY_HTTP_PORT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mockPort = process.env.MOCK_PORT ?? '8000';
const env = { ...process.env, UPSTREAM_URL: process.env.UPSTREAM_URL ?? `http://127.0.0.1:${mockPort}` };

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
        `try: curl -k ${entry.https}/api/dashboard/overview -i`,
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
