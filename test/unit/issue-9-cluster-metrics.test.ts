import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClusterMetrics, foldCounts, type ClusterMetrics, type WorkerSeries } from '../../gateway/observability/cluster-metrics.js';
import { matching, parseSamples, valueOf } from '../helpers/prometheus-text.js';

/**
 * The primary's merge under `workers`: counters and histograms never go down while the primary
 * lives (Prometheus reads a drop as a reset), whatever the workers do; gauges only of workers
 * alive and answering. The series are written as they arrive over IPC (getMetricsAsJSON's shape).
 */
interface Snapshot { requests: number; observed: number; store: number }

function series(s: Snapshot): WorkerSeries {
  return [
    { name: 'req_total', help: 'requests', type: 'counter', aggregator: 'sum', values: [{ labels: { route: 'r' }, value: s.requests }] },
    {
      name: 'lat_seconds', help: 'latency', type: 'histogram', aggregator: 'sum', values: [
        { labels: { route: 'r', le: 1 }, value: s.observed, metricName: 'lat_seconds_bucket' },
        { labels: { route: 'r', le: '+Inf' }, value: s.observed, metricName: 'lat_seconds_bucket' },
        { labels: { route: 'r' }, value: s.observed / 2, metricName: 'lat_seconds_sum' },
        { labels: { route: 'r' }, value: s.observed, metricName: 'lat_seconds_count' },
      ],
    },
    { name: 'store_up', help: 'store', type: 'gauge', aggregator: 'min', values: [{ labels: {}, value: s.store }] },
  ] as unknown as WorkerSeries;
}

type Step =
  | { scrape: Record<number, Snapshot>; order?: 'reversed' }
  | { exit: number };

const rows: { why: string; steps: Step[]; fresh: number[]; requests: number; buckets: number; storeUp: number[] }[] = [
  {
    why: 'two live workers: counters and histograms summed, the gauge the lowest',
    steps: [{ scrape: { 1: { requests: 95, observed: 95, store: 1 }, 2: { requests: 105, observed: 105, store: 0 } } }],
    fresh: [1, 2], requests: 200, buckets: 200, storeUp: [0],
  },
  {
    why: 'a worker exits: its last counters stay, its gauge goes',
    steps: [{ scrape: { 1: { requests: 95, observed: 95, store: 0 } , 2: { requests: 105, observed: 105, store: 1 } } }, { exit: 1 }],
    fresh: [2], requests: 200, buckets: 200, storeUp: [1],
  },
  {
    why: 'its replacement counts from 0 and adds on top of the retired total',
    steps: [{ scrape: { 1: { requests: 95, observed: 95, store: 1 }, 2: { requests: 105, observed: 105, store: 1 } } }, { exit: 1 }, { scrape: { 2: { requests: 110, observed: 110, store: 1 }, 3: { requests: 7, observed: 7, store: 1 } } }],
    fresh: [2, 3], requests: 95 + 110 + 7, buckets: 95 + 110 + 7, storeUp: [1],
  },
  {
    why: 'two exits fold into one total',
    steps: [{ scrape: { 1: { requests: 10, observed: 10, store: 1 }, 2: { requests: 20, observed: 20, store: 1 } } }, { exit: 1 }, { scrape: { 3: { requests: 5, observed: 5, store: 1 } } }, { exit: 3 }, { exit: 2 }],
    fresh: [], requests: 35, buckets: 35, storeUp: [],
  },
  {
    why: 'an answer that arrives after its worker exited is dropped (it was folded already, once)',
    steps: [{ scrape: { 1: { requests: 10, observed: 10, store: 1 } } }, { exit: 1 }, { scrape: { 1: { requests: 12, observed: 12, store: 1 } } }],
    fresh: [], requests: 10, buckets: 10, storeUp: [],
  },
  {
    why: 'overlapping scrapes: the older answer, recorded last, does not replace the newer',
    steps: [{ scrape: { 1: { requests: 10, observed: 10, store: 1 } } }, { scrape: { 1: { requests: 12, observed: 12, store: 1 } }, order: 'reversed' }],
    fresh: [1], requests: 12, buckets: 12, storeUp: [1],
  },
  {
    why: 'a live worker that did not answer this scrape: its last counters count, its stale gauge does not',
    steps: [{ scrape: { 1: { requests: 10, observed: 10, store: 0 }, 2: { requests: 4, observed: 4, store: 1 } } }],
    fresh: [2], requests: 14, buckets: 14, storeUp: [1],
  },
  {
    why: 'a worker that exits before its first answer: nothing to keep, nothing breaks',
    steps: [{ exit: 1 }, { scrape: { 2: { requests: 3, observed: 3, store: 1 } } }],
    fresh: [2], requests: 3, buckets: 3, storeUp: [1],
  },
];

