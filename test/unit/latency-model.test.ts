import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLatencyModel } from '../../upstream-mock/latency-model.js';

function quantiles(path: string, n = 20_000): { p50: number; p99: number } {
  const draw = createLatencyModel('slow', 7);
  const xs = Array.from({ length: n }, () => draw(path)).sort((a, b) => a - b);
  return { p50: xs[Math.floor(n * 0.5)]!, p99: xs[Math.floor(n * 0.99)]! };
}

test('slow profile reproduces the seed report: trading p50 ~400 ms and p99 ~5 s', () => {
  const { p50, p99 } = quantiles('/api/dashboard/trading');
  assert.ok(p50 > 340 && p50 < 460, `p50 ${p50}`);
  assert.ok(p99 > 4000 && p99 < 6200, `p99 ${p99}`);
});

test('slow profile: risk p99 ~110 ms, overview p50 ~300 ms', () => {
  const risk = quantiles('/api/dashboard/risk');
  assert.ok(risk.p99 > 90 && risk.p99 < 135, `risk p99 ${risk.p99}`);
  const overview = quantiles('/api/dashboard/overview');
  assert.ok(overview.p50 > 255 && overview.p50 < 345, `overview p50 ${overview.p50}`);
});

test('the same seed gives the same sequence; the fast profile has no latency', () => {
  const a = createLatencyModel('slow', 3);
  const b = createLatencyModel('slow', 3);
  for (let i = 0; i < 100; i++) assert.equal(a('/api/dashboard/trading'), b('/api/dashboard/trading'));
  const fast = createLatencyModel('fast', 3);
  assert.equal(fast('/api/dashboard/trading'), 0);
});
