#!/usr/bin/env node
/**
 * `npm start`: the upstream mock and the gateway in front of it, with config/gateway.yaml.
 * Ctrl-C, SIGTERM, SIGHUP or closing the terminal stops both. Ports move with MOCK_PORT,
 * GATEWAY_HTTPS_PORT, GATEWAY_HTTP_PORT; DEMO_DIR moves .demo/ (secrets, users, API keys).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChildGroup } from './child-group.js';
import { demoSecrets } from './demo-secrets.js';
import { describeGatewayLine } from './describe-gateway-line.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const demoDir = resolve(root, process.env.DEMO_DIR ?? '.demo');
const mockPort = process.env.MOCK_PORT ?? '8000';

// Once the terminal is gone a write fails (EIO on a tty, EPIPE on a pipe): stop, do not crash.
const say = (text: string) => void (process.stdout.writable && process.stdout.write(text));
const warn = (text: string) => void (process.stderr.writable && process.stderr.write(text));

const secrets = await demoSecrets(demoDir, say);
const group = createChildGroup({
  cwd: root,
  warn,
  env: {
    ...process.env,
    UPSTREAM_URL: process.env.UPSTREAM_URL ?? `http://127.0.0.1:${mockPort}`,
    JWT_SECRET: process.env.JWT_SECRET ?? secrets.jwtSecret,
    API_KEY_SECRET: process.env.API_KEY_SECRET ?? secrets.apiKeySecret,
    GATEWAY_USERS_FILE: process.env.GATEWAY_USERS_FILE ?? join(demoDir, 'users.yaml'),
    GATEWAY_KEYS_FILE: process.env.GATEWAY_KEYS_FILE ?? join(demoDir, 'api-keys.yaml'),
  },
});
// SIGHUP: the terminal closed (the children, in their own sessions, do not get it).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => group.stop(0));
process.stdout.on('error', () => group.stop(0));
process.stderr.on('error', () => group.stop(0));

group.start('upstream-mock', ['dist/upstream-mock/main.js', '--port', mockPort], (line) => {
  if (!line.includes('"listening"')) return;
  say(`upstream mock (the simulated legacy backend, ${process.env.MOCK_PROFILE ?? 'slow'} profile) on http://127.0.0.1:${mockPort}\n`);
  const gateway = group.start('gateway', ['dist/gateway/main.js', 'serve', '--config', 'config/gateway.yaml'], (gatewayLine) => {
    say(describeGatewayLine(gatewayLine, gateway.pid!, process.env.GATEWAY_CERT_DIR ?? 'certs'));
  });
});