function play(m: ClusterMetrics, steps: readonly Step[]): void {
  // Scrapes numbered first, recorded in order (or the last two swapped: two scrapes overlapping).
  const numbered = steps.map((s) => ('scrape' in s ? { step: s, n: m.begin() } : { step: s, n: -1 }));
  const lastStep = steps.at(-1);
  if (lastStep !== undefined && 'scrape' in lastStep && lastStep.order === 'reversed') {
    const last = numbered.length - 1;
    [numbered[last - 1], numbered[last]] = [numbered[last]!, numbered[last - 1]!];
  }
  for (const { step, n } of numbered) {
    if ('exit' in step) m.retire(step.exit);
    else for (const [worker, snap] of Object.entries(step.scrape)) m.seen(Number(worker), n, series(snap));
  }
}

for (const row of rows) {
  test(`cluster metrics: ${row.why}`, async () => {
    const m = createClusterMetrics();
    play(m, row.steps);
    const samples = parseSamples(await m.render(new Set(row.fresh)));
    assert.equal(valueOf(samples, 'req_total', { route: 'r' }), row.requests);
    assert.equal(valueOf(samples, 'lat_seconds_bucket', { route: 'r', le: '+Inf' }), row.buckets);
    assert.equal(valueOf(samples, 'lat_seconds_count', { route: 'r' }), row.buckets);
    assert.equal(valueOf(samples, 'lat_seconds_sum', { route: 'r' }), row.buckets / 2);
    assert.equal(matching(samples, 'req_total').length, 1, 'one series per label set, however many workers counted it');
    assert.deepEqual(matching(samples, 'store_up').map((s) => s.value), row.storeUp);
  });
}

test('cluster metrics: retired() says which workers exited', () => {
  const m = createClusterMetrics();
  m.seen(1, m.begin(), series({ requests: 1, observed: 1, store: 1 }));
  m.retire(1);
  assert.equal(m.retired(1), true);
  assert.equal(m.retired(2), false);
  assert.equal(m.seen(1, m.begin(), series({ requests: 2, observed: 2, store: 1 })), false, 'an exited worker\'s answer is refused');
});

test('foldCounts: label order does not split a series; gauges of the dead are not folded', () => {
  const a = [{ name: 'c_total', help: 'c', type: 'counter', aggregator: 'sum', values: [{ labels: { x: '1', y: '2' }, value: 3 }] }] as unknown as WorkerSeries;
  const b = [
    { name: 'c_total', help: 'c', type: 'counter', aggregator: 'sum', values: [{ labels: { y: '2', x: '1' }, value: 4 }, { labels: { x: '9', y: '2' }, value: 1 }] },
    { name: 'g', help: 'g', type: 'gauge', aggregator: 'sum', values: [{ labels: {}, value: 8 }] },
  ] as unknown as WorkerSeries;
  const folded = foldCounts(a, b);
  assert.deepEqual(folded.map((s) => s.name), ['c_total']);
  assert.deepEqual(folded[0]!.values.map((v) => v.value), [7, 1]);
});
