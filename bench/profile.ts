/**
 * npm run profile: the gateway under wrk load with `node --cpu-prof`, then the functions with
 * the most self time. The .cpuprofile opens in Chrome DevTools (Performance tab) for the rest.
 * PROFILE_PATH picks the route (default /api/dashboard/risk, the one doing auth and limits,
 * sent with a valid token); PROFILE_DIR keeps the profile (default a new folder in the temp dir);
 * BENCH_DURATION, BENCH_CONNECTIONS as for npm run bench. Needs wrk.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMock } from '../test/helpers/upstream-mock.js';
import { startLoggingGateway } from './logging-gateway.js';
import { topSelfTime } from './profile-summary.js';
import { requireWrk, run, wrk } from './wrk.js';

const path = process.env.PROFILE_PATH ?? '/api/dashboard/risk';
const outDir = process.env.PROFILE_DIR ? resolve(process.env.PROFILE_DIR) : mkdtempSync(join(tmpdir(), 'gw-profile-'));

requireWrk();
const mock = await startMock({ profile: 'fast' });
const dir = mkdtempSync(join(tmpdir(), 'gw-profile-run-'));
try {
  const gw = await startLoggingGateway(dir, mock.url, ['--cpu-prof', `--cpu-prof-dir=${outDir}`]);
  const url = `https://127.0.0.1:${gw.port}${path}`;
  const headers = [`Authorization: Bearer ${gw.accessToken}`];
  try {
    await run('wrk', ['-t1', '-c8', '-d2s', '-H', headers[0]!, url]); // warm-up, in the profile too
    const r = await wrk('gateway', url, { connections: process.env.BENCH_CONNECTIONS ?? '32', duration: process.env.BENCH_DURATION ?? '6s', headers });
    console.log(`GET ${path}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors`);
  } finally {
    // The profile is written when the gateway exits.
    await gw.stop();
  }
  const profile = readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (!profile) throw new Error(`no .cpuprofile in ${outDir}`);
  console.log(`\nself time, top functions:\n${topSelfTime(join(outDir, profile)).join('\n')}\n\nprofile: ${join(outDir, profile)}`);
} finally {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
