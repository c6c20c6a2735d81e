#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createMockServer } from './mock-server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.MOCK_PORT ?? '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    profile: { type: 'string', default: process.env.MOCK_PROFILE ?? 'slow' },
    seed: { type: 'string', default: '42' },
    'tick-ms': { type: 'string', default: '500' },
    // For a supervisor's pipe (npm start): stop when it closes, even if the supervisor was killed.
    'stop-on-stdin-end': { type: 'boolean', default: false },
  },
});
if (values.profile !== 'slow' && values.profile !== 'fast') {
  process.stderr.write('upstream-mock: --profile must be "slow" or "fast"\n');
  process.exit(2);
}

const server = createMockServer({ profile: values.profile, seed: Number(values.seed), tickMs: Number(values['tick-ms']) });
// A taken port is an operator's mistake, not a crash: one line, as the gateway reports it.
server.once('error', (err) => {
  process.stderr.write(`upstream-mock: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  // One JSON line: the test helpers read the port from it.
  process.stdout.write(`${JSON.stringify({ event: 'listening', service: 'upstream-mock', port, profile: values.profile })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (values['stop-on-stdin-end']) process.stdin.once('end', stop).once('error', stop).resume();
