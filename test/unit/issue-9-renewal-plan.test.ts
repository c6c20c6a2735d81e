import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renewalPlan, retryDelay, RETRY_DELAYS } from '../../gateway/tls/renewal-plan.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

const plans: { description: string; lifetime: number; renewBefore: number; random: number; renewAt: number; clamped: boolean }[] = [
  { description: '90-day certificate, 30-day window, no jitter drawn', lifetime: 90 * DAY, renewBefore: 30 * DAY, random: 0, renewAt: T0 + 60 * DAY, clamped: false },
  { description: 'the most jitter is an hour earlier', lifetime: 90 * DAY, renewBefore: 30 * DAY, random: 1, renewAt: T0 + 60 * DAY - HOUR, clamped: false },
  { description: 'half the jitter', lifetime: 90 * DAY, renewBefore: 30 * DAY, random: 0.5, renewAt: T0 + 60 * DAY - HOUR / 2, clamped: false },
  { description: 'a short time to the window: jitter at most a tenth of it', lifetime: 60_000, renewBefore: 50_000, random: 1, renewAt: T0 + 10_000 - 1000, clamped: false },
  { description: 'a 6-day certificate meets the 30-day default: renew with a third left', lifetime: 6 * DAY, renewBefore: 30 * DAY, random: 0, renewAt: T0 + 4 * DAY, clamped: true },
  { description: 'a window exactly as long as the life is clamped too', lifetime: 30 * DAY, renewBefore: 30 * DAY, random: 0, renewAt: T0 + 20 * DAY, clamped: true },
  { description: 'a window a millisecond shorter than the life is taken as given', lifetime: 30 * DAY, renewBefore: 30 * DAY - 1, random: 0, renewAt: T0 + 1, clamped: false },
];
for (const p of plans) {
  test(`renewal plan: ${p.description}`, () => {
    assert.deepEqual(renewalPlan({ notBefore: T0, notAfter: T0 + p.lifetime }, p.renewBefore, p.random), { renewAt: p.renewAt, clamped: p.clamped });
  });
}

const retries: { description: string; failures: number; random: number; delay: number }[] = [
  { description: 'first failure, shortest jitter', failures: 1, random: 0, delay: 54_000 },
  { description: 'first failure, no jitter', failures: 1, random: 0.5, delay: 60_000 },
  { description: 'first failure, longest jitter', failures: 1, random: 1, delay: 66_000 },
  { description: 'second failure: five minutes', failures: 2, random: 0.5, delay: 5 * 60_000 },
  { description: 'fifth failure: forty minutes', failures: 5, random: 0.5, delay: 40 * 60_000 },
  { description: 'sixth failure: an hour', failures: 6, random: 0.5, delay: HOUR },
  { description: 'hundredth failure: still an hour', failures: 100, random: 0.5, delay: HOUR },
  { description: 'a count of 0 (never called so) waits as the first', failures: 0, random: 0.5, delay: 60_000 },
];
for (const r of retries) {
  test(`retry delay: ${r.description}`, () => {
    assert.equal(retryDelay(r.failures, r.random), r.delay);
  });
}

test('retry delay: at most five attempts in the first hour, however the jitter falls', () => {
  // Attempt 1 at 0, then after each failure the shortest wait (random 0).
  let at = 0;
  const times = [0];
  for (let failures = 1; failures <= RETRY_DELAYS.length; failures++) times.push(at += retryDelay(failures, 0));
  assert.equal(times.filter((t) => t < HOUR).length, 5, times.map((t) => (t / 60_000).toFixed(1)).join(', '));
});

test('retry delay: a schedule of the caller\'s (tests) is followed and its last step repeated', () => {
  assert.deepEqual([1, 2, 3].map((f) => retryDelay(f, 0.5, [100, 200])), [100, 200, 200]);
});
