import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterCells, HistogramCells } from '../../gateway/observability/metric-cells.js';

// Prometheus histograms: a bucket `le` counts observations <= le, buckets are cumulative, +Inf is the count.
const rows: { observed: number[]; buckets: number[]; why: string }[] = [
  { observed: [], buckets: [0, 0, 0, 0], why: 'nothing observed: every bucket at 0' },
  { observed: [0.5], buckets: [1, 1, 1, 1], why: 'below the first bound: in every bucket' },
  { observed: [1], buckets: [1, 1, 1, 1], why: 'equal to a bound: in that bucket (le is <=)' },
  { observed: [1.0001], buckets: [0, 1, 1, 1], why: 'just above a bound: in the next' },
  { observed: [10], buckets: [0, 0, 1, 1], why: 'equal to the last bound' },
  { observed: [11], buckets: [0, 0, 0, 1], why: 'above the last bound: only in +Inf' },
  { observed: [0.2, 3, 7, 40], buckets: [1, 2, 3, 4], why: 'cumulative' },
];
for (const row of rows) {
  test(`HistogramCells: ${row.why}`, () => {
    const cells = new HistogramCells('h_seconds', [1, 5, 10]);
    const cell = cells.bind({ route: 'r' });
    for (const v of row.observed) cell.observe(v);
    const values = cells.values();
    assert.deepEqual(values.filter((v) => v.metricName === 'h_seconds_bucket').map((v) => [v.labels.le, v.value]), [[1, row.buckets[0]], [5, row.buckets[1]], [10, row.buckets[2]], ['+Inf', row.buckets[3]]]);
    assert.equal(values.find((v) => v.metricName === 'h_seconds_count')!.value, row.observed.length);
    assert.equal(values.find((v) => v.metricName === 'h_seconds_sum')!.value, row.observed.reduce((a, b) => a + b, 0));
    assert.ok(values.every((v) => v.labels.route === 'r'));
  });
}

test('CounterCells: a label set is listed at 0 once bound; binding it again is the same cell, one series', () => {
  const cells = new CounterCells();
  const a = cells.bind({ policy: 'tight' });
  assert.deepEqual(cells.values(), [{ labels: { policy: 'tight' }, value: 0 }]);
  a.inc();
  cells.bind({ policy: 'tight' }).inc();
  cells.bind({ policy: 'loose' });
  assert.deepEqual(cells.values(), [{ labels: { policy: 'tight' }, value: 2 }, { labels: { policy: 'loose' }, value: 0 }]);
});

test('HistogramCells: binding a route again keeps its observations', () => {
  const cells = new HistogramCells('h_seconds', [1]);
  cells.bind({ route: 'r' }).observe(0.5);
  cells.bind({ route: 'r' }).observe(0.5);
  assert.equal(cells.values().find((v) => v.metricName === 'h_seconds_count')!.value, 2);
  assert.equal(cells.values().length, 4);
});
